"""Reads of reference lists. Reference data is not scoped: everyone signed in reads it."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import ReferenceEntry


def reference_entries(
    model: type[ReferenceEntry],
    *,
    search: str = "",
    active: bool | None = None,
    parent: int | None = None,
) -> QuerySet[ReferenceEntry]:
    """Entries of one list (reference data is not scoped: everyone signed in reads it)."""
    entries = model.objects.all()
    search = search.strip()
    if search:
        entries = entries.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(name_en__icontains=search)
        )
    if active is not None:
        entries = entries.filter(is_active=active)
    if parent is not None:
        entries = entries.filter(parent_id=parent)
    return entries
