"""Reads of sales records, already limited to the reader's scope. A record outside it is not
there: `access_*` raise Http404, lists simply leave it out.

Scope follows the record's owner (opportunity and contract owner, task and sales-record
salesperson, a payment's contract owner) through `owner_scope_q`, the rule customers use.
Records of customers in the recycle bin are hidden with the customer.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can, scope_of
from guanxi.accounts.scoping import NOTHING, owner_scope_q
from guanxi.common import clock
from guanxi.common.lookups import date_or_none, get_or_404, id_or_none, in_date_range, int_or_none
from guanxi.common.search import search_q
from guanxi.common.selectors import object_history

from .enums import PAYABLE_STATUSES, ContractStatus, OpportunityStatus, TaskStatus
from .models import (
    Contract,
    Opportunity,
    Payment,
    Product,
    SalesRecord,
    SalesSettings,
    StageChange,
    Task,
)

LIVE_CUSTOMER = Q(customer__deleted_at__isnull=True)


def _filter_by(qs: QuerySet, filters: dict[str, Any], related=(), plain=()) -> QuerySet:
    """Apply equality filters; a value that is not an id for a related field is ignored
    rather than an error (lists never fail on a bad query string)."""
    for name in related:
        value = id_or_none(filters.get(name))
        if value is not None:
            qs = qs.filter(**{name: value})
    for name in plain:
        value = filters.get(name)
        if value not in (None, ""):
            qs = qs.filter(**{name: str(value)})
    return qs


def sales_settings() -> SalesSettings:
    obj, _created = SalesSettings.objects.get_or_create(pk=1)
    return obj


# --- opportunities -----------------------------------------------------------------------


def opportunity_scope_q(reader: Any) -> Q:
    q = owner_scope_q(reader, Module.OPPORTUNITIES)
    return NOTHING if q == NOTHING else q & LIVE_CUSTOMER


OPPORTUNITY_ORDERINGS = {
    "-id",
    "id",
    "name",
    "-name",
    "amount",
    "-amount",
    "expected_close_date",
    "-expected_close_date",
    "stage",
    "-stage",
    "-updated_at",
}


def opportunity_list(
    *,
    reader: Any,
    search: str = "",
    filters: dict[str, Any] | None = None,
    ordering: str = "-id",
) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.filter(opportunity_scope_q(reader)).select_related(
        "customer", "stage", "owner", "project_type", "lost_reason"
    )
    if search.strip():
        qs = qs.filter(search_q(Opportunity, search))
    filters = filters or {}
    qs = _filter_by(
        qs, filters, related=("stage", "owner", "customer", "project_type"), plain=("status",)
    )
    closing_from = date_or_none(filters.get("closing_from"))
    closing_to = date_or_none(filters.get("closing_to"))
    if closing_from:
        qs = qs.filter(expected_close_date__gte=closing_from)
    if closing_to:
        qs = qs.filter(expected_close_date__lte=closing_to)
    if ordering not in OPPORTUNITY_ORDERINGS:
        ordering = "-id"
    field = ordering.replace("stage", "stage__sort_order")
    if ordering.lstrip("-") == "id":
        return qs.order_by(field)
    # ties in the column's direction, so that one index on (column, id) reads the page in
    # order either way (a mixed "amount, -id" sorted every tie: all rows when most are NULL)
    return qs.order_by(field, "-id" if ordering.startswith("-") else "id")


def access_opportunity_by_id(*, reader: Any, opportunity_id: Any) -> Opportunity:
    qs = Opportunity.objects.filter(opportunity_scope_q(reader)).select_related(
        "customer",
        "stage",
        "owner",
        "project_type",
        "source",
        "lost_reason",
        "created_by",
        "updated_by",
    )
    return get_or_404(qs, opportunity_id)


BOARD_CARDS = 20
# With a filter the totals cannot answer (a customer, say), each column sums at most this
# many matching opportunities and says when it stopped there.
BOARD_AGGREGATE_CAP = 5000


def _cents(value: Any) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(Decimal("0.01"))


# What a card shows: read only these columns (a card query joins two tables, not six).
BOARD_CARD_FIELDS = (
    "id",
    "name",
    "amount",
    "probability",
    "version",
    "stage_id",
    "status",
    "updated_at",
    "customer__id",
    "customer__name",
    "owner__id",
    "owner__username",
    "owner__display_name",
)


def board_cursor(card: Opportunity) -> str:
    return f"{card.updated_at.isoformat()}|{card.pk}"


def parse_board_cursor(value: str) -> tuple[datetime.datetime, int]:
    """'<updated_at ISO>|<id>' of the last card shown; ValueError when it is not one."""
    when, _sep, pk = (value or "").partition("|")
    moment = datetime.datetime.fromisoformat(when)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("cursor without a time zone")
    number = int(pk)
    if not 0 < number < 2**63:
        raise ValueError("cursor id out of range")
    return moment, number


def _board_base(reader: Any, filters: dict[str, Any]) -> QuerySet[Opportunity]:
    return opportunity_list(reader=reader, filters={**filters, "status": OpportunityStatus.OPEN})


def opportunity_board_cards(
    *,
    reader: Any,
    stage: Any,
    filters: dict[str, Any] | None = None,
    after: tuple[datetime.datetime, int] | None = None,
    limit: int = BOARD_CARDS,
) -> tuple[list[Opportunity], bool]:
    """One column's cards, newest-updated first, `limit` after the `after` cursor (keyset on
    opp_board_recent_idx): (cards, whether more follow)."""
    filters = filters or {}
    qs = (
        Opportunity.objects.filter(
            opportunity_scope_q(reader), status=OpportunityStatus.OPEN, stage=stage
        )
        .select_related("customer", "owner")
        .only(*BOARD_CARD_FIELDS)
    )
    for name in ("owner", "customer"):
        value = id_or_none(filters.get(name))
        if value is not None:
            qs = qs.filter(**{name: value})
    if after is not None:
        moment, pk = after
        # "(updated_at, id) < (moment, pk)" spelt so that the planners see a range on the
        # index's column: the bare OR made SQLite merge two ranges and sort (0.6 s at 1M).
        qs = qs.filter(updated_at__lte=moment).filter(Q(updated_at__lt=moment) | Q(pk__lt=pk))
    cards = list(qs.order_by("-updated_at", "-id")[: limit + 1])
    return cards[:limit], len(cards) > limit


def _board_totals_from_summary(reader: Any, filters: dict[str, Any]) -> dict[int, dict]:
    from .models import OpportunityStageTotal

    q = owner_scope_q(reader, Module.OPPORTUNITIES)
    if q == NOTHING:
        return {}
    qs = OpportunityStageTotal.objects.filter(q)
    owner = id_or_none(filters.get("owner"))
    if owner is not None:
        qs = qs.filter(owner=owner)
    rows = (
        qs.order_by()
        .values("stage")
        .annotate(n=Sum("count"), cents=Sum("amount_cents"), weighted=Sum("weighted_cents"))
    )
    return {
        row["stage"]: {
            "count": int(row["n"] or 0),
            "amount": _cents(row["cents"]),
            "weighted": _cents(row["weighted"]),
            "capped": False,
        }
        for row in rows
    }


def _board_totals_bounded(
    reader: Any, filters: dict[str, Any], stages: list[Any]
) -> dict[int, dict]:
    """Per column, sum at most BOARD_AGGREGATE_CAP matching opportunities (one capped
    subquery per column, so no column reads more than that)."""
    totals = {}
    money = DecimalField(max_digits=24, decimal_places=4)
    base = _board_base(reader, filters)
    for stage in stages:
        capped_ids = base.filter(stage=stage).order_by("-updated_at", "-id").values("pk")
        row = Opportunity.objects.filter(pk__in=capped_ids[: BOARD_AGGREGATE_CAP + 1]).aggregate(
            n=Count("id"),
            sum_amount=Sum("amount"),
            sum_weighted=Sum(F("amount") * F("probability") / Value(100), output_field=money),
        )
        n = row["n"] or 0
        totals[stage.pk] = {
            "count": min(n, BOARD_AGGREGATE_CAP),
            "amount": Decimal(row["sum_amount"] or 0).quantize(Decimal("0.01")),
            "weighted": Decimal(row["sum_weighted"] or 0).quantize(Decimal("0.01")),
            "capped": n > BOARD_AGGREGATE_CAP,
        }
    return totals


def opportunity_board(
    *, reader: Any, filters: dict[str, Any] | None = None, per_stage: int = BOARD_CARDS
) -> list[dict[str, Any]]:
    """Open opportunities by active stage: one dict per column with the stage, its count,
    amount and weighted amount (`capped` when the count stopped at the bound), the newest
    `per_stage` cards and whether more follow.

    Without filters or with an owner the totals come from the summary rows (one small
    grouped query); with any other filter (a customer) from a bounded aggregate per column.
    Either way one query per column for the cards, whatever the number of opportunities."""
    from guanxi.reference.models import OpportunityStage

    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    stages = list(OpportunityStage.objects.filter(is_active=True).order_by("sort_order", "code"))
    from_summary = set(filters) <= {"owner"}
    totals = (
        _board_totals_from_summary(reader, filters)
        if from_summary
        else _board_totals_bounded(reader, filters, stages)
    )
    zero = Decimal("0.00")
    columns = []
    for stage in stages:
        cards, more = opportunity_board_cards(
            reader=reader, stage=stage, filters=filters, limit=per_stage
        )
        total = totals.get(
            stage.pk, {"count": 0, "amount": zero, "weighted": zero, "capped": False}
        )
        columns.append(
            {
                "stage": stage,
                **total,
                "cards": cards,
                "more": more,
                "cursor": board_cursor(cards[-1]) if more else "",
                "from_summary": from_summary,
            }
        )
    return columns


def stage_history(*, opportunity: Opportunity) -> QuerySet[StageChange]:
    return opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")


def opportunity_history(*, opportunity: Opportunity):
    return object_history(opportunity)


# --- tasks -------------------------------------------------------------------------------


def task_scope_q(reader: Any) -> Q:
    q = owner_scope_q(reader, Module.TASKS, "salesperson")
    return NOTHING if q == NOTHING else q & LIVE_CUSTOMER


TASK_PERIODS = ("today", "week", "overdue", "upcoming", "done")


def task_list(
    *,
    reader: Any,
    search: str = "",
    filters: dict[str, Any] | None = None,
    period: str = "",
    mine: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Task]:
    """Tasks in scope. `period`: today, week (Mon–Sun of this week), overdue (planned and
    before today), upcoming (planned, today onwards) or done."""
    today = today or clock.localdate()
    qs = Task.objects.filter(task_scope_q(reader)).select_related(
        "customer", "opportunity", "salesperson", "work_method"
    )
    if mine:
        qs = qs.filter(salesperson=reader)
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(purpose__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(location__icontains=search)
            | Q(result__icontains=search)
        )
    filters = filters or {}
    qs = _filter_by(
        qs,
        filters,
        related=("customer", "opportunity", "salesperson", "work_method"),
        plain=("status",),
    )
    ordering = ("date", "time", "id")
    if period == "today":
        qs = qs.filter(date=today)
    elif period == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        qs = qs.filter(date__gte=monday, date__lte=monday + datetime.timedelta(days=6))
    elif period == "overdue":
        qs = qs.filter(status=TaskStatus.PLANNED, date__lt=today)
    elif period == "upcoming":
        qs = qs.filter(status=TaskStatus.PLANNED, date__gte=today)
    elif period == "done":
        qs = qs.filter(status=TaskStatus.DONE)
        ordering = ("-date", "-time", "-id")
    else:
        ordering = ("-date", "-time", "-id")
    return qs.order_by(*ordering)


def access_task_by_id(*, reader: Any, task_id: Any) -> Task:
    qs = Task.objects.filter(task_scope_q(reader)).select_related(
        "customer", "opportunity", "salesperson", "work_method", "created_by", "updated_by"
    )
    return get_or_404(qs, task_id)


# --- products ----------------------------------------------------------------------------


def product_list(
    *, reader: Any, search: str = "", active: bool | None = None, category: str = ""
) -> QuerySet[Product]:
    if not can(reader, Module.PRODUCTS, Action.VIEW):
        return Product.objects.none()
    qs = Product.objects.all()
    if active is not None:
        qs = qs.filter(is_active=active)
    if category:
        qs = qs.filter(category=category)
    if search.strip():
        qs = qs.filter(search_q(Product, search))
    return qs.order_by("code")


def access_product_by_id(*, reader: Any, product_id: Any) -> Product:
    if not can(reader, Module.PRODUCTS, Action.VIEW):
        raise Http404
    return get_or_404(Product.objects.select_related("created_by", "updated_by"), product_id)


def product_categories() -> list[str]:
    return list(
        Product.objects.exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()[:200]
    )


# --- contracts ---------------------------------------------------------------------------


def contract_scope_q(reader: Any) -> Q:
    q = owner_scope_q(reader, Module.CONTRACTS)
    return NOTHING if q == NOTHING else q & LIVE_CUSTOMER


CONTRACT_ORDERINGS = {
    "-id",
    "id",
    "number",
    "-number",
    "total",
    "-total",
    "signed_on",
    "-signed_on",
}


def contract_list(
    *,
    reader: Any,
    search: str = "",
    filters: dict[str, Any] | None = None,
    ordering: str = "-id",
) -> QuerySet[Contract]:
    qs = Contract.objects.filter(contract_scope_q(reader)).select_related(
        "customer", "owner", "approver"
    )
    if search.strip():
        qs = qs.filter(search_q(Contract, search))
    filters = filters or {}
    qs = _filter_by(qs, filters, related=("owner", "customer", "opportunity"), plain=("status",))
    signed_from = date_or_none(filters.get("signed_from"))
    signed_to = date_or_none(filters.get("signed_to"))
    if signed_from:
        qs = qs.filter(signed_on__gte=signed_from)
    if signed_to:
        qs = qs.filter(signed_on__lte=signed_to)
    if filters.get("outstanding"):
        qs = qs.filter(status__in=PAYABLE_STATUSES, total__gt=F("paid"))
    if ordering not in CONTRACT_ORDERINGS:
        ordering = "-id"
    if ordering.lstrip("-") == "id":
        return qs.order_by(ordering)
    return qs.order_by(ordering, "-id" if ordering.startswith("-") else "id")  # as above


def access_contract_by_id(*, reader: Any, contract_id: Any) -> Contract:
    qs = Contract.objects.filter(contract_scope_q(reader)).select_related(
        "customer",
        "owner",
        "owner__department",
        "opportunity",
        "approver",
        "created_by",
        "updated_by",
    )
    return get_or_404(qs, contract_id)


def contract_lines(*, contract: Contract):
    return contract.lines.select_related("product").order_by("position", "id")


def contract_decisions(*, contract: Contract):
    return contract.decisions.select_related("approver").order_by("-decided_at", "-id")


def approval_queue(*, reader: Any) -> QuerySet[Contract]:
    """Contracts waiting for a decision the reader may take: pending, owned inside the
    reader's scope, and neither owned nor entered by the reader."""
    if not can(reader, Module.CONTRACTS, Action.APPROVE):
        return Contract.objects.none()
    return (
        Contract.objects.filter(contract_scope_q(reader), status=ContractStatus.PENDING)
        .exclude(owner=reader)
        .exclude(created_by=reader)
        .select_related("customer", "owner", "approver")
        .order_by("submitted_at", "id")
    )


