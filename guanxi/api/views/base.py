from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from ..permissions import ModulePermission
from ..schema import ModuleAutoSchema
from ..versioning import etag, expected_version


def keyset(ordering: str) -> tuple[str, ...]:
    """A list ordering as a keyset: the column, then the id in the same direction so that
    rows with equal values keep one stable order across pages."""
    if ordering.lstrip("-") == "id":
        return (ordering,)
    return (ordering, "-id" if ordering.startswith("-") else "id")


class ApiViewSet(viewsets.GenericViewSet):
    # Base of every API view set: module permissions, integer ids, keyset pages. Filtering
    # and ordering are parsed by a parameter serializer and handed to the selector, not done
    # by filter backends on a raw queryset. (A comment, not a docstring: the OpenAPI
    # description of each view set is its own docstring.)

    schema = ModuleAutoSchema()
    permission_classes = [ModulePermission]
    filter_backends: list[Any] = []
    lookup_value_converter = "id"
    keyset_ordering: tuple[str, ...] = ("-id",)
    module: str | None = None
    open_read = False
    action_permissions: dict[str, str] = {}
    # Actions that take the version the client read (If-Match or `version` in the body) and
    # answer 409 when it is stale; the schema documents both for them.
    versioned_actions: frozenset[str] = frozenset()

    def expected_version(self) -> int | None:
        return expected_version(self.request)

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        """A record's own answers carry its version as the ETag, ready for If-Match."""
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if (
            getattr(self, "action", None) in {"retrieve", "update", "partial_update"}
            and 200 <= response.status_code < 300
            and isinstance(data, dict)
            and isinstance(data.get("version"), int)
        ):
            response["ETag"] = etag(data["version"])
        return response

    def get_scoped_object(self) -> Any:
        """The record a detail route names, looked up in the reader's scope (Http404 outside
        it). The permission check calls it before refusing an action; views whose actions look
        records up elsewhere (the recycle bin) override it."""
        return self.get_object()

    def parse(self, serializer_class: type[serializers.Serializer], data: Any) -> Any:
        """Validate input with a serializer; invalid input is a 400 with field errors."""
        serializer = serializer_class(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer

    def query_params(self, serializer_class: type[serializers.Serializer]) -> Any:
        # A plain dict: absent booleans stay absent instead of meaning "false" as in forms.
        return self.parse(serializer_class, self.request.query_params.dict())

    def render(self, instance: Any, status: int = 200, serializer_class: Any = None) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status)

    def render_page(self, queryset: QuerySet, ordering: tuple[str, ...]) -> Response:
        self.keyset_ordering = ordering
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)
