"""The summary rows the sales services keep. Pipeline totals: after any sequence of
creates, moves, owner and amount changes, wins, losses, reopenings, deletions and customers
going to the recycle bin and back, the kept rows equal a rebuild from scratch, and the board
shows them. Receivables: the same after payments recorded, changed and deleted, contracts
ended and customers binned and restored; the page goes by keyset."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from guanxi.customers.services import customer_delete, customer_restore
from guanxi.reference.models import LostReason, OpportunityStage
from guanxi.sales import selectors as sel
from guanxi.sales.enums import PAYABLE_STATUSES, OpportunityStatus
from guanxi.sales.models import (
    Contract,
    CustomerReceivable,
    Opportunity,
    OpportunityStageTotal,
    Payment,
)
from guanxi.sales.services import contracts as cs
from guanxi.sales.services import opportunities as ops
from guanxi.sales.services import records as rs
from guanxi.sales.services.pipeline import pipeline_computed_rows, pipeline_rebuild
from guanxi.sales.services.receivables import receivables_computed_rows, receivables_rebuild

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db


def kept_rows():
    return {
        (r.stage_id, r.owner_id): (r.count, r.amount_cents, r.weighted_cents)
        for r in OpportunityStageTotal.objects.all()
        if r.count or r.amount_cents or r.weighted_cents
    }


def computed_rows():
    return {
        (r["stage_id"], r["owner_id"]): (r["count"], r["amount_cents"], r["weighted_cents"])
        for r in pipeline_computed_rows()
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_totals_equal_a_rebuild_after_random_operations(org, seed):
    rng = random.Random(seed)
    u = org.users
    admin = u.admin
    owners = [u.sales1, u.sales2, u.manager, u.sales1b]
    customers = [CustomerFactory(owner=rng.choice(owners)) for _ in range(4)]
    stages = list(OpportunityStage.objects.filter(is_active=True))
    reason = LostReason.objects.filter(is_active=True).first()
    binned: set[int] = set()
    live = lambda: [c for c in customers if c.pk not in binned]  # noqa: E731
    opps: list[Opportunity] = []
    done: set[str] = set()
    checks = 0

    def amount() -> str:
        return str(Decimal(rng.randint(0, 10_000_000)) / 100)

    for _step in range(200):
        op = rng.choice(
            ["create", "create", "move", "owner", "amount", "win", "lose", "reopen", "delete"]
            + ["bin", "restore"]
        )
        open_opps = [
            o for o in opps if o.status == OpportunityStatus.OPEN and o.customer_id not in binned
        ]
        closed = [o for o in opps if not o.is_open and o.customer_id not in binned]
        if op == "create" and live():
            opps.append(
                ops.opportunity_create(
                    actor=admin,
                    customer=rng.choice(live()),
                    name=f"项目{_step}",
                    owner=rng.choice(owners),
                    stage=rng.choice(stages),
                    amount=amount(),
                )
            )
        elif op == "move" and open_opps:
            o = rng.choice(open_opps)
            ops.opportunity_move(actor=admin, opportunity=o, stage=rng.choice(stages))
        elif op == "owner" and open_opps:
            o = rng.choice(open_opps)
            ops.opportunity_update(actor=admin, opportunity=o, owner=rng.choice(owners))
        elif op == "amount" and open_opps:
            o = rng.choice(open_opps)
            ops.opportunity_update(
                actor=admin, opportunity=o, amount=amount(), probability=rng.randint(0, 100)
            )
        elif op == "win" and open_opps:
            ops.opportunity_win(actor=admin, opportunity=rng.choice(open_opps))
        elif op == "lose" and open_opps:
            ops.opportunity_lose(actor=admin, opportunity=rng.choice(open_opps), reason=reason)
        elif op == "reopen" and closed:
            ops.opportunity_reopen(actor=admin, opportunity=rng.choice(closed))
        elif op == "delete" and opps:
            o = rng.choice([o for o in opps if o.customer_id not in binned] or [None])
            if o is not None:
                ops.opportunity_delete(actor=admin, opportunity=o)
                opps.remove(o)
        elif op == "bin" and live():
            c = rng.choice(live())
            customer_delete(actor=admin, customer=c)
            binned.add(c.pk)
        elif op == "restore" and binned:
            pk = rng.choice(sorted(binned))
            customer_restore(actor=admin, customer=next(c for c in customers if c.pk == pk))
            binned.discard(pk)
        else:
            continue
        done.add(op)
        opps = [Opportunity.objects.get(pk=o.pk) for o in opps]
        if _step % 10 == 0:
            assert kept_rows() == computed_rows(), f"after step {_step} ({op})"
            checks += bool(kept_rows())

    assert done == {"create", "move", "owner", "amount", "win", "lose", "reopen"} | {
        "delete",
        "bin",
        "restore",
    }
    assert checks  # the comparison saw non-empty totals at least once
    assert kept_rows() == computed_rows()
    before = kept_rows()
    pipeline_rebuild()
    assert kept_rows() == before


def test_the_board_shows_the_kept_totals_with_weighted_amounts(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    first = OpportunityStage.objects.filter(is_active=True).order_by("sort_order").first()
    ops.opportunity_create(
        actor=u.sales1, customer=customer, name="A", stage=first, amount="100.05", probability=50
    )
    ops.opportunity_create(
        actor=u.sales1, customer=customer, name="B", stage=first, amount="0.03", probability=50
    )
    theirs = CustomerFactory(owner=u.sales2)
    ops.opportunity_create(actor=u.sales2, customer=theirs, name="C", stage=first, amount="7")

    (column, *_rest) = sel.opportunity_board(reader=u.sales1)
    # 100.05 × 50% = 50.025 → 50.03; 0.03 × 50% = 0.015 → 0.02 (each half up to the cent)
    assert (column["count"], column["amount"], column["weighted"]) == (
        2,
        Decimal("100.08"),
        Decimal("50.05"),
    )
    assert column["from_summary"] and not column["capped"]
    admin_first = sel.opportunity_board(reader=u.admin)[0]
    assert admin_first["count"] == 3
    only_sales2 = sel.opportunity_board(reader=u.admin, filters={"owner": u.sales2.pk})[0]
    assert (only_sales2["count"], only_sales2["amount"]) == (1, Decimal("7.00"))
    manager2 = sel.opportunity_board(reader=u.manager2)[0]
    assert manager2["count"] == 1


def test_a_filter_the_totals_cannot_answer_sums_a_bounded_set(org, monkeypatch):
    u = org.users
    a, b = CustomerFactory(owner=u.sales1), CustomerFactory(owner=u.sales1)
    for customer, n in ((a, 4), (b, 1)):
        for i in range(n):
            ops.opportunity_create(actor=u.sales1, customer=customer, name=f"{i}", amount="10")
    monkeypatch.setattr(sel, "BOARD_AGGREGATE_CAP", 3)
    (column, *_rest) = sel.opportunity_board(reader=u.sales1, filters={"customer": a.pk})
    assert not column["from_summary"]
    assert (column["count"], column["capped"]) == (3, True)
    (column, *_rest) = sel.opportunity_board(reader=u.sales1, filters={"customer": b.pk})
    assert (column["count"], column["amount"], column["capped"]) == (1, Decimal("10.00"), False)


def test_rebuild_command_repairs_the_totals(org):
    customer = CustomerFactory(owner=org.users.sales1)
    ops.opportunity_create(actor=org.users.sales1, customer=customer, name="A", amount="12.34")
    right = kept_rows()
    OpportunityStageTotal.objects.update(count=99, amount_cents=1)
    call_command("rebuild_sales_totals", verbosity=0)
    assert kept_rows() == right
    assert list(right.values()) == [(1, 1234, 123)]


# --- receivables -------------------------------------------------------------------------


def kept_receivables():
    return {
        (r.customer_id, r.owner_id): (r.contracts, r.outstanding_cents)
        for r in CustomerReceivable.objects.all()
    }


def computed_receivables():
    return {
        (r["customer_id"], r["owner_id"]): (r["contracts"], r["outstanding_cents"])
        for r in receivables_computed_rows()
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_receivables_equal_a_rebuild_after_random_operations(org, make_contract, seed):
    rng = random.Random(seed)
    u = org.users
    customers = [CustomerFactory(owner=u.sales1) for _ in range(3)]
    binned: set[int] = set()
    contracts = []
    for i in range(8):
        contracts.append(
            make_contract(
                rng.choice([u.sales1, u.sales1b]),
                total=f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}",
                status=rng.choice(["approved", "executing", "completed", "draft"]),
                customer=customers[i % 3],
                actor=u.admin,
                signed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 300)),
            )
        )
    payments = []
    done = set()
    seen = 0
    for step in range(60):
        live = [c for c in contracts if c.customer_id not in binned]
        payable = [c for c in live if c.status in PAYABLE_STATUSES and c.total > c.paid]
        op = rng.choice(["pay", "pay", "pay", "change", "undo", "end", "bin", "restore"])
        if op == "pay" and payable:
            c = rng.choice(payable)
            cents = rng.randint(1, int((c.total - c.paid) * 100))
            payments.append(
                rs.payment_create(
                    actor=u.admin,
                    contract=c,
                    date=datetime.date(2026, 1, 5),
                    amount=Decimal(cents) / 100,
                )
            )
        elif op == "change" and payments:
            p = rng.choice(payments)
            rs.payment_update(actor=u.admin, payment=p, amount=Decimal("0.01"))
        elif op == "undo" and payments:
            p = payments.pop(rng.randrange(len(payments)))
            rs.payment_delete(actor=u.admin, payment=p)
        elif op == "end" and [c for c in live if c.status in ("approved", "executing")]:
            c = rng.choice([c for c in live if c.status in ("approved", "executing")])
            cs.contract_terminate(actor=u.admin, contract=c, comment="stop")
        elif op == "bin" and len(binned) < 2:
            c = rng.choice([c for c in customers if c.pk not in binned])
            customer_delete(actor=u.admin, customer=c)
            binned.add(c.pk)
        elif op == "restore" and binned:
            pk = binned.pop()
            customer_restore(actor=u.admin, customer=next(c for c in customers if c.pk == pk))
        else:
            continue
        done.add(op)
        contracts = [Contract.objects.get(pk=c.pk) for c in contracts]
        payments = [Payment.objects.get(pk=p.pk) for p in payments]
        assert kept_receivables() == computed_receivables(), f"after step {step} ({op})"
        seen += bool(kept_receivables())
    assert done >= {"pay", "change", "undo", "bin", "restore"}
    assert seen  # the comparison saw non-empty receivables
    before = kept_receivables()
    receivables_rebuild()
    assert kept_receivables() == before


def test_receivables_page_by_keyset_with_totals(org, make_contract):
    u = org.users
    one = CustomerFactory(owner=u.sales1)
    for i in range(5):
        make_contract(u.sales1, total=f"{100 + i}.00", status="approved")
    make_contract(u.sales1, total="50.00", status="approved", customer=one)
    make_contract(u.sales1b, total="70.00", status="approved", customer=one, actor=u.admin)
    rows = list(sel.receivables(reader=u.manager))
    assert [r["outstanding_cents"] for r in rows] == [10400, 10300, 10200, 10100, 10000, 7000, 5000]
    # the customer with two owners appears once per owner
    assert [(r["customer"], r["owner"]) for r in rows[-2:]] == [
        (one.pk, u.sales1b.pk),
        (one.pk, u.sales1.pk),
    ]
    after = sel.parse_receivable_cursor(sel.receivable_cursor(rows[2]))
    assert list(sel.receivables(reader=u.manager, after=after)) == rows[3:]
    assert sel.receivable_totals(reader=u.manager) == {
        "outstanding": Decimal("630.00"),
        "contracts": 7,
    }
    assert sel.receivable_totals(reader=u.sales1b) == {
        "outstanding": Decimal("70.00"),
        "contracts": 1,
    }
    for bad in ("", "1.2", "a.b.c", "-1.2.3", "1.2.99999999999999999999"):
        with pytest.raises(ValueError):
            sel.parse_receivable_cursor(bad)
