"""Forgiving parsing of list filters and ids, shared by the selectors: a value that is not
an id or a date is no filter (lists never fail on a bad query string), and a record that
is not in the scoped queryset is a 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def id_or_none(value: Any) -> int | None:
    """A record or its id as an id; anything else None."""
    return int_or_none(getattr(value, "pk", value))


def date_or_none(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def get_or_404(qs: QuerySet, pk: Any) -> Any:
    """The record with this id in `qs` (already limited to the reader's scope), or 404."""
    pk = int_or_none(pk)
    found = qs.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def in_date_range(
    qs: QuerySet,
    filters: dict[str, Any],
    field: str,
    start: str = "date_from",
    end: str = "date_to",
) -> QuerySet:
    """Limit `qs` to `field` between the filters' `start` and `end` dates (each optional; a
    value that is not a date is no limit)."""
    low, high = date_or_none(filters.get(start)), date_or_none(filters.get(end))
    if low:
        qs = qs.filter(**{f"{field}__gte": low})
    if high:
        qs = qs.filter(**{f"{field}__lte": high})
    return qs
