"""Reads of feedback, service requests and care actions, already limited to the reader's
scope, plus the churn warning and lost lists. A record outside the scope is not there:
`access_*` raise Http404, lists leave it out.

A feedback entry, request or care action concerns several people: the customer's owner,
whoever it is assigned to or reported by, whoever entered it. It is visible when the
reader's scope for the module covers any of them (`any_owner_scope_q`), so a salesperson
sees the complaints about their customers and an agent the requests in their queue.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.accounts.scoping import NOTHING, any_owner_scope_q
from guanxi.common import clock
from guanxi.common.lookups import date_or_none, get_or_404, id_or_none, in_date_range
from guanxi.common.search import search_q
from guanxi.common.selectors import object_history
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_scope_q
from guanxi.sales.enums import ContractStatus, TaskStatus
from guanxi.sales.models import Contract, SalesRecord, Task

from .enums import OPEN_STATUSES, CareKind, CareStatus, RequestStatus, SlaState
from .models import CareAction, Feedback, ServiceRequest, ServiceSettings

LIVE_CUSTOMER = Q(customer__deleted_at__isnull=True)


def _scoped(reader: Any, module: str, fields: tuple[str, ...]) -> Q:
    q = any_owner_scope_q(reader, module, fields)
    return NOTHING if q == NOTHING else q & LIVE_CUSTOMER


def service_settings() -> ServiceSettings:
    obj, _created = ServiceSettings.objects.get_or_create(pk=1)
    return obj


# --- feedback ----------------------------------------------------------------------------


def feedback_scope_q(reader: Any) -> Q:
    return _scoped(reader, Module.FEEDBACK, ("reported_by", "created_by", "customer__owner"))


def feedback_list(
    *, reader: Any, search: str = "", filters: dict[str, Any] | None = None
) -> QuerySet[Feedback]:
    qs = Feedback.objects.filter(feedback_scope_q(reader)).select_related(
        "customer", "contact", "channel", "reported_by", "created_by"
    )
    if (search or "").strip():
        qs = qs.filter(search_q(Feedback, search))
    filters = filters or {}
    for name in ("customer", "channel", "reported_by", "contact"):
        value = id_or_none(filters.get(name))
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    qs = in_date_range(qs, filters, "date")
    return qs.order_by("-date", "-id")


def access_feedback(*, reader: Any, pk: Any) -> Feedback:
    qs = Feedback.objects.filter(feedback_scope_q(reader)).select_related(
        "customer", "contact", "channel", "reported_by", "created_by", "updated_by"
    )
    return get_or_404(qs, pk)


# --- service requests --------------------------------------------------------------------


def request_scope_q(reader: Any) -> Q:
    return _scoped(reader, Module.SERVICE_REQUESTS, ("assignee", "created_by", "customer__owner"))


def sla_q(state: str, now: datetime.datetime) -> Q:
    """Requests in an SLA state at `now` (see ServiceRequest.sla_state)."""
    unresolved = Q(resolved_at__isnull=True)
    breached = Q(resolved_at__gt=F("due_at")) | unresolved & Q(due_at__lt=now)
    if state == SlaState.BREACHED:
        return breached
    if state == SlaState.AT_RISK:
        return unresolved & Q(at_risk_at__lte=now, due_at__gte=now)
    if state == SlaState.ON_TIME:
        return Q(resolved_at__lte=F("due_at")) | unresolved & Q(at_risk_at__gt=now)
    return Q()


NUMBER = re.compile(r"SR-\d{4}-\d{5,}", re.IGNORECASE)
REQUEST_ORDERINGS = {"-id", "id", "due_at", "-due_at", "priority", "-updated_at", "number"}
PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def request_list(
    *,
    reader: Any,
    search: str = "",
    filters: dict[str, Any] | None = None,
    ordering: str = "-id",
    now: datetime.datetime | None = None,
) -> QuerySet[ServiceRequest]:
    """Requests in the reader's scope. Filters: status (one or a list; "open" for the three
    open ones), priority, type, customer, assignee ("none": unassigned), complaint (yes/no),
    sla (on_time/at_risk/breached), created_from/created_to."""
    now = now or clock.now()
    qs = ServiceRequest.objects.filter(request_scope_q(reader)).select_related(
        "customer", "type", "assignee", "complaint_category"
    )
    search = (search or "").strip()
    if NUMBER.fullmatch(search):  # a whole request number: the unique index, not a scan
        qs = qs.filter(number=search.upper())
    elif search:
        qs = qs.filter(
            Q(number__icontains=search)
            | Q(subject__icontains=search)
            | Q(description__icontains=search)
            | Q(customer__name__icontains=search)
        )
    filters = filters or {}
    status = filters.get("status")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif isinstance(status, (list, tuple)):
        qs = qs.filter(status__in=[s for s in status if s in RequestStatus.values])
    elif status in RequestStatus.values:
        qs = qs.filter(status=status)
    if filters.get("priority") in {"low", "normal", "high", "urgent"}:
        qs = qs.filter(priority=filters["priority"])
    for name in ("type", "customer", "product", "contract"):
        value = id_or_none(filters.get(name))
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    assignee = filters.get("assignee")
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif id_or_none(assignee) is not None:
        qs = qs.filter(assignee_id=id_or_none(assignee))
    complaint = str(filters.get("complaint", "")).lower()
    if complaint in {"1", "true", "yes"}:
        qs = qs.filter(type__is_complaint=True)
    elif complaint in {"0", "false", "no"}:
        qs = qs.filter(type__is_complaint=False)
    if filters.get("sla") in SlaState.values:
        qs = qs.filter(sla_q(filters["sla"], now))
    created_from = date_or_none(filters.get("created_from"))
    created_to = date_or_none(filters.get("created_to"))
    if created_from:
        qs = qs.filter(created_at__date__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__date__lte=created_to)
    if ordering not in REQUEST_ORDERINGS:
        ordering = "-id"
    if ordering == "priority":
        from django.db.models import Case, IntegerField, Value, When

        rank = Case(
            *[When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()],
            output_field=IntegerField(),
        )
        return qs.order_by(rank, "due_at", "id")
    return qs.order_by(ordering, "-id" if ordering.startswith("-") else "id")


def my_queue(*, reader: Any) -> QuerySet[ServiceRequest]:
    """The agent's open requests, the most urgent due time first."""
    return (
        ServiceRequest.objects.filter(
            request_scope_q(reader), assignee=reader, status__in=OPEN_STATUSES
        )
        .select_related("customer", "type", "assignee")
        .order_by("due_at", "id")
    )


