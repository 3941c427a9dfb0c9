"""Page-number lists whose row count is capped, so no page ever counts a whole big table."""

from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows ("more than 1,000 records"), or as many as it takes to show
    the page asked for (`reach`, a page number) and a link to the next, up to
    LIST_DEPTH_CAP: the first pages, which users open all day, count a thousand rows; a
    user paging deep pays for the depth they asked for."""

    capped = False

    def __init__(self, *args: Any, cap: int | None = None, reach: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.reach = reach

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        cap = self.cap or settings.LIST_COUNT_CAP
        if self.reach > 1:
            cap = max(cap, min(self.reach * self.per_page + 1, settings.LIST_DEPTH_CAP))
        rows = self.object_list
        if hasattr(rows, "order_by") and not getattr(rows.query, "distinct_fields", ()):
            # Any cap + 1 rows count the same: unordered, the database reads whichever index
            # is cheapest instead of the first cap + 1 rows in the page's order.
            rows = rows.order_by()
            if rows.query.group_by is None and not rows.query.distinct:
                # and without the page's annotations (a subquery per row, say)
                rows = rows.values("pk")
        n = rows[: cap + 1].count()
        self.capped = n > cap
        return min(n, cap)


def _page_number(value: Any) -> int:
    try:
        return max(1, min(int(value), 10**6))
    except (TypeError, ValueError):
        return 1


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25) -> Page:
    # A search (every list names it ?q=) counts to a lower cap: each match counted is a row
    # read and tested (guanxi.common.search), so "more than 500" of a common fragment such as
    # 恒通 costs half what the lists' thousand would.
    searched = bool((request.GET.get("q") or "").strip())
    number = request.GET.get("page") or 1
    paginator = CappedPaginator(
        queryset,
        per_page,
        cap=settings.SEARCH_COUNT_CAP if searched else None,
        reach=_page_number(number),
    )
    try:
        return paginator.page(number)
    except InvalidPage:
        return paginator.page(paginator.num_pages if paginator.count else 1)
