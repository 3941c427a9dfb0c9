from typing import Any, NoReturn

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response


class KeysetPagination(CursorPagination):
    """Keyset (cursor) pages: no COUNT(*), no deep OFFSET.

    The key is the view's `keyset_ordering` (set by the view from its validated `?ordering=`,
    always ending in a unique column so that rows with equal keys keep a stable order), or
    `ordering` below when the view names none.

    A cursor that is not one of ours (garbage, or a forged position that does not fit the key's
    columns) is a 400 with a `cursor` field error, like any other bad parameter.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def invalid_cursor(self) -> NoReturn:
        raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def decode_cursor(self, request: Any) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            self.invalid_cursor()
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            self.invalid_cursor()
        return cursor

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        if request.query_params.get(self.cursor_query_param) is None:
            return super().paginate_queryset(queryset, request, view)
        try:  # the position is compared with the key's columns: it must convert to their types
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            self.invalid_cursor()

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
