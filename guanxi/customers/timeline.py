"""A customer's timeline: what happened with the customer, newest first, across modules.

Each kind of entry is a `.values()` queryset with the same columns (see `COLUMNS`); the
kinds the reader may see are combined with UNION ALL and ordered in the database, so a page
of the timeline is one LIMIT/OFFSET query however long the history is. Every kind is limited
by the reader's scope for its own module.

A new kind (feedback, service requests, care actions…) is one function registered with
`register_kind`: it receives the reader and the customer and returns
`qs.values(**row(...))`, or None when the reader may not see that module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Expression,
    F,
    IntegerField,
    Q,
    QuerySet,
    TimeField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common.models import AuditAction, AuditLog
from guanxi.sales.enums import ContractStatus, OpportunityStatus, PaymentMethod, TaskStatus
from guanxi.sales.models import Contract, Opportunity, Payment, StageChange, Task
from guanxi.sales.selectors import (
    contract_scope_q,
    opportunity_scope_q,
    payment_scope_q,
    task_scope_q,
)

from .models import Contact, Customer
from .selectors import contact_scope_q

TEXT = CharField()
MONEY = DecimalField(max_digits=16, decimal_places=2)

# The columns every kind yields, in this order (a UNION matches columns by position).
COLUMNS = (
    *("kind", "ref", "link", "at", "day", "clock"),
    *("heading", "detail", "extra", "state", "money", "person"),
)


PREFIX = "tl_"


def row(
    *,
    kind: str,
    ref: Any = "pk",
    link: Any = "pk",
    at: Any,
    day: Any = None,
    clock: Any = None,
    heading: Any = None,
    detail: Any = None,
    extra: Any = None,
    state: Any = None,
    money: Any = None,
    person: Any = None,
) -> dict[str, Expression]:
    """The keyword arguments of `.values()` for one kind. Strings name fields, None is an
    empty column; every column gets an explicit type so the UNION lines up."""

    def col(value: Any, output: Any) -> Expression:
        if value is None:
            # A typed NULL: PostgreSQL gives an untyped NULL the type text when the branches
            # before it are all NULL, and then refuses a date or number in a later branch.
            return Cast(Value(None), output_field=output)
        if isinstance(value, str):
            return F(value)
        return value

    columns = {
        "kind": Value(kind, output_field=TEXT),
        "ref": col(ref, IntegerField()),
        "link": col(link, IntegerField()),
        "at": col(at, DateTimeField()),
        "day": col(day, DateField()),
        "clock": col(clock, TimeField()),
        "heading": col(heading, TEXT),
        "detail": col(detail, TEXT),
        "extra": col(extra, TEXT),
        "state": col(state, TEXT),
        "money": col(money, MONEY),
        "person": col(person, TEXT),
    }
    # Aliased with a prefix: a model may have a field of a column's name (AuditLog.at,
    # CareAction.kind) and an annotation may not shadow a field. `describe` drops it.
    return {f"{PREFIX}{name}": value for name, value in columns.items()}


def day_start(field_name: str) -> Expression:
    """A date column as a timestamp (midnight), so dated records sort among timed ones."""
    return Cast(F(field_name), DateTimeField())


def person_name(path: str) -> Expression:
    """A user's display name, falling back to the username (User.__str__ in SQL)."""
    return Coalesce(NullIf(F(f"{path}__display_name"), Value("")), F(f"{path}__username"))


def reference_name(path: str) -> Expression:
    """A reference entry's name in the reader's language (ReferenceEntry.__str__ in SQL)."""
    if (get_language() or "").startswith("en"):
        return Coalesce(NullIf(F(f"{path}__name_en"), Value("")), F(f"{path}__name"))
    return F(f"{path}__name")


@dataclass
class TimelineKind:
    label: Any
    build: Callable[[Any, Any], QuerySet | None]
    # Labels for the `state` column's raw values (statuses, methods).
    states: dict[str, Any] = field(default_factory=dict)


TIMELINE_KINDS: dict[str, TimelineKind] = {}


def register_kind(
    key: str, label: Any, states: Any = ()
) -> Callable[[Callable[[Any, Any], QuerySet | None]], Callable[[Any, Any], QuerySet | None]]:
    """Decorator: add a kind of timeline entry."""

    def decorate(build: Callable[[Any, Any], QuerySet | None]):  # type: ignore[no-untyped-def]
        TIMELINE_KINDS[key] = TimelineKind(label=label, build=build, states=dict(states))
        return build

    return decorate


# --- the sales kinds ---------------------------------------------------------------------


@register_kind("task", _("Task"), TaskStatus.choices)
def _task(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.TASKS, Action.VIEW):
        return None
    return Task.objects.filter(task_scope_q(reader), customer=customer).values(
        **row(
            kind="task",
            at=day_start("date"),
            day="date",
            clock="time",
            heading="purpose",
            detail="result",
            extra=reference_name("work_method"),
            state="status",
            person=person_name("salesperson"),
        )
    )


@register_kind("opportunity", _("New opportunity"), OpportunityStatus.choices)
def _opportunity(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.OPPORTUNITIES, Action.VIEW):
        return None
    return Opportunity.objects.filter(opportunity_scope_q(reader), customer=customer).values(
        **row(
            kind="opportunity",
            at="created_at",
            heading="name",
            detail=reference_name("project_type"),
            state="status",
            money="amount",
            person=person_name("owner"),
        )
    )