def contract_history(*, contract: Contract):
    return object_history(contract, with_children=True)


# --- sales records -----------------------------------------------------------------------


def sales_record_scope_q(reader: Any) -> Q:
    q = owner_scope_q(reader, Module.SALES_RECORDS, "salesperson")
    return NOTHING if q == NOTHING else q & LIVE_CUSTOMER


def sales_record_list(*, reader: Any, filters: dict[str, Any] | None = None) -> QuerySet:
    qs = SalesRecord.objects.filter(sales_record_scope_q(reader)).select_related(
        "customer", "product", "contract", "salesperson"
    )
    filters = filters or {}
    for name in ("customer", "product", "salesperson", "contract"):
        value = int_or_none(filters.get(name))
        if value is not None:
            qs = qs.filter(**{name: value})
    qs = in_date_range(qs, filters, "date")
    return qs.order_by("-date", "-id")


def sales_record_totals(qs: QuerySet) -> dict[str, Any]:
    return qs.order_by().aggregate(
        quantity=Coalesce(Sum("quantity"), Value(Decimal("0")), output_field=DecimalField()),
        amount=Coalesce(Sum("amount"), Value(Decimal("0")), output_field=DecimalField()),
    )


def access_sales_record_by_id(*, reader: Any, record_id: Any) -> SalesRecord:
    qs = SalesRecord.objects.filter(sales_record_scope_q(reader)).select_related(
        "customer", "product", "contract", "salesperson", "created_by", "updated_by"
    )
    return get_or_404(qs, record_id)


