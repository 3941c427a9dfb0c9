"""Page-number lists whose row count is capped, so no page ever counts a whole big table."""

from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    capped = False

    def __init__(self, *args: Any, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        cap = self.cap or settings.LIST_COUNT_CAP
        rows = self.object_list
        if hasattr(rows, "order_by") and not getattr(rows.query, "distinct_fields", ()):
            # Any cap + 1 rows count the same: unordered, the database reads whichever index
            # is cheapest instead of the first cap + 1 rows in the page's order.
            rows = rows.order_by()
        n = rows[: cap + 1].count()
        self.capped = n > cap
        return min(n, cap)


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25) -> Page:
    # A search (every list names it ?q=) counts to a lower cap: its matches come from the
    # trigram index and each one counted is a row read, so "more than 1,000" is cheap where
    # "more than 10,000" of a common fragment such as 恒通 is not.
    searched = bool((request.GET.get("q") or "").strip())
    paginator = CappedPaginator(
        queryset, per_page, cap=settings.SEARCH_COUNT_CAP if searched else None
    )
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return paginator.page(paginator.num_pages if paginator.count else 1)
