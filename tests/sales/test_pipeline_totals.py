"""The pipeline totals kept by the services: after any sequence of creates, moves, owner and
amount changes, wins, losses, reopenings, deletions and customers going to the recycle bin
and back, the kept rows equal a rebuild from scratch, and the board shows them."""

import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from guanxi.customers.services import customer_delete, customer_restore
from guanxi.reference.models import LostReason, OpportunityStage
from guanxi.sales import selectors as sel
from guanxi.sales.enums import OpportunityStatus
from guanxi.sales.models import Opportunity, OpportunityStageTotal
from guanxi.sales.services import opportunities as ops
from guanxi.sales.services.pipeline import pipeline_computed_rows, pipeline_rebuild

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