@register_kind(
    "stage_change",
    _("Stage change"),
    [*OpportunityStatus.choices, ("reopened", pgettext_lazy("opportunity", "Reopened"))],
)
def _stage_change(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.OPPORTUNITIES, Action.VIEW):
        return None
    visible = Opportunity.objects.filter(opportunity_scope_q(reader), customer=customer)
    state = Case(
        When(
            to_status=OpportunityStatus.OPEN,
            from_status__in=[OpportunityStatus.WON, OpportunityStatus.LOST],
            then=Value("reopened"),
        ),
        default=F("to_status"),
        output_field=TEXT,
    )
    return (
        StageChange.objects.filter(opportunity__in=visible.values("pk"))
        # The first entry of each opportunity is its creation, already an entry of its own.
        .exclude(from_stage__isnull=True, from_status="")
        .values(
            **row(
                kind="stage_change",
                link="opportunity_id",
                at="changed_at",
                heading="opportunity__name",
                detail=reference_name("from_stage"),
                extra=reference_name("to_stage"),
                state=state,
                person=person_name("changed_by"),
            )
        )
    )


@register_kind("contract", _("Contract"), ContractStatus.choices)
def _contract(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.CONTRACTS, Action.VIEW):
        return None
    return Contract.objects.filter(contract_scope_q(reader), customer=customer).values(
        **row(
            kind="contract",
            at="created_at",
            heading="number",
            detail="title",
            state="status",
            money="total",
            person=person_name("owner"),
        )
    )


@register_kind("payment", _("Payment"), PaymentMethod.choices)
def _payment(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.PAYMENTS, Action.VIEW):
        return None
    return Payment.objects.filter(payment_scope_q(reader), contract__customer=customer).values(
        **row(
            kind="payment",
            link="contract_id",
            at=day_start("date"),
            day="date",
            heading="contract__number",
            detail="note",
            state="method",
            money="amount",
            person=person_name("created_by"),
        )
    )


# --- the customer's own kinds --------------------------------------------------------------


@register_kind("contact", _("Contact"))
def _contact(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.CONTACTS, Action.VIEW):
        return None
    return Contact.objects.filter(contact_scope_q(reader), customer=customer).values(
        **row(
            kind="contact",
            link="customer_id",
            at="created_at",
            heading="name",
            detail="department",
            extra=reference_name("job_title"),
            person=person_name("created_by"),
        )
    )


@register_kind("change", _("Change"), AuditAction.choices)
def _change(reader: Any, customer: Any) -> QuerySet | None:
    """Changes to the customer record and its contacts (the other records' changes are their
    own entries: a contract's approval, a request's resolution…)."""
    customer_type = ContentType.objects.get_for_model(Customer, for_concrete_model=True)
    contact_type = ContentType.objects.get_for_model(Contact, for_concrete_model=True)
    own = Q(content_type=customer_type, object_id=customer.pk)
    if can(reader, Module.CONTACTS, Action.VIEW):
        own |= Q(parent_type=customer_type, parent_id=customer.pk, content_type=contact_type) & ~Q(
            action=AuditAction.CREATE
        )
    return AuditLog.objects.filter(own).values(
        **row(
            kind="change",
            link=Value(customer.pk, output_field=IntegerField()),
            at="at",
            heading="object_repr",
            state="action",
            person=Coalesce(NullIf(F("user__display_name"), Value("")), F("username")),
        )
    )


# --- reading -----------------------------------------------------------------------------


def visible_kinds(*, reader: Any, customer: Any) -> list[str]:
    """The kinds the reader may see, in registration order (for the filter)."""
    return [key for key, kind in TIMELINE_KINDS.items() if kind.build(reader, customer) is not None]


def customer_timeline(*, reader: Any, customer: Any, kinds: Any = None) -> QuerySet:
    """The customer's entries the reader may see, newest first, as dicts with `COLUMNS`.
    `kinds` limits it to some kinds; unknown names are ignored (none known: all). Paginate
    the result: it is one UNION query, ordered and sliced in the database."""
    wanted = [k for k in TIMELINE_KINDS if k in set(kinds or ())] or list(TIMELINE_KINDS)
    parts = [
        qs.order_by()
        for key in wanted
        if (qs := TIMELINE_KINDS[key].build(reader, customer)) is not None
    ]
    if not parts:
        return Task.objects.none().values(**row(kind="task", at="created_at"))
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by(f"-{PREFIX}at", f"{PREFIX}kind", f"-{PREFIX}ref")


def describe(entries: Any) -> list[dict[str, Any]]:
    """Rows of a page with labels for their kind and state (no queries)."""
    rows = []
    for raw in entries:
        entry = {name.removeprefix(PREFIX): value for name, value in raw.items()}
        key = entry["kind"]
        kind = TIMELINE_KINDS.get(key)
        states = kind.states if kind else {}
        rows.append(
            {
                **entry,
                # Rendered now, in the reader's language (not lazily, whenever printed).
                "kind_label": str(kind.label) if kind else key,
                "state_label": str(states.get(entry["state"], entry["state"] or "")),
            }
        )
    return rows
