"""The demo's sales data: every contract status and opportunity stage, two years of history
with sensible timestamps, and sums that add up."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Sum
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Customer
from guanxi.reference.models import OpportunityStage
from guanxi.sales.enums import (
    ACTIVE_CUSTOMER_STATUSES,
    ContractStatus,
    Decision,
    OpportunityStatus,
    TaskStatus,
)
from guanxi.sales.models import (
    ApprovalDecision,
    Contract,
    ContractLine,
    Opportunity,
    Payment,
    Product,
    SalesRecord,
    StageChange,
    Task,
)
from guanxi.sales.selectors import receivable_ages, receivables
from guanxi.sales.services import contracts as cs

pytestmark = pytest.mark.django_db


# A small demo (a few seconds) still has every status and stage; the real default (200
# customers, about ten seconds here) is what people see.
@pytest.mark.parametrize("customers", [30, 200])
def test_demo_sales_data(customers):
    """One load, checked from several sides."""
    call_command("load_demo", customers=customers)
    users = {u.username: u for u in User.objects.all()}
    check_products_opportunities_and_tasks(users)
    check_contracts_approvals_records_and_payments(users)
    check_customers_and_receivables(users)
    check_history_is_dated(users)
    check_numbering_continues_and_the_load_is_not_repeated(users)


def months_back(day: datetime.date, today: datetime.date) -> int:
    return (today.year - day.year) * 12 + today.month - day.month


def check_products_opportunities_and_tasks(users):
    today = timezone.localdate()
    assert Product.objects.count() >= 40
    assert Product.objects.filter(is_active=False).exists()
    assert Product.objects.aggregate(low=Min("list_price"), high=Max("list_price")) == {
        "low": Decimal("38.00"),
        "high": Decimal("328000.00"),
    }

    open_stages = set(
        Opportunity.objects.filter(status=OpportunityStatus.OPEN).values_list("stage", flat=True)
    )
    assert open_stages == set(
        OpportunityStage.objects.filter(is_active=True).values_list("pk", flat=True)
    )
    assert Opportunity.objects.filter(status=OpportunityStatus.WON).exists()
    lost = Opportunity.objects.filter(status=OpportunityStatus.LOST)
    assert lost.exists() and not lost.filter(lost_reason=None).exists()
    assert not Opportunity.objects.exclude(
        owner__username__in=["sales1", "sales2", "manager", "manager2"]
    ).exists()  # noqa: E501
    # Every opportunity has its history, in order, in the past; the time spent in stages
    # adds up to weeks, not the seconds the load took.
    now = timezone.now()
    for opp in Opportunity.objects.prefetch_related("stage_changes"):
        changes = sorted(opp.stage_changes.all(), key=lambda c: (c.changed_at, c.id))
        assert changes[0].from_stage is None and changes[0].to_stage is not None
        assert changes[0].changed_at == opp.created_at
        assert all(a.changed_at < b.changed_at for a, b in zip(changes, changes[1:], strict=False))
        assert changes[-1].changed_at <= now
        if not opp.is_open:
            assert changes[-1].to_status == opp.status
            assert opp.closed_at == changes[-1].changed_at
    spans = StageChange.objects.values("opportunity").annotate(
        first=Min("changed_at"), last=Max("changed_at")
    )
    assert max(row["last"] - row["first"] for row in spans) > datetime.timedelta(days=30)
    created = Opportunity.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert created["last"] - created["first"] > datetime.timedelta(days=365)

    done = Task.objects.filter(status=TaskStatus.DONE)
    assert done.exists() and not done.filter(result="").exists()
    assert not done.filter(date__gt=today).exists()
    assert done.filter(done_at__isnull=False).count() == done.count()
    assert Task.objects.filter(status=TaskStatus.PLANNED, date__lt=today).exists()  # overdue
    assert Task.objects.filter(status=TaskStatus.PLANNED, date__gte=today).exists()
    assert Task.objects.filter(date=today, salesperson=users["sales1"]).exists()
    assert not Task.objects.filter(work_method=None).exists()
    assert not Task.objects.filter(created_at__gt=now).exists()


def check_contracts_approvals_records_and_payments(users):
    today = timezone.localdate()
    now = timezone.now()
    assert set(Contract.objects.values_list("status", flat=True)) == set(ContractStatus.values)

    # Totals are the sum of their lines; paid is the sum of the payments, within the total.
    line_sums = dict(
        ContractLine.objects.values("contract")
        .annotate(s=Sum("amount"))
        .values_list("contract", "s")
    )
    paid_sums = dict(
        Payment.objects.values("contract").annotate(s=Sum("amount")).values_list("contract", "s")
    )
    lines = dict(
        ContractLine.objects.values("contract").annotate(n=Count("id")).values_list("contract", "n")
    )
    records = dict(
        SalesRecord.objects.exclude(contract=None)
        .values("contract")
        .annotate(n=Count("id"))
        .values_list("contract", "n")
    )
    for contract in Contract.objects.all():
        assert 1 <= lines[contract.pk] <= 4
        assert contract.total == line_sums[contract.pk]
        assert contract.paid == paid_sums.get(contract.pk, Decimal("0.00"))
        assert contract.paid <= contract.total
        # Numbered by the configured pattern, in the year the contract was entered.
        year = timezone.localtime(contract.created_at).year
        assert re.fullmatch(rf"HT-{year}-\d{{5}}", contract.number), contract.number
    payable = Contract.objects.filter(status__in=["approved", "executing", "completed"])
    assert payable.filter(paid=0).exists()  # nothing received yet
    assert payable.filter(paid__gt=0, paid__lt=F("total")).exists()  # partly paid
    assert Contract.objects.filter(paid=F("total"), paid__gt=0).exists()  # fully paid

    # Approvals by the owner's department head, some rejected with a reason.
    decisions = ApprovalDecision.objects.select_related("contract__owner", "approver")
    assert decisions.filter(decision=Decision.APPROVE).exists()
    rejected = decisions.filter(decision=Decision.REJECT)
    assert rejected.exists() and not rejected.filter(comment="").exists()
    heads = {u.pk: cs.approver_for(u) for u in User.objects.filter(contracts__isnull=False)}
    for decision in decisions:
        assert decision.approver == heads[decision.contract.owner_id]
        assert decision.contract.created_at < decision.decided_at <= now
    assert (
        Contract.objects.filter(status=ContractStatus.PENDING)
        .exclude(approver__username__in=["manager", "manager2"])
        .count()
        == 0
    )
    # A contract rejected once, corrected and then approved keeps both decisions.
    assert (
        Contract.objects.annotate(n=Count("decisions", distinct=True))
        .filter(n=2, status__in=["approved", "executing", "completed", "terminated"])
        .exists()
    )

    # Execution dates lie in the past, in order, not on the day of the load.
    for contract in Contract.objects.exclude(started_on=None):
        assert contract.signed_on <= contract.started_on <= today
        assert contract.started_on != today or contract.signed_on == today
        if contract.completed_on:
            assert contract.started_on <= contract.completed_on < today
        assert records[contract.pk] == lines[contract.pk]
    assert (
        not SalesRecord.objects.exclude(contract=None)
        .exclude(date=F("contract__signed_on"))
        .exists()
    )
    assert not Contract.objects.filter(
        status__in=["draft", "pending", "approved", "rejected"], started_on__isnull=False
    ).exists()
    signed = Contract.objects.exclude(signed_on=None).aggregate(first=Min("signed_on"))
    assert signed["first"] < today - datetime.timedelta(days=365)
    for payment in Payment.objects.select_related("contract"):
        assert payment.contract.signed_on <= payment.date <= today

    # Sales records over (almost) every month of the last two years, some entered by hand.
    months = {
        months_back(day, today)
        for day in SalesRecord.objects.values_list("date", flat=True).distinct()
    }
    assert len({m for m in months if m < 24}) >= 20
    assert SalesRecord.objects.filter(contract=None).exists()


def check_customers_and_receivables(users):
    # Customers: active exactly when they have an executing or completed contract.
    live = Contract.objects.filter(status__in=ACTIVE_CUSTOMER_STATUSES).values("customer")
    assert Customer.objects.filter(pk__in=live).exists()
    assert not Customer.objects.filter(pk__in=live).exclude(status=CustomerStatus.ACTIVE).exists()
    assert not Customer.objects.filter(status=CustomerStatus.ACTIVE).exclude(pk__in=live).exists()
    assert Customer.objects.filter(status=CustomerStatus.PROSPECT).exists()
    # Each customer was entered before anything happened with it.
    assert not (
        Customer.objects.annotate(first=Min("opportunities__created_at"))
        .filter(first__lte=F("created_at"))
        .exists()
    )

    earliest_contract = Contract.objects.aggregate(m=Min("created_at"))["m"]
    assert Customer.objects.filter(created_at__lt=earliest_contract).exists()
    assert not Customer.objects.filter(created_at__gt=timezone.now()).exists()

    # Money is owed in every age bucket.
    rows = receivable_ages(reader=users["admin"], rows=receivables(reader=users["admin"]))
    for key in ("age_0_30", "age_31_90", "age_91_180", "age_181_365", "age_366_plus"):
        assert sum(row[key] for row in rows) > 0, key
    # The demo went through the services: the summaries they keep match a rebuild.
    from guanxi.sales.models import CustomerReceivable, OpportunityStageTotal
    from guanxi.sales.services.pipeline import pipeline_computed_rows
    from guanxi.sales.services.receivables import receivables_computed_rows

    kept = {
        (r.customer_id, r.owner_id): (r.contracts, r.outstanding_cents)
        for r in CustomerReceivable.objects.all()
    }
    assert kept and kept == {
        (r["customer_id"], r["owner_id"]): (r["contracts"], r["outstanding_cents"])
        for r in receivables_computed_rows()
    }
    totals = {
        (r.stage_id, r.owner_id): (r.count, r.amount_cents, r.weighted_cents)
        for r in OpportunityStageTotal.objects.exclude(count=0)
    }
    assert totals and totals == {
        (r["stage_id"], r["owner_id"]): (r["count"], r["amount_cents"], r["weighted_cents"])
        for r in pipeline_computed_rows()
    }


def check_history_is_dated(users):
    """Nothing the demo did is dated on the day of the load, the history entries' recorded
    moments ("done at", "closed at", "execution start") included."""
    today = timezone.localdate()
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    entries = AuditLog.objects.exclude(action=AuditAction.IMPORT)
    assert entries.count() > 500
    assert not entries.filter(at__gte=start_of_today).exists()
    for entry in entries.filter(content_type__model__in=["task", "opportunity", "contract"]):
        for change in entry.changes:
            if change["field"] in {"started_on", "completed_on"}:
                assert change["new"] < str(today), change
            if change["field"] in {"done_at", "closed_at"} and change["new"]:
                moment = datetime.datetime.fromisoformat(change["new"])
                assert moment < start_of_today, change


def check_numbering_continues_and_the_load_is_not_repeated(users):
    count = Contract.objects.count()
    call_command("load_demo", if_empty=True)
    assert Contract.objects.count() == count
    # The next contract continues this year's counter without a gap.
    year = timezone.localdate().year
    this_year = Contract.objects.filter(number__startswith=f"HT-{year}-").count()
    customer = Customer.objects.filter(owner=users["sales1"], review_status="approved").first()
    product = Product.objects.filter(is_active=True).first()
    contract = cs.contract_create(
        actor=users["sales1"],
        customer=customer,
        lines=[{"product": product, "quantity": "1", "unit_price": "10.00"}],
    )
    assert contract.number == f"HT-{year}-{this_year + 1:05d}"
