"""The scheduled work: care generation, churn detection, due-time checks and the reminders of
the notification centre. `run_scheduled` calls every step; each step is idempotent — what it
makes carries a key (CareAction.key, Notification.key) that is made once, so running it twice,
or twice at the same time, gives the same result as running it once.

Run it with `manage.py run_scheduled` every 15 minutes to an hour (see the README).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from guanxi.accounts.enums import Action, Module, Scope
from guanxi.accounts.models import User
from guanxi.accounts.rules import can, scope_of
from guanxi.accounts.scoping import owner_in_scope, reader_subtree_ids
from guanxi.common import clock
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Contact, Customer
from guanxi.notifications.models import NotificationKind
from guanxi.notifications.services import Note, notify
from guanxi.reference.models import Holiday
from guanxi.sales.enums import ContractStatus, TaskStatus
from guanxi.sales.models import Contract, Task

from .enums import OPEN_STATUSES, CareKind, CareStatus
from .models import CareAction, ServiceRequest, ServiceSettings
from .selectors import churn_queryset, service_settings

BATCH = 1000
# A follow-up whose day passed more than this long ago is not made any more: the first run
# on an old database does not flood the owners with stale work.
FOLLOW_UP_GRACE_DAYS = 30


def _insert(actions: Iterable[CareAction]) -> int:
    """Store the actions whose key is new; return how many were stored. `actions` may be a
    generator (a greeting for each of a million customers): it is read a batch at a time."""
    created = 0
    stream = iter(actions)
    while chunk := list(islice(stream, BATCH)):
        keys = [a.key for a in chunk]
        existing = set(CareAction.objects.filter(key__in=keys).values_list("key", flat=True))
        fresh = [a for a in chunk if a.key not in existing]
        if not fresh:
            continue
        try:
            with transaction.atomic():
                CareAction.objects.bulk_create(fresh)
            created += len(fresh)
        except IntegrityError:  # a concurrent run got there first: one at a time
            for action in fresh:
                try:
                    with transaction.atomic():
                        action.save()
                    created += 1
                except IntegrityError:
                    pass
    return created


def _new_action(now: datetime.datetime, **fields: Any) -> CareAction:
    return CareAction(created_at=now, updated_at=now, status=CareStatus.PENDING, **fields)


def generate_follow_ups(*, today: datetime.date, settings: ServiceSettings, now) -> int:
    """One follow-up per completed contract, due `follow_up_days` after completion, made
    `care_lead_days` ahead of that day."""
    days = datetime.timedelta(days=settings.follow_up_days)
    latest = today + datetime.timedelta(days=settings.care_lead_days) - days
    earliest = today - datetime.timedelta(days=FOLLOW_UP_GRACE_DAYS) - days
    contracts = (
        Contract.objects.filter(
            status=ContractStatus.COMPLETED,
            completed_on__gte=earliest,
            completed_on__lte=latest,
            customer__deleted_at__isnull=True,
            customer__owner__isnull=False,
        )
        .exclude(customer__status=CustomerStatus.LOST)
        .values_list("pk", "customer_id", "customer__owner_id", "completed_on")
    )
    actions = (
        _new_action(
            now,
            customer_id=customer_id,
            contract_id=pk,
            kind=CareKind.FOLLOW_UP,
            due_date=completed_on + days,
            assignee_id=owner_id,
            key=f"follow_up:{pk}",
        )
        for pk, customer_id, owner_id, completed_on in contracts.iterator()
    )
    return _insert(actions)


def _days_ahead(today: datetime.date, lead: int) -> list[datetime.date]:
    return [today + datetime.timedelta(days=n) for n in range(lead + 1)]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def generate_birthdays(*, today: datetime.date, settings: ServiceSettings, now) -> int:
    """A greeting for each contact whose birthday falls in the next `care_lead_days` days
    (29 February is greeted on the 28th in a common year)."""
    days = _days_ahead(today, settings.care_lead_days)
    match = Q(pk__in=[])
    for day in days:
        match |= Q(birthday__month=day.month, birthday__day=day.day)
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            match |= Q(birthday__month=2, birthday__day=29)
    contacts = (
        Contact.objects.filter(match)
        .filter(customer__deleted_at__isnull=True, customer__owner__isnull=False)
        .exclude(customer__status=CustomerStatus.LOST)
        .values_list("pk", "customer_id", "customer__owner_id", "birthday")
    )
    actions = []
    for pk, customer_id, owner_id, birthday in contacts.iterator():
        for day in days:
            if (birthday.month, birthday.day) == (day.month, day.day) or (
                (birthday.month, birthday.day) == (2, 29)
                and (day.month, day.day) == (2, 28)
                and not _is_leap(day.year)
            ):
                actions.append(
                    _new_action(
                        now,
                        customer_id=customer_id,
                        contact_id=pk,
                        kind=CareKind.BIRTHDAY,
                        due_date=day,
                        assignee_id=owner_id,
                        key=f"birthday:{pk}:{day.year}",
                    )
                )
                break
    return _insert(actions)


def generate_holidays(*, today: datetime.date, settings: ServiceSettings, now) -> int:
    """A greeting for every active customer for each active holiday in the next
    `care_lead_days` days, to their primary contact when there is one."""
    horizon = today + datetime.timedelta(days=settings.care_lead_days)
    created = 0
    for holiday in Holiday.objects.filter(is_active=True):
        occurrence = None
        for year in {today.year, horizon.year}:
            day = holiday.occurrence(year)
            if day is not None and today <= day <= horizon:
                occurrence = day
        if occurrence is None:
            continue
        primary = Subquery(
            Contact.objects.filter(customer=OuterRef("pk"), is_primary=True)
            .order_by("pk")
            .values("pk")[:1]
        )
        customers = (
            Customer.objects.filter(status=CustomerStatus.ACTIVE, owner__isnull=False)
            .annotate(primary=primary)
            .values_list("pk", "owner_id", "primary")
            .order_by("pk")
        )
        actions = (
            _new_action(
                now,
                customer_id=pk,
                contact_id=contact_id,
                holiday_id=holiday.pk,
                kind=CareKind.HOLIDAY,
                due_date=occurrence,
                assignee_id=owner_id,
                key=f"holiday:{holiday.pk}:{occurrence.year}:{pk}",
            )
            for pk, owner_id, contact_id in customers.iterator(chunk_size=BATCH)
        )
        created += _insert(actions)
    return created


# --- notifications -----------------------------------------------------------------------


def notify_tasks_due(*, today: datetime.date) -> int:
    tasks = Task.objects.filter(
        status=TaskStatus.PLANNED, date=today, customer__deleted_at__isnull=True
    ).values_list("pk", "salesperson_id", "purpose", "customer__name")
    return notify(
        Note(
            recipient_id=person,
            kind=NotificationKind.TASK_DUE,
            key=f"task-due:{pk}:{today.isoformat()}",
            subject=purpose,
            params={"id": pk, "customer": customer},
        )
        for pk, person, purpose, customer in tasks.iterator()
    )


def _approvers() -> list[User]:
    users = User.objects.filter(is_active=True).prefetch_related("roles")
    return [u for u in users if can(u, Module.CONTRACTS, Action.APPROVE)]


def _submitted(contract: Contract) -> datetime.datetime:
    # Imported or hand-edited data may lack the submission time; one such contract must not
    # stop the rest of the run.
    return contract.submitted_at or contract.updated_at or contract.created_at


def notify_approvals() -> int:
    """Every pending contract, to each approver who may decide on it (the approval queue's
    rule: in their scope, neither owned nor entered by them)."""
    pending = list(
        Contract.objects.filter(status=ContractStatus.PENDING, customer__deleted_at__isnull=True)
        .select_related("owner", "customer")
        .order_by("pk")
    )
    if not pending:
        return 0
    notes = []
    for approver in _approvers():
        for contract in pending:
            if approver.pk in (contract.owner_id, contract.created_by_id):
                continue
            if not owner_in_scope(approver, Module.CONTRACTS, contract.owner):
                continue
            notes.append(
                Note(
                    recipient_id=approver.pk,
                    kind=NotificationKind.APPROVAL_WAITING,
                    key=f"approval:{contract.pk}:{_submitted(contract).isoformat()}",
                    subject=contract.number,
                    params={"id": contract.pk, "customer": contract.customer.name},
                )
            )
    return notify(notes)


class _Dispatcher:
    """A user with the dispatch right and the people whose requests they may see (the
    request scope rule, `any_owner_scope_q`, evaluated in Python for the few of them)."""

    def __init__(self, user: User, departments: dict[int, int | None]) -> None:
        self.pk = user.pk
        self.scope = scope_of(user, Module.SERVICE_REQUESTS)
        self.subtree = set(reader_subtree_ids(user)) if self.scope == Scope.DEPARTMENT else set()
        self.departments = departments

    def sees(self, people: set[int]) -> bool:
        if self.scope == Scope.ALL:
            return True
        if self.pk in people:
            return True
        if self.scope == Scope.DEPARTMENT:
            return any(self.departments.get(p) in self.subtree for p in people)
        return False


def _dispatchers() -> list[_Dispatcher]:
    users = User.objects.filter(is_active=True).prefetch_related("roles")
    departments = dict(User.objects.values_list("pk", "department_id"))
    return [
        _Dispatcher(u, departments)
        for u in users
        if can(u, Module.SERVICE_REQUESTS, Action.APPROVE)
    ]


def notify_request_deadlines(*, now: datetime.datetime) -> int:
    """Open requests at risk notify their assignee (the dispatchers when unassigned); past
    their due time they notify the assignee and the dispatchers. Only dispatchers who may see
    the request are told. Once per due time."""
    dispatchers = _dispatchers()
    rows = (
        ServiceRequest.objects.filter(
            status__in=OPEN_STATUSES, at_risk_at__lte=now, customer__deleted_at__isnull=True
        )
        .values_list(
            "pk",
            "number",
            "assignee_id",
            "created_by_id",
            "customer__owner_id",
            "due_at",
            "customer__name",
        )
        .order_by("pk")
    )

    def notes() -> Iterable[Note]:
        for pk, number, assignee_id, author_id, owner_id, due_at, customer in rows.iterator():
            breached = due_at < now
            kind = (
                NotificationKind.REQUEST_BREACHED if breached else NotificationKind.REQUEST_AT_RISK
            )
            tag = "sr-breached" if breached else "sr-at-risk"
            people = {p for p in (assignee_id, author_id, owner_id) if p}
            watching = {d.pk for d in dispatchers if d.sees(people)}
            recipients = {assignee_id} if assignee_id else set(watching)
            if breached:
                recipients |= watching
            for person in recipients:
                yield Note(
                    recipient_id=person,
                    kind=kind,
                    key=f"{tag}:{pk}:{due_at.isoformat()}",
                    subject=number,
                    params={"id": pk, "customer": customer},
                )

    return notify(notes())


def notify_care_due(*, today: datetime.date) -> int:
    """Pending care actions due by today, to their assignee. A lost customer's greetings and
    follow-ups stay in the list (to skip with a note) but do not ring the bell; win-back
    actions do. Holiday greetings are many at once (one per active customer): they ring once
    per assignee, holiday and day, with how many there are."""
    pending = CareAction.objects.filter(
        status=CareStatus.PENDING, due_date__lte=today, customer__deleted_at__isnull=True
    ).exclude(Q(customer__status=CustomerStatus.LOST) & ~Q(kind=CareKind.WIN_BACK))
    single = (
        pending.exclude(kind=CareKind.HOLIDAY)
        .values_list("pk", "assignee_id", "kind", "due_date", "customer__name")
        .order_by("pk")
    )
    grouped = (
        pending.filter(kind=CareKind.HOLIDAY)
        .values("assignee_id", "holiday_id", "holiday__name", "due_date")
        .annotate(count=Count("id"))
        .order_by("assignee_id", "holiday_id", "due_date")
    )

    def notes() -> Iterable[Note]:
        for pk, person, kind, due, customer in single.iterator():
            yield Note(
                recipient_id=person,
                kind=NotificationKind.CARE_DUE,
                key=f"care-due:{pk}",
                subject=customer,
                params={"id": pk, "care": kind, "due": due.isoformat()},
            )
        for row in grouped.iterator():
            yield Note(
                recipient_id=row["assignee_id"],
                kind=NotificationKind.CARE_DUE,
                key=f"care-due-holiday:{row['holiday_id']}:{row['due_date'].isoformat()}",
                subject=row["holiday__name"] or "",
                params={
                    "care": CareKind.HOLIDAY,
                    "due": row["due_date"].isoformat(),
                    "count": row["count"],
                },
            )

    return notify(notes())


def notify_churn(*, today: datetime.date, settings: ServiceSettings) -> int:
    """Each customer on the churn list, to their owner, once per spell of silence: the key
    holds the day the warning period started, so a customer who is contacted and then falls
    silent again is warned again."""
    from .selectors import last_activity, with_last_activity

    qs = with_last_activity(
        churn_queryset(today=today, days=settings.churn_days).filter(owner__isnull=False)
    ).order_by("pk")

    def notes():  # a generator: notify reads it in chunks, never the whole list
        for customer in qs.iterator(chunk_size=BATCH):
            dates = last_activity(customer)
            last = max((d for d in dates.values() if d), default=None)
            since = last or timezone.localtime(customer.created_at).date()
            yield Note(
                recipient_id=customer.owner_id,
                kind=NotificationKind.CHURN_WARNING,
                key=f"churn:{customer.pk}:{since.isoformat()}",
                subject=customer.name,
                params={"id": customer.pk, "days": settings.churn_days},
            )

    return notify(notes())


def run_scheduled(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Every scheduled step, in order; returns how many new records each made."""
    now = now or clock.now()
    today = timezone.localtime(now).date()
    settings = service_settings()
    results = {
        "follow_ups": generate_follow_ups(today=today, settings=settings, now=now),
        "birthdays": generate_birthdays(today=today, settings=settings, now=now),
        "holidays": generate_holidays(today=today, settings=settings, now=now),
    }
    results["tasks_due"] = notify_tasks_due(today=today)
    results["approvals"] = notify_approvals()
    results["request_deadlines"] = notify_request_deadlines(now=now)
    results["care_due"] = notify_care_due(today=today)
    results["churn_warnings"] = notify_churn(today=today, settings=settings)
    return results