def can_dispatch(reader: Any) -> bool:
    """Service managers (the `approve` right on requests) assign requests to anyone and read
    the team queue."""
    return can(reader, Module.SERVICE_REQUESTS, Action.APPROVE)


def team_queue(*, reader: Any, assignee: Any = None) -> QuerySet[ServiceRequest]:
    """Open requests in the manager's scope, unassigned ones first, then by due time."""
    if not can_dispatch(reader):
        return ServiceRequest.objects.none()
    qs = ServiceRequest.objects.filter(request_scope_q(reader), status__in=OPEN_STATUSES)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif id_or_none(assignee) is not None:
        qs = qs.filter(assignee_id=id_or_none(assignee))
    return qs.select_related("customer", "type", "assignee").order_by(
        F("assignee_id").asc(nulls_first=True), "due_at", "id"
    )


def team_load(*, reader: Any) -> list[dict[str, Any]]:
    """Open requests per assignee in the manager's scope (one grouped query)."""
    if not can_dispatch(reader):
        return []
    now = clock.now()
    return list(
        ServiceRequest.objects.filter(request_scope_q(reader), status__in=OPEN_STATUSES)
        .values("assignee_id", "assignee__username", "assignee__display_name")
        .annotate(
            open=Count("id"),
            breached=Count("id", filter=Q(due_at__lt=now)),
            at_risk=Count("id", filter=Q(at_risk_at__lte=now, due_at__gte=now)),
        )
        .order_by(F("assignee_id").asc(nulls_first=True))
    )


def access_request(*, reader: Any, pk: Any) -> ServiceRequest:
    qs = ServiceRequest.objects.filter(request_scope_q(reader)).select_related(
        "customer",
        "customer__owner",
        "contact",
        "type",
        "complaint_category",
        "contract",
        "product",
        "assignee",
        "created_by",
        "updated_by",
    )
    return get_or_404(qs, pk)


def request_history(*, request: ServiceRequest):
    return object_history(request)


# --- care --------------------------------------------------------------------------------


def care_scope_q(reader: Any) -> Q:
    return _scoped(reader, Module.CARE, ("assignee", "customer__owner"))


CARE_VIEWS = ("due", "upcoming", "done", "all")


def care_list(
    *,
    reader: Any,
    view: str = "due",
    filters: dict[str, Any] | None = None,
    today: datetime.date | None = None,
    search: str = "",
) -> QuerySet[CareAction]:
    """due: to do by today; upcoming: to do later; done: done or skipped; all."""
    today = today or clock.localdate()
    qs = CareAction.objects.filter(care_scope_q(reader)).select_related(
        "customer", "contact", "holiday", "contract", "assignee"
    )
    if view == "due":
        qs = qs.filter(status=CareStatus.PENDING, due_date__lte=today).order_by("due_date", "id")
    elif view == "upcoming":
        qs = qs.filter(status=CareStatus.PENDING, due_date__gt=today).order_by("due_date", "id")
    elif view == "done":
        qs = qs.exclude(status=CareStatus.PENDING).order_by("-finished_at", "-id")
    else:
        qs = qs.order_by("-due_date", "-id")
    filters = filters or {}
    if filters.get("kind") in CareKind.values:
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status") in CareStatus.values:
        qs = qs.filter(status=filters["status"])
    for name in ("customer", "assignee"):
        value = id_or_none(filters.get(name))
        if value is not None:
            qs = qs.filter(**{f"{name}_id": value})
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(contact__name__icontains=search)
            | Q(note__icontains=search)
        )
    return qs


