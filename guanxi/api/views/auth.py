"""POST /api/v1/auth/token/: a new token for a username and password, throttled and audited
like the sign-in page (both go through `attempt_login`); /api/v1/auth/tokens/: list, make and
revoke your tokens. Tokens are stored as digests, so a secret is shown only when it is made."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from guanxi.accounts.login import attempt_login
from guanxi.accounts.models import ApiToken
from guanxi.accounts.tokens import (
    access_api_token_by_id,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from guanxi.common import clock

from ..serializers.accounts import (
    ApiTokenCreateSerializer,
    ApiTokenListParams,
    ApiTokenSerializer,
    TokenObtainWithNameSerializer,
    TokenSerializer,
)
from .base import ApiViewSet

NOT_FOUND = OpenApiResponse(description="No such token of yours.")


def _created(token: ApiToken, secret: str) -> dict:
    token.token = secret  # type: ignore[attr-defined]  # never stored: shown this once
    return TokenSerializer(token).data


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenObtainWithNameSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(
                description="Too many failures: this username is locked for "
                "your address for a while."
            ),
        },
        auth=[],
        summary="Obtain a new API token with a username and password",
    )
    def post(self, request: Request) -> Response:
        """Each call makes a new token (listed and revocable under /api/v1/auth/tokens/);
        its secret is in this answer only."""
        credentials = TokenObtainWithNameSerializer(data=request.data)
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
        name = credentials.validated_data["name"].strip() or _("API sign-in")
        token, secret = api_token_create(actor=result.user, name=name)
        return Response(_created(token, secret))


@extend_schema_view(
    list=extend_schema(parameters=[ApiTokenListParams], summary="Your API tokens"),
    retrieve=extend_schema(responses={200: ApiTokenSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: TokenSerializer,
            400: OpenApiResponse(description="Field errors: {field: [messages]}."),
        },
        summary="Make a token (its secret is in this answer only)",
    ),
    destroy=extend_schema(
        responses={204: None, 404: NOT_FOUND},
        summary="Revoke a token: it stops working at once",
    ),
)
class ApiTokenViewSet(ApiViewSet):
    """Your personal API tokens: name, the first characters of the secret, when it was made
    and last used, its expiry. Only a digest of each secret is stored. An administrator may
    list (?user=) and revoke the tokens of the users they manage."""

    serializer_class = ApiTokenSerializer
    keyset_ordering = ("-created_at", "-id")
    parameters_name_records = True  # ?user= outside the reader's scope is a 404

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return api_token_list(reader=self.request.user)

    def get_object(self) -> ApiToken:
        return access_api_token_by_id(reader=self.request.user, token_id=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        params = self.query_params(ApiTokenListParams).validated_data
        tokens = api_token_list(reader=request.user, user=params.get("user"))
        return self.render_page(tokens, self.keyset_ordering)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = self.parse(ApiTokenCreateSerializer, request.data).validated_data
        token, secret = api_token_create(actor=request.user, **fields)
        return Response(_created(token, secret), status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: int) -> Response:
        api_token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