# --- payments ----------------------------------------------------------------------------


def payment_scope_q(reader: Any) -> Q:
    q = owner_scope_q(reader, Module.PAYMENTS, "contract__owner")
    return NOTHING if q == NOTHING else q & Q(contract__customer__deleted_at__isnull=True)


def payment_list(*, reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[Payment]:
    qs = Payment.objects.filter(payment_scope_q(reader)).select_related(
        "contract", "contract__customer", "created_by"
    )
    filters = filters or {}
    contract = int_or_none(filters.get("contract"))
    if contract is not None:
        qs = qs.filter(contract=contract)
    customer = int_or_none(filters.get("customer"))
    if customer is not None:
        qs = qs.filter(contract__customer=customer)
    qs = in_date_range(qs, filters, "date")
    return qs.order_by("-date", "-id")


def access_payment_by_id(*, reader: Any, payment_id: Any) -> Payment:
    qs = Payment.objects.filter(payment_scope_q(reader)).select_related(
        "contract", "contract__customer", "created_by", "updated_by"
    )
    return get_or_404(qs, payment_id)


AGE_BUCKETS = ((0, 30), (31, 90), (91, 180), (181, 365), (366, None))


RECEIVABLE_ORDERING = ("-outstanding_cents", "customer", "owner")


def _receivable_scope_q(reader: Any) -> Q:
    """Both rules at once: the contract owner must be inside the reader's contract scope
    and inside their payment scope."""
    if scope_of(reader, Module.PAYMENTS) is None:
        return NOTHING
    contracts = owner_scope_q(reader, Module.CONTRACTS)
    payments = owner_scope_q(reader, Module.PAYMENTS)
    return NOTHING if NOTHING in (contracts, payments) else contracts & payments


def parse_receivable_cursor(value: str) -> tuple[int, int, int]:
    """'<outstanding cents>.<customer id>.<owner id>' of the last row shown."""
    parts = [int(p) for p in (value or "").split(".")]
    if len(parts) != 3 or not all(0 <= p < 2**63 for p in parts):
        raise ValueError("not a receivables cursor")
    return parts[0], parts[1], parts[2]


def receivable_cursor(row: dict[str, Any]) -> str:
    return f"{row['outstanding_cents']}.{row['customer']}.{row['owner']}"


def receivables(
    *,
    reader: Any,
    customer: Any = None,
    after: tuple[int, int, int] | None = None,
) -> QuerySet:
    """What is outstanding per customer and contract owner, the largest first, from the
    summary rows the contract and payment services keep (CustomerReceivable): no grouping of
    contracts, and keyset pages on receivable_order_idx. Rows are dicts; `receivable_ages`
    adds the amounts by age to the rows of one page."""
    from .models import CustomerReceivable

    q = _receivable_scope_q(reader)
    qs = CustomerReceivable.objects.filter(q, outstanding_cents__gt=0)
    customer_id = int_or_none(customer)
    if customer_id is not None:
        qs = qs.filter(customer=customer_id)
    if after is not None:
        cents, cust, owner = after
        qs = qs.filter(outstanding_cents__lte=cents).filter(  # a range the index can take
            Q(outstanding_cents__lt=cents)
            | Q(outstanding_cents=cents, customer__gt=cust)
            | Q(outstanding_cents=cents, customer=cust, owner__gt=owner)
        )
    return qs.values(
        "customer",
        "customer__name",
        "customer__code",
        "owner",
        "owner__display_name",
        "owner__username",
        "contracts",
        "outstanding_cents",
    ).order_by(*RECEIVABLE_ORDERING)


def receivable_totals(*, reader: Any, customer: Any = None) -> dict[str, Any]:
    """Total outstanding and contracts over the reader's scope, summed from the summary
    (one pass over the summary's rows in scope, joining nothing but the owners)."""
    from .models import CustomerReceivable

    qs = CustomerReceivable.objects.filter(_receivable_scope_q(reader), outstanding_cents__gt=0)
    customer_id = int_or_none(customer)
    if customer_id is not None:
        qs = qs.filter(customer=customer_id)
    row = qs.order_by().aggregate(cents=Sum("outstanding_cents"), contracts=Sum("contracts"))
    return {
        "outstanding": (Decimal(int(row["cents"] or 0)) / 100).quantize(Decimal("0.01")),
        "contracts": int(row["contracts"] or 0),
    }


def receivable_ages(
    *, reader: Any, rows: Any, today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """The rows of one page with `outstanding` in money and the amounts by age (days since
    the contract was signed, or entered when unsigned): one grouped query over the page's
    customers' contracts only."""
    today = today or clock.localdate()
    rows = [dict(row) for row in rows]
    zero = Decimal("0.00")
    for row in rows:
        row["oldest"] = None
        row["outstanding"] = (Decimal(int(row["outstanding_cents"])) / 100).quantize(
            Decimal("0.01")
        )
        for low, high in AGE_BUCKETS:
            row[f"age_{low}_{high or 'plus'}"] = zero
    if not rows:
        return rows
    money = DecimalField(max_digits=16, decimal_places=2)
    outstanding = F("total") - F("paid")
    buckets = {}
    for low, high in AGE_BUCKETS:
        cond = Q(age_date__lte=today - datetime.timedelta(days=low))
        if high is not None:
            cond &= Q(age_date__gte=today - datetime.timedelta(days=high))
        buckets[f"age_{low}_{high or 'plus'}"] = Sum(
            Case(When(cond, then=outstanding), default=Value(zero), output_field=money)
        )
    found = (
        Contract.objects.filter(
            customer__in={row["customer"] for row in rows},
            owner__in={row["owner"] for row in rows},
            status__in=PAYABLE_STATUSES,
            total__gt=F("paid"),
        )
        .annotate(age_date=Coalesce("signed_on", "created_at__date"))
        .order_by()
        .values("customer", "owner")
        .annotate(oldest=Min("age_date"), **buckets)
    )
    by_key = {(r.pop("customer"), r.pop("owner")): r for r in found}
    for row in rows:
        found_row = by_key.get((row["customer"], row["owner"]), {})
        row["oldest"] = found_row.pop("oldest", None)
        for key, value in found_row.items():
            row[key] = Decimal(value or 0).quantize(Decimal("0.01"))
    return rows


def open_opportunity_summary(*, reader: Any) -> dict[str, Any]:
    return (
        Opportunity.objects.filter(opportunity_scope_q(reader), status=OpportunityStatus.OPEN)
        .order_by()
        .aggregate(n=Count("id"), amount=Sum("amount"))
    )
