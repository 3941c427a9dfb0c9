"""Optimistic locking: a record carries a `version`; a write names the version it was made
from, and loses (Conflict) when someone saved the record in between. One conditional UPDATE
decides, so two writers can never both win, on any database."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .history import change_rows

MAX_VERSION = 2**31 - 1  # PositiveIntegerField's range on every engine


def version_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "Goes up by one with every change; a write names the version it was made from."
        ),
    )


class Conflict(Exception):
    """The record changed since the writer read it. Raised inside the write's transaction, so
    nothing of the losing write is kept."""

    def __init__(self, *, model: type[models.Model], pk: Any, expected: int, current: int | None):
        self.model, self.pk, self.expected, self.current_version = model, pk, expected, current
        super().__init__(
            f"{model._meta.label} {pk}: expected version {expected}, current {current}"
        )


def parse_version(value: Any) -> int | None:
    """A version as sent by a client ("3", 3, '"3"', 'W/"3"'); None when absent or empty.
    Raises ValueError on anything that is not a version number."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    text = str(value).strip()
    if text.startswith("W/"):
        text = text[2:]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if text == "":
        return None
    if not text.isdigit():
        raise ValueError(value)
    number = int(text)
    if not 1 <= number <= MAX_VERSION:
        raise ValueError(value)
    return number


def bump_version(instance: models.Model, expected: int | None = None) -> int:
    """Move the record from `expected` (or, without a precondition, from the version just read
    inside this transaction) to the next version, or raise Conflict. Call it inside the
    service's transaction, before its save(): the save then writes the new number too."""
    model = type(instance)
    read = instance.version  # type: ignore[attr-defined]
    base = read if expected is None else expected
    updated = model._base_manager.filter(pk=instance.pk, version=base).update(
        version=F("version") + 1
    )
    if not updated:
        current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True)
        raise Conflict(model=model, pk=instance.pk, expected=base, current=current.first())
    instance.version = base + 1  # type: ignore[attr-defined]
    return base + 1


def changes_since(instance: models.Model, version: int, limit: int = 200) -> dict[str, Any]:
    """What happened to the record after `version`: the history entries written since (newest
    first) and, per field, its value at `version` and its value now, in the reader's language."""
    from django.contrib.contenttypes.models import ContentType

    from .models import AuditLog

    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    entries = list(
        AuditLog.objects.filter(
            content_type=content_type, object_id=instance.pk, record_version__gt=version
        )
        .select_related("user", "content_type")
        .order_by("-at", "-id")[:limit]
    )
    fields: dict[str, dict[str, str]] = {}
    for entry in reversed(entries):  # oldest first: "then" is the first old value seen
        raws = [c for c in entry.changes or [] if isinstance(c, dict)]
        for raw, row in zip(raws, change_rows(entry), strict=True):
            name = str(raw.get("field", ""))
            if name in fields:
                fields[name]["now"] = row["new"]
            else:
                fields[name] = {
                    "name": name,
                    "field": row["field"],
                    "then": row["old"],
                    "now": row["new"],
                }
    differing = [row for row in fields.values() if row["then"] != row["now"]]
    return {"entries": entries, "fields": differing}
