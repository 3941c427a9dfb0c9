"""The pipeline totals (OpportunityStageTotal): what each (stage, owner) holds in open
opportunities of live customers. Every service that creates, moves, re-owns, re-prices,
closes, reopens or deletes an opportunity, or puts its customer in or out of the recycle
bin, passes the opportunity's share before and after to `pipeline_apply` inside its own
transaction; `pipeline_rebuild` recomputes everything from the opportunities (after a bulk
load, or to check the increments)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Cast, Round

from ..enums import OpportunityStatus
from ..models import Opportunity, OpportunityStageTotal


class Share(NamedTuple):
    """One opportunity's part of the totals."""

    stage_id: int
    owner_id: int
    amount_cents: int
    weighted_cents: int


def to_cents(amount: Any) -> int:
    return int((Decimal(str(amount or 0)) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def weighted_cents(amount_cents: int, probability: int) -> int:
    """amount × probability / 100, half up to the cent (the rebuild computes the same in SQL)."""
    return (amount_cents * int(probability or 0) + 50) // 100


def weighted_amount(amount: Any, probability: int) -> Decimal:
    return Decimal(weighted_cents(to_cents(amount), probability)) / 100


def share_of(opp: Opportunity, *, customer_live: bool | None = None) -> Share | None:
    """The opportunity's share, or None when it does not count (closed, or its customer is in
    the recycle bin)."""
    if opp.status != OpportunityStatus.OPEN:
        return None
    if customer_live is None:
        customer_live = opp.customer.deleted_at is None
    if not customer_live:
        return None
    cents = to_cents(opp.amount)
    return Share(opp.stage_id, opp.owner_id, cents, weighted_cents(cents, opp.probability))


def pipeline_apply(*, before: list[Share | None], after: list[Share | None]) -> None:
    """Take the `before` shares out of the totals and put the `after` ones in. Rows are
    touched in key order, so two writers never wait on each other crosswise."""
    deltas: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sign, shares in ((-1, before), (1, after)):
        for share in shares:
            if share is None:
                continue
            row = deltas[(share.stage_id, share.owner_id)]
            row[0] += sign
            row[1] += sign * share.amount_cents
            row[2] += sign * share.weighted_cents
    for (stage_id, owner_id), (n, cents, weighted) in sorted(deltas.items()):
        if n == 0 and cents == 0 and weighted == 0:
            continue
        _add(stage_id, owner_id, n, cents, weighted)


def _add(stage_id: int, owner_id: int, n: int, cents: int, weighted: int) -> None:
    rows = OpportunityStageTotal.objects.filter(stage_id=stage_id, owner_id=owner_id)
    changes = {
        "count": F("count") + n,
        "amount_cents": F("amount_cents") + cents,
        "weighted_cents": F("weighted_cents") + weighted,
    }
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            OpportunityStageTotal.objects.create(
                stage_id=stage_id,
                owner_id=owner_id,
                count=n,
                amount_cents=cents,
                weighted_cents=weighted,
            )
    except IntegrityError:
        # Another transaction created the row meanwhile: add to it.
        rows.update(**changes)


def pipeline_customer_moved(*, customer_id: int, live: bool) -> None:
    """A customer went into the recycle bin (live=False) or came back: its open
    opportunities leave or rejoin the totals. Locks them first, so that a concurrent edit
    of one of them either finishes before (and is counted here) or sees the new state."""
    shares = [
        share_of(opp, customer_live=True)
        for opp in Opportunity.objects.select_for_update()
        .filter(customer_id=customer_id, status=OpportunityStatus.OPEN)
        .only("stage_id", "owner_id", "amount", "probability", "status")
    ]
    if live:
        pipeline_apply(before=[], after=shares)
    else:
        pipeline_apply(before=shares, after=[])


def pipeline_computed_rows() -> list[dict[str, Any]]:
    """The totals computed from the opportunities, one grouped query."""
    big = BigIntegerField()
    cents = Cast(Round(F("amount") * 100), big)
    weighted = ExpressionWrapper(
        (cents * F("probability") + Value(50)) / Value(100), output_field=big
    )
    return list(
        Opportunity.objects.filter(status=OpportunityStatus.OPEN, customer__deleted_at__isnull=True)
        .order_by()
        .values("stage_id", "owner_id")
        .annotate(
            count=Count("id"),
            amount_cents=Sum(cents, output_field=big),
            weighted_cents=Sum(weighted, output_field=big),
        )
    )


@transaction.atomic
def pipeline_rebuild() -> int:
    """Recompute all totals from the opportunities; returns the number of rows."""
    rows = pipeline_computed_rows()
    OpportunityStageTotal.objects.all().delete()
    OpportunityStageTotal.objects.bulk_create(
        [OpportunityStageTotal(**row) for row in rows], batch_size=1000
    )
    return len(rows)
