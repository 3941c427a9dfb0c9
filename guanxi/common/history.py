"""Field-level change history: take a snapshot before a write, diff it after, log the diff."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import clock
from .models import AuditAction, AuditLog

# Bookkeeping fields that are not shown as changes.
UNTRACKED = {
    *("id", "version", "created_at", "updated_at", "created_by", "updated_by"),
    *("password", "last_login"),
}


def _tracked_fields(instance: models.Model) -> list[models.Field]:
    untracked = UNTRACKED | set(getattr(instance, "history_exclude", ()))
    return [
        f
        for f in instance._meta.concrete_fields
        if f.name not in untracked and not f.name.endswith("_pinyin")
    ]


def _display(instance: models.Model, field: models.Field) -> str:
    """A stable text for a value: related records by their name, choices by their raw value."""
    if field.is_relation:
        if getattr(instance, field.attname) is None:
            return ""
        related = getattr(instance, field.name)
        if hasattr(related, "name_en"):  # reference entries: one stable name, whatever the
            return related.name  # language of the person who made the change
        return str(related)
    value = getattr(instance, field.attname)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal) and value.is_finite():
        # As the column stores it: "3" from a form and "3.000" from the database are one value.
        try:
            return str(value.quantize(Decimal(1).scaleb(-field.decimal_places)))
        except InvalidOperation:
            return str(value)
    return str(value)


def snapshot(instance: models.Model) -> dict[str, str]:
    return {f.name: _display(instance, f) for f in _tracked_fields(instance)}


def diff(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": name, "old": before.get(name, ""), "new": value}
        for name, value in after.items()
        if before.get(name, "") != value
    ]


def log_event(
    *,
    action: str,
    user: Any = None,
    instance: models.Model | None = None,
    changes: list[dict[str, str]] | None = None,
    parent: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    username: str = "",
    ip: str | None = None,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        user=user if getattr(user, "pk", None) else None,
        username=username or getattr(user, "username", "") or "",
        ip=ip,
        changes=changes or [],
        detail=detail or {},
    )
    if isinstance(getattr(instance, "version", None), int):
        # The version the event left the record at: a conflict lists what came after.
        entry.record_version = instance.version  # type: ignore[union-attr]
    if instance is not None:
        entry.content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
        entry.object_id = instance.pk
        entry.object_repr = str(instance)[:300]
    if parent is not None:
        entry.parent_type = ContentType.objects.get_for_model(parent, for_concrete_model=True)
        entry.parent_id = parent.pk
    entry.save()
    return entry


def log_create(
    *,
    user: Any,
    instance: models.Model,
    parent: models.Model | None = None,
    extra_changes: list[dict[str, str]] | None = None,
) -> None:
    """`extra_changes`: what the snapshot cannot see (many-to-many sets), as diff rows."""
    changes = diff({}, snapshot(instance)) + list(extra_changes or [])
    log_event(
        action=AuditAction.CREATE, user=user, instance=instance, changes=changes, parent=parent
    )


def log_update(
    *,
    user: Any,
    instance: models.Model,
    before: dict[str, str],
    parent: models.Model | None = None,
    action: str = AuditAction.UPDATE,
    detail: dict[str, Any] | None = None,
    extra_changes: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Log the diff against `before`; nothing is logged when nothing changed."""
    changes = diff(before, snapshot(instance)) + list(extra_changes or [])
    if changes or detail:
        log_event(
            action=action,
            user=user,
            instance=instance,
            changes=changes,
            parent=parent,
            detail=detail,
        )
    return changes


def field_label(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except Exception:  # a field removed since the entry was written
        return name
    if not field.concrete and field.related_model is not None:  # e.g. a contract's lines
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


def value_label(model: type[models.Model], name: str, raw: str) -> str:
    """Render a stored raw value in the reader's language (choices, booleans)."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return raw
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.BooleanField) and raw in {"0", "1"}:
        from django.utils.translation import gettext

        return gettext("Yes") if raw == "1" else gettext("No")
    return raw


def stamp(instance: models.Model, actor: Any, *, new: bool) -> None:
    """Set created_*/updated_* before a save."""
    now = clock.now()
    actor = actor if getattr(actor, "pk", None) else None
    instance.updated_at = now  # type: ignore[attr-defined]
    instance.updated_by = actor  # type: ignore[attr-defined]
    if new:
        instance.created_at = now  # type: ignore[attr-defined]
        instance.created_by = actor  # type: ignore[attr-defined]


def change_rows(entry: Any) -> list[dict[str, str]]:
    """An audit entry's field changes with labels and values in the reader's language."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    for change in entry.changes or []:
        if not isinstance(change, dict):
            continue
        name = str(change.get("field", ""))
        old, new = str(change.get("old", "")), str(change.get("new", ""))
        if model is not None:
            rows.append(
                {
                    "field": field_label(model, name),
                    "old": value_label(model, name, old),
                    "new": value_label(model, name, new),
                }
            )
        else:
            rows.append({"field": name, "old": old, "new": new})
    return rows


def history_rows(entries: Any) -> list[dict[str, Any]]:
    """Audit entries ready for a history table: the entry, what kind of record, its changes."""
    rows = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        rows.append(
            {
                "entry": entry,
                "kind": model._meta.verbose_name if model is not None else "",
                "changes": change_rows(entry),
            }
        )
    return rows