def access_care(*, reader: Any, pk: Any) -> CareAction:
    qs = CareAction.objects.filter(care_scope_q(reader)).select_related(
        "customer", "contact", "holiday", "contract", "assignee", "created_by", "updated_by"
    )
    return get_or_404(qs, pk)


# --- churn warning and lost customers ----------------------------------------------------

# Contracts that are an order: anything past the draft, except a rejected one.
ORDER_STATUSES = (
    ContractStatus.PENDING,
    ContractStatus.APPROVED,
    ContractStatus.EXECUTING,
    ContractStatus.COMPLETED,
    ContractStatus.TERMINATED,
)


def churn_cutoff(today: datetime.date, days: int) -> datetime.date:
    """The first day that still counts as recent: a customer whose last order or contact is
    before it has gone `days` days or more without either."""
    return today - datetime.timedelta(days=days - 1)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def churn_queryset(*, today: datetime.date, days: int) -> QuerySet[Customer]:
    """Active customers with no order (contract signed or entered, sales record) and no
    recorded contact (feedback, task done) on or after the cutoff, and known to us since
    before it. Unscoped: callers add the reader's scope."""
    cutoff = churn_cutoff(today, days)
    since = _start_of(cutoff)
    customer = OuterRef("pk")
    recent_contract = Contract.objects.filter(
        Q(customer=customer, status__in=ORDER_STATUSES)
        & (Q(signed_on__gte=cutoff) | Q(signed_on__isnull=True, created_at__gte=since))
    )
    recent_record = SalesRecord.objects.filter(customer=customer, date__gte=cutoff)
    recent_feedback = Feedback.objects.filter(customer=customer, date__gte=cutoff)
    recent_task = Task.objects.filter(customer=customer, status=TaskStatus.DONE, date__gte=cutoff)
    return Customer.objects.filter(status=CustomerStatus.ACTIVE, created_at__lt=since).filter(
        ~Exists(recent_contract),
        ~Exists(recent_record),
        ~Exists(recent_feedback),
        ~Exists(recent_task),
    )


def with_last_activity(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate last_order and last_contact dates (evaluated for the rows of a page)."""
    customer = OuterRef("pk")
    last_contract = Subquery(
        Contract.objects.filter(customer=customer, status__in=ORDER_STATUSES)
        .annotate(day=Coalesce("signed_on", "created_at__date"))
        .order_by("-day")
        .values("day")[:1]
    )
    last_record = Subquery(
        SalesRecord.objects.filter(customer=customer).order_by("-date").values("date")[:1]
    )
    last_feedback = Subquery(
        Feedback.objects.filter(customer=customer).order_by("-date").values("date")[:1]
    )
    last_task = Subquery(
        Task.objects.filter(customer=customer, status=TaskStatus.DONE)
        .order_by("-date")
        .values("date")[:1]
    )
    return qs.annotate(
        last_contract=last_contract,
        last_record=last_record,
        last_feedback=last_feedback,
        last_task=last_task,
    )


def last_activity(customer: Customer) -> dict[str, datetime.date | None]:
    """The annotated dates of `with_last_activity` as last order / last contact."""
    orders = [d for d in (customer.last_contract, customer.last_record) if d]
    contacts = [d for d in (customer.last_feedback, customer.last_task) if d]
    order = max(orders) if orders else None
    contact = max(contacts) if contacts else None
    return {"last_order": order, "last_contact": contact}


def churn_list(
    *, reader: Any, today: datetime.date | None = None, days: int | None = None, search: str = ""
) -> QuerySet[Customer]:
    today = today or clock.localdate()
    days = days or service_settings().churn_days
    qs = churn_queryset(today=today, days=days).filter(customer_scope_q(reader))
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return with_last_activity(qs.select_related("owner", "region")).order_by("-id")


def lost_list(*, reader: Any, search: str = "") -> QuerySet[Customer]:
    """Lost customers in scope, with how many win-back actions are open for each."""
    open_win_back = (
        CareAction.objects.filter(
            customer=OuterRef("pk"), kind=CareKind.WIN_BACK, status=CareStatus.PENDING
        )
        .order_by()
        .values("customer")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = Customer.objects.filter(customer_scope_q(reader), status=CustomerStatus.LOST)
    search = (search or "").strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return (
        qs.select_related("owner", "region")
        .annotate(open_win_back=Coalesce(Subquery(open_win_back), 0))
        .order_by(F("lost_at").desc(nulls_last=True), "-id")
    )
