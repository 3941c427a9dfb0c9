from typing import Any

from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pages: no COUNT(*), no deep OFFSET.

    The key is the view's `keyset_ordering` (set by the view from its validated `?ordering=`,
    always ending in a unique column so that rows with equal keys keep a stable order), or
    `ordering` below when the view names none.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = getattr(view, "keyset_ordering", None)
        if ordering:
            return tuple(ordering)
        return super().get_ordering(request, queryset, view)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["results", "next"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
