"""Page-number lists whose row count is capped, so no page ever counts a whole big table."""

from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    capped = False

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        cap = settings.LIST_COUNT_CAP
        n = self.object_list[: cap + 1].count()
        self.capped = n > cap
        return min(n, cap)


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25) -> Page:
    paginator = CappedPaginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return paginator.page(paginator.num_pages if paginator.count else 1)
