"""GET /api/v1/search/?q=: the top bar's quick search for API clients."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guanxi.sales.quick_search import quick_search

from ..serializers.search import QuickSearchParams, QuickSearchSerializer


class QuickSearchView(APIView):
    @extend_schema(
        parameters=[QuickSearchParams],
        responses={
            200: QuickSearchSerializer,
            400: OpenApiResponse(description="Field errors: {field: [messages]}."),
            401: OpenApiResponse(description="Not signed in."),
        },
        summary="Search customers, contacts, opportunities and contracts at once",
        description="Scoped like the lists: only records you may see, at most ten of each "
        "kind. Kinds you may not view are left out.",
    )
    def get(self, request: Request) -> Response:
        params = QuickSearchParams(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        result = quick_search(reader=request.user, term=params.validated_data["q"])
        return Response(QuickSearchSerializer(result).data)
