"""Reads of market intelligence. Competitors and news are shared knowledge: the module's view
permission is all it takes. The opportunities shown for a competitor are limited to the
reader's opportunity scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common.lookups import get_or_404, id_or_none, in_date_range
from guanxi.sales.models import Opportunity
from guanxi.sales.selectors import opportunity_scope_q

from .models import Competitor, IndustryNews, PriceLevel

COMPETITOR_ORDERINGS = {"name", "-name", "-id", "id", "-updated_at"}


def competitor_list(
    *,
    reader: Any,
    search: str = "",
    filters: dict[str, Any] | None = None,
    ordering: str = "name",
) -> QuerySet[Competitor]:
    """Competitors with how many opportunities (in the reader's scope) they appear in."""
    if not can(reader, Module.COMPETITORS, Action.VIEW):
        return Competitor.objects.none()
    qs = Competitor.objects.all()
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(products__icontains=search)
            | Q(strengths__icontains=search)
            | Q(weaknesses__icontains=search)
            | Q(notes__icontains=search)
        )
    filters = filters or {}
    if filters.get("price_level") in PriceLevel.values:
        qs = qs.filter(price_level=filters["price_level"])
    if ordering not in COMPETITOR_ORDERINGS:
        ordering = "name"
    if can(reader, Module.OPPORTUNITIES, Action.VIEW):
        # Per competitor, its own links (through table → opportunity → customer): a filter
        # "opportunity IN (every visible opportunity)" read all of them (1.7 s at 1M).
        linked = (
            Opportunity.objects.filter(opportunity_scope_q(reader), competitors=OuterRef("pk"))
            .order_by()
            .values("competitors")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(opportunity_count=Coalesce(Subquery(linked), 0))
    return qs.order_by(ordering, "id")


def access_competitor(*, reader: Any, pk: Any) -> Competitor:
    if not can(reader, Module.COMPETITORS, Action.VIEW):
        raise Http404
    return get_or_404(Competitor.objects.select_related("created_by", "updated_by"), pk)


def competitor_opportunities(*, reader: Any, competitor: Competitor) -> QuerySet[Opportunity]:
    """The opportunities the competitor appears in that the reader may see."""
    if not can(reader, Module.OPPORTUNITIES, Action.VIEW):
        return Opportunity.objects.none()
    return (
        Opportunity.objects.filter(opportunity_scope_q(reader), competitors=competitor)
        .select_related("customer", "stage", "owner")
        .order_by("-id")
    )


def news_list(
    *, reader: Any, search: str = "", filters: dict[str, Any] | None = None
) -> QuerySet[IndustryNews]:
    if not can(reader, Module.NEWS, Action.VIEW):
        return IndustryNews.objects.none()
    qs = IndustryNews.objects.select_related("industry")
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(content__icontains=search)
            | Q(source__icontains=search)
            | Q(tags__icontains=search)
        )
    filters = filters or {}
    industry = id_or_none(filters.get("industry"))
    if industry is not None:
        qs = qs.filter(industry_id=industry)
    competitor = id_or_none(filters.get("competitor"))
    if competitor is not None:
        link = IndustryNews.competitors.through.objects.filter(
            industrynews_id=OuterRef("pk"), competitor_id=competitor
        )
        qs = qs.filter(Exists(link))
    tag = (filters.get("tag") or "").strip() if isinstance(filters.get("tag"), str) else ""
    if tag:
        qs = qs.filter(tags__icontains=tag)
    qs = in_date_range(qs, filters, "published_on")
    return qs.order_by("-published_on", "-id")


def access_news(*, reader: Any, pk: Any) -> IndustryNews:
    if not can(reader, Module.NEWS, Action.VIEW):
        raise Http404
    qs = IndustryNews.objects.select_related("industry", "created_by", "updated_by")
    return get_or_404(qs.prefetch_related("competitors"), pk)
