"""The one place the application asks what time it is.

Everything that needs "now" or "today" (services, selectors, pages, the demo) asks here, so
there is one seam to reason about: the tests move it with time-machine (which also moves
`timezone.now` used by model field defaults), and a reader of the code finds every
dependency on the wall clock by one name. "Today" is the day in the current time zone
(settings.TIME_ZONE, Beijing by default), not the UTC date: between 00:00 and 08:00 in
Beijing the two differ.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment, timezone-aware (UTC), like `timezone.now()`."""
    return timezone.now()


def localtime(value: datetime.datetime | None = None) -> datetime.datetime:
    """`value` (default: now) in the current time zone."""
    return timezone.localtime(value if value is not None else now())


def localdate() -> datetime.date:
    """Today in the current time zone."""
    return localtime().date()


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the current time zone, aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def start_of_today() -> datetime.datetime:
    return start_of_day(localdate())
