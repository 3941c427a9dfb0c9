"""Reads of sales records: scope by role and department tree, the recycle bin, 404 outside
scope, the approval queue, receivables by customer and age, the pipeline board."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.customers.services import customer_delete
from guanxi.reference.models import OpportunityStage
from guanxi.sales import selectors as sel
from guanxi.sales.models import Payment
from guanxi.sales.services import contracts as cs
from guanxi.sales.services import records as rs
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    OpportunityFactory,
    SalesRecordFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

OWNERS = ["sales1", "sales1b", "manager", "sales2", "manager2"]
EAST = {"sales1", "sales1b", "manager"}
NORTH = {"sales2", "manager2"}
EVERYONE = set(OWNERS)

KINDS = ["opp", "task", "contract", "record", "payment"]


def sees(owners, **exceptions):
    """The same owners for every kind of record, unless named otherwise."""
    return {kind: exceptions.get(kind, owners) for kind in KINDS}


# reader → what they see of each kind of record, as the set of owners' usernames
VISIBLE = {
    "sales1": sees({"sales1"}),
    "sales1b": sees({"sales1b"}),
    "sales2": sees({"sales2"}),
    "manager": sees(EAST),
    "manager2": sees(NORTH),
    "exec": sees(EVERYONE),
    "admin": sees(EVERYONE),
    "clerk": sees(EVERYONE),
    "researcher": sees(set(), opp=EVERYONE),
    "service": sees(set(), contract=EVERYONE),
}


@pytest.fixture
def world(org):
    """One of each record per owner, each for a customer of that owner."""
    made = {}
    for name in OWNERS:
        owner = getattr(org.users, name)
        customer = CustomerFactory(owner=owner)
        contract = ContractFactory(customer=customer, owner=owner, status="executing")
        made[name] = {
            "customer": customer,
            "opp": OpportunityFactory(customer=customer, owner=owner),
            "task": TaskFactory(customer=customer, salesperson=owner),
            "contract": contract,
            "record": SalesRecordFactory(customer=customer, salesperson=owner),
            "payment": Payment.objects.create(
                contract=contract, date=timezone.localdate(), amount=Decimal("1.00")
            ),
        }
    return made


LISTS = {
    "opp": lambda reader: sel.opportunity_list(reader=reader),
    "task": lambda reader: sel.task_list(reader=reader),
    "contract": lambda reader: sel.contract_list(reader=reader),
    "record": lambda reader: sel.sales_record_list(reader=reader),
    "payment": lambda reader: sel.payment_list(reader=reader),
}

ACCESS = {
    "opp": lambda reader, pk: sel.access_opportunity_by_id(reader=reader, opportunity_id=pk),
    "task": lambda reader, pk: sel.access_task_by_id(reader=reader, task_id=pk),
    "contract": lambda reader, pk: sel.access_contract_by_id(reader=reader, contract_id=pk),
    "record": lambda reader, pk: sel.access_sales_record_by_id(reader=reader, record_id=pk),
    "payment": lambda reader, pk: sel.access_payment_by_id(reader=reader, payment_id=pk),
}


def owners_of(world, kind, rows):
    by_pk = {made[kind].pk: name for name, made in world.items()}
    return {by_pk[row.pk] for row in rows}


@pytest.mark.parametrize("reader", list(VISIBLE))
@pytest.mark.parametrize("kind", list(LISTS))
def test_lists_show_exactly_the_scope(org, world, reader, kind):
    user = getattr(org.users, reader)
    assert owners_of(world, kind, LISTS[kind](user)) == VISIBLE[reader][kind]


@pytest.mark.parametrize("reader", list(VISIBLE))
@pytest.mark.parametrize("kind", list(ACCESS))
def test_access_is_404_outside_the_scope(org, world, reader, kind):
    user = getattr(org.users, reader)
    for owner, made in world.items():
        pk = made[kind].pk
        if owner in VISIBLE[reader][kind]:
            assert ACCESS[kind](user, pk).pk == pk
            assert ACCESS[kind](user, str(pk)).pk == pk
        else:
            with pytest.raises(Http404):
                ACCESS[kind](user, pk)


@pytest.mark.parametrize("kind", list(ACCESS))
@pytest.mark.parametrize("bad", [None, "", "abc", "1.5", 999999])
def test_access_with_a_bad_id_is_404(org, world, kind, bad):
    with pytest.raises(Http404):
        ACCESS[kind](org.users.admin, bad)


@pytest.mark.parametrize("kind", list(LISTS))
def test_records_of_a_customer_in_the_recycle_bin_are_hidden(org, world, kind):
    customer = world["sales1"]["customer"]
    customer.deleted_at = timezone.now()
    customer.save()
    for reader in (org.users.sales1, org.users.manager, org.users.admin):
        assert "sales1" not in owners_of(world, kind, LISTS[kind](reader))
        with pytest.raises(Http404):
            ACCESS[kind](reader, world["sales1"][kind].pk)
    assert owners_of(world, kind, LISTS[kind](org.users.admin)) == EVERYONE - {"sales1"}


def test_the_recycle_bin_hides_from_queue_receivables_board_and_summary(org, make_contract):
    u = org.users
    pending = make_contract(u.sales1, total="150000", status="pending")
    approved = make_contract(u.sales1, total="500", status="approved")
    opp = OpportunityFactory(customer=CustomerFactory(owner=u.sales1), owner=u.sales1)
    assert pending in sel.approval_queue(reader=u.manager)
    assert sel.receivables(reader=u.admin).count() == 1
    for customer in (pending.customer, approved.customer, opp.customer):
        customer_delete(actor=u.admin, customer=customer)
    assert not sel.approval_queue(reader=u.manager).exists()
    assert not sel.receivables(reader=u.admin).exists()
    assert all(col["count"] == 0 for col in sel.opportunity_board(reader=u.admin))
    assert sel.open_opportunity_summary(reader=u.admin)["n"] == 0


def test_the_researcher_sees_no_contracts_lines_or_receivables(org, make_contract):
    make_contract(org.users.sales1, total="500", status="approved")
    assert not sel.contract_list(reader=org.users.researcher).exists()
    assert not sel.approval_queue(reader=org.users.researcher).exists()
    assert not sel.receivables(reader=org.users.researcher).exists()


def test_filters(org, world):
    u = org.users
    sales1 = world["sales1"]
    assert list(sel.contract_list(reader=u.admin, filters={"owner": u.sales1.pk})) == [
        sales1["contract"]
    ]
    assert list(sel.contract_list(reader=u.admin, search=sales1["contract"].number)) == [
        sales1["contract"]
    ]
    assert list(
        sel.sales_record_list(reader=u.admin, filters={"customer": sales1["customer"].pk})
    ) == [sales1["record"]]
    # a bad filter value is ignored, never an error
    assert sel.sales_record_list(reader=u.admin, filters={"customer": "x"}).count() == 5
    assert list(sel.payment_list(reader=u.admin, filters={"contract": sales1["contract"].pk})) == [
        sales1["payment"]
    ]
    assert list(sel.opportunity_list(reader=u.admin, search=sales1["opp"].name)) == [sales1["opp"]]
    assert sel.opportunity_list(reader=u.admin, ordering="nonsense").count() == 5


def test_sales_record_totals(org, world):
    totals = sel.sales_record_totals(sel.sales_record_list(reader=org.users.manager))
    assert totals == {"quantity": Decimal("3"), "amount": Decimal("300")}


# --- approval queue ----------------------------------------------------------------------


def test_the_approval_queue(org, make_contract):
    u = org.users
    east = make_contract(u.sales1, total="150000", status="pending")
    sub = make_contract(u.sales1b, total="150000", status="pending")
    north = make_contract(u.sales2, total="150000", status="pending")
    own = make_contract(u.manager, total="150000", status="pending")
    entered = make_contract(u.sales1, total="150000", status="pending", actor=u.manager)
    make_contract(u.sales1, total="150000", status="approved")
    make_contract(u.sales1, total="150000", status="draft")

    assert set(sel.approval_queue(reader=u.manager)) == {east, sub}
    assert set(sel.approval_queue(reader=u.manager2)) == {north}
    assert set(sel.approval_queue(reader=u.admin)) == {east, sub, north, own, entered}
    for user in (u.sales1, u.sales2, u.clerk, u.exec, u.service, u.researcher):
        assert not sel.approval_queue(reader=user).exists()
    # every contract in a queue may be decided by its reader, and none outside it
    for user in (u.manager, u.manager2, u.admin):
        queue = set(sel.approval_queue(reader=user))
        for contract in (east, sub, north, own, entered):
            assert cs.may_decide(user, contract) == (contract in queue)


def test_the_queue_is_oldest_first(org, make_contract):
    u = org.users
    first = make_contract(u.sales1, total="150000", status="pending")
    second = make_contract(u.sales1b, total="150000", status="pending")
    assert list(sel.approval_queue(reader=u.manager)) == [first, second]


# --- receivables -------------------------------------------------------------------------

TODAY = datetime.date(2026, 3, 11)


def ago(days):
    return TODAY - datetime.timedelta(days=days)


def receivable_rows(reader, today=TODAY, **kwargs):
    """All rows in scope, with their amounts by age on `today`."""
    rows = sel.receivables(reader=reader, **kwargs)
    return sel.receivable_ages(reader=reader, rows=rows, today=today)


@pytest.fixture
def receivable_world(org, make_contract):
    u = org.users
    a = CustomerFactory(owner=u.sales1, name="甲公司")
    b = CustomerFactory(owner=u.sales1, name="乙公司")
    north = CustomerFactory(owner=u.sales2, name="丙公司")

    def contract(customer, days, total, paid="0", status="approved", owner=u.sales1):
        made = make_contract(
            owner, total=total, status=status, customer=customer, signed_on=ago(days)
        )
        if Decimal(paid):
            rs.payment_create(
                actor=u.admin,
                contract=made,
                date=timezone.localdate(),
                amount=Decimal(paid),
            )
        return made

    contract(a, 10, "1000.00", paid="400.00")  # 600 in 0–30
    contract(a, 45, "2000.00", status="executing")  # 2000 in 31–90
    contract(a, 120, "3000.00", status="completed")  # 3000 in 91–180
    contract(b, 200, "4000.00")  # 4000 in 181–365
    contract(b, 400, "5000.00", paid="1000.00")  # 4000 in 366+
    contract(b, 400, "7000.00", paid="7000.00")  # fully paid: not listed
    contract(b, 10, "900.00", status="draft")  # not in force
    contract(b, 10, "800.00", status="terminated")  # ended
    contract(b, 10, "150000.00", status="pending")  # not approved yet
    contract(north, 10, "100.00", owner=u.sales2)
    return a, b, north


def test_receivables_by_customer_and_age(org, receivable_world):
    a, b, north = receivable_world
    rows = receivable_rows(org.users.sales1)
    assert [row["customer"] for row in rows] == [b.pk, a.pk]  # largest outstanding first
    row_b, row_a = rows
    assert row_a["customer__name"] == "甲公司"
    assert row_a["contracts"] == 3
    assert row_a["outstanding"] == Decimal("5600.00")
    assert row_a["oldest"] == ago(120)
    assert [row_a[k] for k in BUCKETS] == [Decimal(x) for x in ("600", "2000", "3000", "0", "0")]
    assert row_b["contracts"] == 2
    assert row_b["outstanding"] == Decimal("8000.00")
    assert [row_b[k] for k in BUCKETS] == [Decimal(x) for x in ("0", "0", "0", "4000", "4000")]
    for row in rows:
        assert sum(row[k] for k in BUCKETS) == row["outstanding"]


BUCKETS = ["age_0_30", "age_31_90", "age_91_180", "age_181_365", "age_366_plus"]


def test_receivables_scope(org, receivable_world):
    a, b, north = receivable_world
    u = org.users
    assert {r["customer"] for r in sel.receivables(reader=u.manager)} == {a.pk, b.pk}
    assert {r["customer"] for r in sel.receivables(reader=u.manager2)} == {north.pk}
    for user in (u.admin, u.exec, u.clerk):
        assert sel.receivables(reader=user).count() == 3
    for user in (u.researcher, u.service):
        assert not sel.receivables(reader=user).exists()
    only_a = sel.receivables(reader=u.admin, customer=a.pk)
    assert [r["customer"] for r in only_a] == [a.pk]


@pytest.mark.parametrize(
    "days, bucket",
    [
        (0, "age_0_30"),
        (30, "age_0_30"),
        (31, "age_31_90"),
        (90, "age_31_90"),
        (91, "age_91_180"),
        (180, "age_91_180"),
        (181, "age_181_365"),
        (365, "age_181_365"),
        (366, "age_366_plus"),
        (4000, "age_366_plus"),
    ],
)
def test_age_bucket_boundaries(org, make_contract, days, bucket):
    make_contract(org.users.sales1, total="10.00", status="approved", signed_on=ago(days))
    (row,) = receivable_rows(org.users.sales1)
    assert {k: row[k] for k in BUCKETS} == {
        k: Decimal("10.00") if k == bucket else Decimal("0") for k in BUCKETS
    }


def test_a_contract_without_signing_date_ages_from_its_entry(org, make_contract):
    contract = make_contract(org.users.sales1, total="10.00", status="approved")
    today = timezone.localdate()
    (row,) = receivable_rows(org.users.sales1, today=today + datetime.timedelta(days=50))
    assert row["oldest"] == contract.created_at.astimezone(timezone.get_current_timezone()).date()
    assert row["age_31_90"] == Decimal("10.00")


# --- pipeline board ----------------------------------------------------------------------


def stage(code):
    return OpportunityStage.objects.get(code=code)


def test_the_board_columns_counts_and_totals(org):
    u = org.users
    mine = CustomerFactory(owner=u.sales1)
    for code, amount in [("INITIAL", "100.50"), ("INITIAL", "200.25"), ("PROPOSAL", "1000")]:
        OpportunityFactory(customer=mine, owner=u.sales1, stage=stage(code), amount=amount)
    OpportunityFactory(customer=mine, owner=u.sales1, stage=stage("NEEDS"), status="won")
    OpportunityFactory(customer=mine, owner=u.sales1, stage=stage("NEEDS"), status="lost")
    theirs = CustomerFactory(owner=u.sales2)
    OpportunityFactory(customer=theirs, owner=u.sales2, stage=stage("NEEDS"), amount="5")
    old = stage("COMMIT")
    old.is_active = False
    old.save()

    columns = sel.opportunity_board(reader=u.sales1)
    assert [c["stage"].code for c in columns] == ["INITIAL", "NEEDS", "PROPOSAL", "NEGOTIATION"]
    summary = {c["stage"].code: (c["count"], c["amount"], len(c["cards"])) for c in columns}
    assert summary == {
        "INITIAL": (2, Decimal("300.75"), 2),
        "NEEDS": (0, Decimal("0"), 0),
        "PROPOSAL": (1, Decimal("1000"), 1),
        "NEGOTIATION": (0, Decimal("0"), 0),
    }
    # the biggest first within a column
    assert [o.amount for o in columns[0]["cards"]] == [Decimal("200.25"), Decimal("100.50")]
    admin_columns = {c["stage"].code: c["count"] for c in sel.opportunity_board(reader=u.admin)}
    assert admin_columns["NEEDS"] == 1


def test_the_board_caps_cards_but_not_counts(org):
    mine = CustomerFactory(owner=org.users.sales1)
    for _ in range(5):
        OpportunityFactory(customer=mine, owner=org.users.sales1, amount="10")
    (first, *_rest) = sel.opportunity_board(reader=org.users.sales1, per_stage=3)
    assert first["count"] == 5
    assert first["amount"] == Decimal("50")
    assert len(first["cards"]) == 3


def test_the_board_filters(org):
    u = org.users
    a, b = CustomerFactory(owner=u.sales1), CustomerFactory(owner=u.sales1)
    OpportunityFactory(customer=a, owner=u.sales1)
    OpportunityFactory(customer=b, owner=u.sales1)
    columns = sel.opportunity_board(reader=u.sales1, filters={"customer": a.pk})
    assert sum(c["count"] for c in columns) == 1


def test_stage_history_in_order(org):
    from guanxi.sales.services import opportunities as ops

    opp = ops.opportunity_create(
        actor=org.users.sales1, customer=CustomerFactory(owner=org.users.sales1), name="A"
    )
    ops.opportunity_move(actor=org.users.sales1, opportunity=opp, stage=stage("NEEDS"))
    rows = list(sel.stage_history(opportunity=opp))
    assert [r.to_stage.code for r in rows] == ["INITIAL", "NEEDS"]


# --- queries -----------------------------------------------------------------------------


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def walk(rows, *paths):
    for row in rows:
        for path in paths:
            obj = row
            for part in path.split("."):
                obj = getattr(obj, part)


LIST_WALKS = {
    "opp": ("customer.name", "owner.username", "stage.name"),
    "task": ("customer.name", "salesperson.username"),
    "contract": ("customer.name", "owner.username"),
    "record": ("customer.name", "product.name", "salesperson.username"),
    "payment": ("contract.number", "contract.customer.name"),
}


@pytest.mark.parametrize("kind", list(LISTS))
def test_lists_do_not_query_per_row(org, kind):
    u = org.users

    def add(n):
        for _ in range(n):
            customer = CustomerFactory(owner=u.sales1)
            contract = ContractFactory(customer=customer, owner=u.sales1, status="executing")
            OpportunityFactory(customer=customer, owner=u.sales1)
            TaskFactory(customer=customer, salesperson=u.sales1)
            SalesRecordFactory(customer=customer, salesperson=u.sales1)
            Payment.objects.create(contract=contract, date=timezone.localdate(), amount=1)

    def run():
        walk(list(LISTS[kind](u.manager)), *LIST_WALKS[kind])

    add(2)
    run()  # warm caches (content types, grants)
    few = count_queries(run)
    add(10)
    many = count_queries(run)
    assert few == many


def test_board_and_receivables_queries_do_not_grow(org, make_contract):
    u = org.users

    def add(n):
        for _ in range(n):
            customer = CustomerFactory(owner=u.sales1)
            OpportunityFactory(customer=customer, owner=u.sales1)
            make_contract(u.sales1, total="10", status="approved", customer=customer)

    def run():
        for column in sel.opportunity_board(reader=u.manager):
            walk(column["cards"], "customer.name", "owner.username")
        list(sel.receivables(reader=u.manager))
        walk(list(sel.approval_queue(reader=u.manager)), "customer.name", "owner.username")

    add(2)
    run()
    few = count_queries(run)
    add(8)
    assert count_queries(run) == few


BAD_FILTERS = {
    **dict.fromkeys(
        ("stage", "owner", "customer", "project_type", "opportunity", "salesperson"), "abc"
    ),
    "work_method": "1.5",
    "contract": "x",
    "product": "x",
    "closing_from": "2026-13-45",
    "closing_to": "soon",
    "signed_from": "x",
    "signed_to": "2026-02-30",
    "date_from": "x",
    "date_to": "x",
}


@pytest.mark.parametrize("kind", list(LISTS))
def test_bad_filter_values_are_ignored_not_errors(org, world, kind):
    select = {
        "opp": sel.opportunity_list,
        "task": sel.task_list,
        "contract": sel.contract_list,
        "record": sel.sales_record_list,
        "payment": sel.payment_list,
    }[kind]
    assert len(select(reader=org.users.admin, filters=BAD_FILTERS)) == 5
    columns = sel.opportunity_board(reader=org.users.admin, filters=BAD_FILTERS)
    assert sum(c["count"] for c in columns) == 5


def test_filters_take_records_or_ids(org, world):
    u = org.users
    customer = world["sales1"]["customer"]
    for value in (customer, customer.pk, str(customer.pk)):
        assert [
            o.pk for o in sel.opportunity_list(reader=u.admin, filters={"customer": value})
        ] == [world["sales1"]["opp"].pk]
        assert [t.pk for t in sel.task_list(reader=u.admin, filters={"customer": value})] == [
            world["sales1"]["task"].pk
        ]
        assert [c.pk for c in sel.contract_list(reader=u.admin, filters={"customer": value})] == [
            world["sales1"]["contract"].pk
        ]
    signed = sel.contract_list(reader=u.admin, filters={"signed_from": datetime.date(2000, 1, 1)})
    assert not signed.exists()  # the factory contracts have no signing date
