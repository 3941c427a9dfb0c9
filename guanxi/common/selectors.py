"""Reads of the audit log: a record's history, and the filtered log for auditors.

Who may read which record's history is decided before these are called (the record was
fetched through its own scoped selector; the audit page needs audit.view)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditLog


def object_history(instance: models.Model, *, with_children: bool = False) -> QuerySet[AuditLog]:
    """The record's entries, newest first; with_children adds those of records filed under
    it (a customer's contacts)."""
    ct = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    q = Q(content_type=ct, object_id=instance.pk)
    if with_children:
        q |= Q(parent_type=ct, parent_id=instance.pk)
    return AuditLog.objects.filter(q).select_related("user", "content_type").order_by("-at", "-id")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(
    *,
    action: str = "",
    username: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditLog]:
    entries = AuditLog.objects.select_related("user", "content_type").order_by("-at", "-id")
    if action:
        entries = entries.filter(action=action)
    if username:
        entries = entries.filter(username=username.strip())
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return entries
