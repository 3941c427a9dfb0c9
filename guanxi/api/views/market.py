"""Market intelligence (市场信息): competitors and industry news. Shared knowledge: the module's
permission is all it takes to read them; the opportunities a competitor appears in are
limited to the reader's own opportunity scope."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.market.models import Competitor, IndustryNews
from guanxi.market.selectors import (
    access_competitor,
    access_news,
    competitor_list,
    competitor_opportunities,
    news_list,
)
from guanxi.market.services import (
    competitor_create,
    competitor_delete,
    competitor_update,
    news_create,
    news_delete,
    news_update,
)

from ..serializers.market import (
    CompetitorDetailSerializer,
    CompetitorListParams,
    CompetitorSerializer,
    IndustryNewsSerializer,
    NewsListParams,
)
from .base import keyset
from .service import FIELD_ERRORS, NOT_FOUND, REFUSED, ServiceViewSet, _crud_schema

# The opportunities listed on a competitor (the count has them all).
OPPORTUNITY_LIMIT = 100
COMPETITOR_WRITE = {
    200: CompetitorDetailSerializer,
    400: FIELD_ERRORS,
    403: REFUSED,
    404: NOT_FOUND,
}


@_crud_schema(
    CompetitorDetailSerializer,
    CompetitorListParams,
    "Competitors",
    list=extend_schema(
        parameters=[CompetitorListParams],
        responses=CompetitorSerializer(many=True),
        summary="Competitors",
    ),
    create=extend_schema(
        request=CompetitorSerializer,
        responses={201: CompetitorDetailSerializer, 400: FIELD_ERRORS, 403: REFUSED},
    ),
    update=extend_schema(request=CompetitorSerializer, responses=COMPETITOR_WRITE),
    partial_update=extend_schema(request=CompetitorSerializer, responses=COMPETITOR_WRITE),
    destroy=extend_schema(
        summary="Delete a competitor no opportunity names",
        responses={
            204: None,
            400: OpenApiResponse(description="The competitor appears in opportunities."),
            403: REFUSED,
            404: NOT_FOUND,
        },
    ),
)
class CompetitorViewSet(ServiceViewSet):
    """Competitors (竞争对手): what they sell, their strengths and weaknesses, their prices
    compared with ours. A competitor's detail lists the opportunities it appears in that you
    may see. One named in an opportunity cannot be deleted."""

    module = Module.COMPETITORS
    serializer_class = CompetitorSerializer

    def get_queryset(self) -> QuerySet[Competitor]:
        return competitor_list(reader=self.request.user)

    def get_object(self) -> Competitor:
        return access_competitor(reader=self.request.user, pk=self.kwargs["pk"])

    def _render(self, competitor: Competitor, status: int = 200) -> Response:
        reader = self.request.user
        opportunities = competitor_opportunities(reader=reader, competitor=competitor)
        competitor.visible_opportunities = list(opportunities[:OPPORTUNITY_LIMIT])
        if can(reader, Module.OPPORTUNITIES, Action.VIEW):
            shown = len(competitor.visible_opportunities)
            competitor.opportunity_count = (
                shown if shown < OPPORTUNITY_LIMIT else opportunities.count()
            )
        return self.render(competitor, status=status, serializer_class=CompetitorDetailSerializer)

    def list(self, request: Request) -> Response:
        params = self.query_params(CompetitorListParams).validated_data
        competitors = competitor_list(
            reader=request.user,
            search=params["search"],
            filters={"price_level": params.get("price_level")},
            ordering=params["ordering"],
        )
        return self.render_page(competitors, keyset(params["ordering"]))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(CompetitorSerializer, request.data).validated_data)
        competitor = competitor_create(actor=request.user, **fields)
        return self._render(competitor, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        competitor = self.get_object()
        serializer = CompetitorSerializer(
            competitor, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        competitor = competitor_update(
            actor=request.user, competitor=competitor, **serializer.validated_data
        )
        return self._render(competitor)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        competitor_delete(actor=request.user, competitor=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@_crud_schema(IndustryNewsSerializer, NewsListParams, "Industry news")
class IndustryNewsViewSet(ServiceViewSet):
    """Industry news (业界动态): dated items with a source, tags, an industry and the
    competitors they concern (ids), the latest first."""

    module = Module.NEWS
    serializer_class = IndustryNewsSerializer

    def get_queryset(self) -> QuerySet[IndustryNews]:
        return news_list(reader=self.request.user)

    def get_object(self) -> IndustryNews:
        return access_news(reader=self.request.user, pk=self.kwargs["pk"])

    def _render(self, news: IndustryNews, status: int = 200) -> Response:
        fresh = (
            IndustryNews.objects.select_related("industry")
            .prefetch_related("competitors")
            .get(pk=news.pk)
        )
        return self.render(fresh, status=status)

    def list(self, request: Request) -> Response:
        params = self.query_params(NewsListParams)
        news = news_list(
            reader=request.user, search=params.validated_data["search"], filters=params.filters()
        ).prefetch_related("competitors")
        return self.render_page(news, ("-published_on", "-id"))

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = dict(self.parse(IndustryNewsSerializer, request.data).validated_data)
        news = news_create(actor=request.user, **fields)
        return self._render(news, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        news = self.get_object()
        serializer = self.get_serializer(news, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        news = news_update(actor=request.user, news=news, **serializer.validated_data)
        return self._render(news)

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        news_delete(actor=request.user, news=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
