"""Writing notifications. `notify` is idempotent: the same (recipient, key) is stored once,
however often the scheduled work or a retried request asks for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction

from guanxi.common import clock

from .models import Notification


@dataclass
class Note:
    """One notification to send: to whom, what kind, about what."""

    recipient_id: int
    kind: str
    key: str
    subject: str = ""
    params: dict[str, Any] = field(default_factory=dict)


def notify(notes: Iterable[Note]) -> int:
    """Store the notifications that are not stored yet; return how many were new. `notes`
    may be a generator over a large table: it is read 500 at a time, never held whole."""
    created = 0
    stream = iter(notes)
    # Look the keys up per chunk: a conflict-free bulk insert of the rest, and a count that
    # is exact without relying on the database to report ignored rows. A repeat in a later
    # chunk finds the row an earlier chunk stored.
    while batch := list(islice(stream, 500)):
        # The key as stored (the column holds 200 characters), so a long key is found next
        # time.
        chunk = list({(n.recipient_id, n.key[:200]): n for n in batch if n.recipient_id}.values())
        for n in chunk:
            n.key = n.key[:200]
        if not chunk:
            continue
        existing = set(
            Notification.objects.filter(
                recipient_id__in={n.recipient_id for n in chunk},
                key__in={n.key for n in chunk},
            ).values_list("recipient_id", "key")
        )
        fresh = [n for n in chunk if (n.recipient_id, n.key) not in existing]
        if not fresh:
            continue
        now = clock.now()
        rows = [
            Notification(
                recipient_id=n.recipient_id,
                kind=n.kind,
                key=n.key,
                subject=n.subject[:300],
                params=n.params,
                created_at=now,
            )
            for n in fresh
        ]
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows)
            created += len(rows)
        except IntegrityError:
            # Another run stored some of them meanwhile: fall back to one at a time.
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save()
                    created += 1
                except IntegrityError:
                    pass
    return created


def mark_read(*, reader: Any, ids: Iterable[Any] | None = None) -> int:
    """Mark the reader's own notifications read (all unread ones when `ids` is None). Someone
    else's ids are simply not touched."""
    qs = Notification.objects.filter(recipient=reader, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=_clean_ids(ids))
    return qs.update(read_at=clock.now())


def mark_unread(*, reader: Any, ids: Iterable[Any]) -> int:
    return Notification.objects.filter(
        recipient=reader, pk__in=_clean_ids(ids), read_at__isnull=False
    ).update(read_at=None)


def _clean_ids(ids: Iterable[Any]) -> list[int]:
    """The ids that are whole numbers; anything else is ignored."""
    clean = []
    for value in ids:
        try:
            clean.append(int(value))
        except (TypeError, ValueError):
            continue
    return clean
