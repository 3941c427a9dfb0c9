"""One serializer per reference list, built from the model (the lists differ only in a few
extra fields)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.reference.models import ReferenceEntry
from guanxi.reference.registry import extra_fields

from .fields import ApiModelSerializer, IdField

BASE_FIELDS = ["id", "code", "name", "name_en", "sort_order", "is_active"]


def reference_serializer(model: type[ReferenceEntry]) -> type[ApiModelSerializer]:
    has_path = any(f.name == "path" for f in model._meta.concrete_fields)
    fields = [*BASE_FIELDS, *extra_fields(model), *(["path"] if has_path else [])]
    meta = type(
        "Meta", (), {"model": model, "fields": fields, "read_only_fields": ["path"] * has_path}
    )
    return type(
        f"{model.__name__}Serializer",
        (ApiModelSerializer,),
        {"Meta": meta, "__module__": __name__},
    )


class ReferenceListParams(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Part of the code or name.")
    )
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Only active (or inactive).")
    )


class RegionListParams(ReferenceListParams):
    parent = IdField(required=False, help_text=_("Parent region id: its direct children."))
