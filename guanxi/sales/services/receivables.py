"""The receivables summary (CustomerReceivable): per customer and contract owner, how many
contracts in force still have money outstanding, and how much. A customer's
rows are recomputed from its contracts (a handful of rows, through contract_customer_idx)
by `receivables_refresh` whenever a contract changes status, a payment is recorded,
changed or deleted, or the customer goes to the recycle bin or comes back, always in the
writer's transaction. `receivables_rebuild` recomputes all of them (after a bulk load)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, Count, F, QuerySet, Sum
from django.db.models.functions import Cast, Round

from guanxi.customers.models import Customer

from ..enums import PAYABLE_STATUSES
from ..models import Contract, CustomerReceivable


def _outstanding_rows(contracts: QuerySet[Contract]) -> list[dict[str, Any]]:
    big = BigIntegerField()
    cents = Cast(Round((F("total") - F("paid")) * 100), big)
    return list(
        contracts.filter(
            status__in=PAYABLE_STATUSES,
            total__gt=F("paid"),
            customer__deleted_at__isnull=True,
        )
        .order_by()
        .values("customer_id", "owner_id")
        .annotate(
            contracts=Count("id"),
            outstanding_cents=Sum(cents, output_field=big),
        )
    )


def receivables_refresh(*, customer_ids: Any) -> None:
    """Recompute the rows of these customers. Locks the customers first, so two writers on
    the same customer's contracts take turns and the second sees the first one's change."""
    ids = sorted({int(pk) for pk in customer_ids if pk is not None})
    if not ids:
        return
    list(Customer.all_objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    rows = _outstanding_rows(Contract.objects.filter(customer_id__in=ids))
    CustomerReceivable.objects.filter(customer_id__in=ids).delete()
    CustomerReceivable.objects.bulk_create([CustomerReceivable(**row) for row in rows])


def receivables_computed_rows() -> list[dict[str, Any]]:
    return _outstanding_rows(Contract.objects.all())


@transaction.atomic
def receivables_rebuild() -> int:
    """Recompute every row from the contracts; returns the number of rows."""
    rows = receivables_computed_rows()
    CustomerReceivable.objects.all().delete()
    CustomerReceivable.objects.bulk_create(
        [CustomerReceivable(**row) for row in rows], batch_size=2000
    )
    return len(rows)
