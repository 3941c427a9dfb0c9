"""All reference lists through one view set, instantiated per list from the registry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from guanxi.accounts.enums import Module
from guanxi.reference.models import ReferenceEntry, Region
from guanxi.reference.registry import REFERENCE_LISTS
from guanxi.reference.selectors import reference_entries
from guanxi.reference.services import reference_create, reference_delete, reference_update

from ..serializers.reference import ReferenceListParams, RegionListParams, reference_serializer
from .base import ApiViewSet


class ReferenceViewSet(ApiViewSet):
    """Read by every signed-in user; created, changed and deleted with reference.*.
    An entry in use cannot be deleted (400); deactivate it instead."""

    module = Module.REFERENCE
    open_read = True
    model: type[ReferenceEntry]
    params_class: type[ReferenceListParams] = ReferenceListParams

    def get_queryset(self) -> QuerySet[ReferenceEntry]:
        return self.model.objects.all()

    def get_object(self) -> ReferenceEntry:
        entry = self.model.objects.filter(pk=self.kwargs["pk"]).first()
        if entry is None:
            raise Http404
        return entry

    def list(self, request: Request) -> Response:
        params = self.query_params(self.params_class).validated_data
        return self.render_page(reference_entries(self.model, **params), self.keyset_ordering)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self.render(self.get_object())

    def create(self, request: Request) -> Response:
        fields = self.parse(self.get_serializer_class(), request.data).validated_data
        entry = reference_create(actor=request.user, model=self.model, **fields)
        return self.render(entry, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: int, partial: bool = False) -> Response:
        entry = self.get_object()
        serializer = self.get_serializer(entry, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self.render(
            reference_update(actor=request.user, entry=entry, **serializer.validated_data)
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: int) -> Response:
        reference_delete(actor=request.user, entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def reference_viewset(model: type[ReferenceEntry]) -> type[ReferenceViewSet]:
    is_region = issubclass(model, Region)
    params = RegionListParams if is_region else ReferenceListParams
    attrs: dict[str, Any] = {
        "model": model,
        "serializer_class": reference_serializer(model),
        "params_class": params,
        # Regions page in tree order; the other lists in their configured order.
        "keyset_ordering": ("path",) if is_region else ("sort_order", "code"),
        "__module__": __name__,
    }
    viewset = type(f"{model.__name__}ViewSet", (ReferenceViewSet,), attrs)
    in_use = OpenApiResponse(description="The entry is in use: deactivate it instead.")
    return extend_schema_view(
        list=extend_schema(parameters=[params]),
        destroy=extend_schema(responses={204: None, 400: in_use}),
    )(viewset)


REFERENCE_VIEWSETS: dict[str, type[ReferenceViewSet]] = {
    slug: reference_viewset(model) for slug, model in REFERENCE_LISTS.items()
}
