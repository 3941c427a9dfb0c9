"""POST /api/v1/auth/token/: a token for a username and password, throttled and audited like
the sign-in page (both go through `attempt_login`)."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from guanxi.accounts.login import attempt_login
from guanxi.common import clock

from ..serializers.accounts import TokenObtainSerializer, TokenSerializer


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(
                description="Too many failures: this username is locked for "
                "your address for a while."
            ),
        },
        auth=[],
        summary="Obtain an API token",
    )
    def post(self, request: Request) -> Response:
        credentials = TokenObtainSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        result = attempt_login(
            request=request._request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if result.locked:
            wait = math.ceil((result.locked_until - clock.now()).total_seconds())
            raise exceptions.Throttled(
                wait=max(wait, 1),
                detail=_(
                    "Too many failed attempts. Sign-in for this user from your address "
                    "is locked for a while."
                ),
            )
        if result.user is None:
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        _("Wrong username or password, or the account is deactivated.")
                    ]
                }
            )
        token, _created = Token.objects.get_or_create(user=result.user)
        return Response(TokenSerializer({"token": token.key}).data)
