"""Opportunities (销售机会) through the services: create, stage moves with their StageChange
rows, win / lose / reopen, delete, roles, history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction
from guanxi.common.selectors import object_history
from guanxi.reference.models import LostReason, OpportunityStage
from guanxi.sales.enums import OpportunityStatus
from guanxi.sales.models import Opportunity, StageChange, Task
from guanxi.sales.services import contracts as cs
from guanxi.sales.services import opportunities as ops
from tests.factories import CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db


def stage(code):
    return OpportunityStage.objects.get(code=code)


def reason(code="PRICE"):
    return LostReason.objects.get(code=code)


@pytest.fixture
def opp(org):
    customer = CustomerFactory(owner=org.users.sales1)
    return ops.opportunity_create(
        actor=org.users.sales1, customer=customer, name="冲压线改造", amount="80000"
    )


# --- create ------------------------------------------------------------------------------


def test_create_takes_the_first_stage_and_its_probability(org, opp):
    assert opp.stage == stage("INITIAL")
    assert opp.probability == 10
    assert opp.owner == org.users.sales1
    assert opp.status == OpportunityStatus.OPEN
    assert opp.amount == Decimal("80000")
    assert opp.created_by == org.users.sales1
    assert opp.stage_changed_at is not None
    first = StageChange.objects.get(opportunity=opp)
    assert (first.from_stage, first.to_stage) == (None, stage("INITIAL"))
    assert (first.from_status, first.to_status) == ("", OpportunityStatus.OPEN)
    assert first.changed_by == org.users.sales1


def test_create_probability_defaults_from_the_chosen_stage(org):
    customer = CustomerFactory(owner=org.users.sales1)
    opp = ops.opportunity_create(
        actor=org.users.sales1, customer=customer, name="A", stage=stage("PROPOSAL")
    )
    assert opp.probability == 50


@pytest.mark.parametrize("probability", [0, 35, 100])
def test_create_keeps_an_explicit_probability(org, probability):
    customer = CustomerFactory(owner=org.users.sales1)
    opp = ops.opportunity_create(
        actor=org.users.sales1,
        customer=customer,
        name="A",
        stage=stage("PROPOSAL"),
        probability=probability,
    )
    assert opp.probability == probability


def test_create_refuses_a_probability_above_100(org):
    customer = CustomerFactory(owner=org.users.sales1)
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=org.users.sales1, customer=customer, name="A", probability=101)
    assert "probability" in exc.value.message_dict
    assert not Opportunity.objects.exists()


def test_create_refuses_an_inactive_stage(org):
    customer = CustomerFactory(owner=org.users.sales1)
    old = stage("NEEDS")
    old.is_active = False
    old.save()
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=org.users.sales1, customer=customer, name="A", stage=old)
    assert "stage" in exc.value.message_dict


def test_create_refuses_a_customer_outside_the_actors_scope(org):
    theirs = CustomerFactory(owner=org.users.sales2)
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=org.users.sales1, customer=theirs, name="A")
    assert "customer" in exc.value.message_dict
    assert not Opportunity.objects.exists()
    assert not StageChange.objects.exists()


def test_create_refuses_a_customer_in_the_recycle_bin(org):
    gone = CustomerFactory(owner=org.users.sales1, deleted_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=org.users.sales1, customer=gone, name="A")
    assert "customer" in exc.value.message_dict


def test_create_refuses_no_customer(org):
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=org.users.sales1, customer=None, name="A")
    assert "customer" in exc.value.message_dict


def test_create_refuses_an_owner_outside_the_actors_scope(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=u.sales1, customer=customer, name="A", owner=u.sales1b)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=u.manager, customer=customer, name="A", owner=u.sales2)
    assert "owner" in exc.value.message_dict
    assert not Opportunity.objects.exists()


def test_a_manager_may_hand_an_opportunity_to_someone_in_the_department_tree(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1b)
    opp = ops.opportunity_create(actor=u.manager, customer=customer, name="A", owner=u.sales1b)
    assert opp.owner == u.sales1b


def test_create_refuses_a_deactivated_owner(org):
    u = org.users
    u.sales1b.is_active = False
    u.sales1b.save()
    customer = CustomerFactory(owner=u.sales1)
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_create(actor=u.manager, customer=customer, name="A", owner=u.sales1b)
    assert "owner" in exc.value.message_dict


def test_create_writes_a_history_entry(org, opp):
    entry = object_history(opp).get(action=AuditAction.CREATE)
    assert entry.user == org.users.sales1
    assert entry.parent_id == opp.customer_id
    changes = {c["field"]: c["new"] for c in entry.changes}
    assert changes["name"] == "冲压线改造"
    assert changes["amount"] == "80000.00"
    assert changes["probability"] == "10"
    assert "stage_changed_at" not in changes


# --- stage moves -------------------------------------------------------------------------


def test_a_move_writes_a_stage_change_and_takes_the_stages_probability(org, opp):
    before = timezone.now()
    moved = ops.opportunity_move(actor=org.users.sales1, opportunity=opp, stage=stage("NEEDS"))
    after = timezone.now()
    assert moved.stage == stage("NEEDS")
    assert moved.probability == 25
    assert before <= moved.stage_changed_at <= after
    change = StageChange.objects.filter(opportunity=opp).latest("id")
    assert change.from_stage == stage("INITIAL")
    assert change.to_stage == stage("NEEDS")
    assert (change.from_status, change.to_status) == ("open", "open")
    assert change.changed_by == org.users.sales1
    assert change.changed_at == moved.stage_changed_at
    opp.refresh_from_db()
    assert opp.stage_changed_at == moved.stage_changed_at


def test_a_move_keeps_an_explicitly_given_probability(org, opp):
    moved = ops.opportunity_update(
        actor=org.users.sales1, opportunity=opp, stage=stage("NEGOTIATION"), probability=60
    )
    assert moved.probability == 60


def test_a_form_sending_the_old_probability_with_a_new_stage_takes_the_stage_default(org, opp):
    moved = ops.opportunity_update(
        actor=org.users.sales1, opportunity=opp, stage=stage("NEGOTIATION"), probability=10
    )
    assert moved.probability == 75


def test_an_edit_without_a_stage_change_writes_no_stage_change(org, opp):
    at = opp.stage_changed_at
    ops.opportunity_update(
        actor=org.users.sales1, opportunity=opp, stage=stage("INITIAL"), amount="90000"
    )
    ops.opportunity_update(actor=org.users.sales1, opportunity=opp, probability=None, notes="x")
    opp.refresh_from_db()
    assert opp.amount == Decimal("90000")
    assert opp.probability == 10
    assert opp.stage_changed_at == at
    assert StageChange.objects.filter(opportunity=opp).count() == 1


def test_each_move_is_recorded_in_order(org, opp):
    for code in ("NEEDS", "PROPOSAL", "NEEDS"):
        ops.opportunity_move(actor=org.users.sales1, opportunity=opp, stage=stage(code))
    rows = list(StageChange.objects.filter(opportunity=opp))
    assert [(r.from_stage and r.from_stage.code, r.to_stage.code) for r in rows] == [
        (None, "INITIAL"),
        ("INITIAL", "NEEDS"),
        ("NEEDS", "PROPOSAL"),
        ("PROPOSAL", "NEEDS"),
    ]


def test_a_move_to_an_inactive_stage_is_refused(org, opp):
    old = stage("NEEDS")
    old.is_active = False
    old.save()
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_move(actor=org.users.sales1, opportunity=opp, stage=old)
    assert "stage" in exc.value.message_dict


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_a_closed_opportunity_cannot_move(org, opp, outcome):
    u = org.users
    if outcome == "won":
        ops.opportunity_win(actor=u.sales1, opportunity=opp)
    else:
        ops.opportunity_lose(actor=u.sales1, opportunity=opp, reason=reason())
    count = StageChange.objects.filter(opportunity=opp).count()
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_move(actor=u.sales1, opportunity=opp, stage=stage("NEEDS"))
    assert "stage" in exc.value.message_dict
    opp.refresh_from_db()
    assert opp.stage == stage("INITIAL")
    assert StageChange.objects.filter(opportunity=opp).count() == count


def test_a_move_writes_history_with_the_stage_and_probability(org, opp):
    ops.opportunity_move(actor=org.users.sales1, opportunity=opp, stage=stage("PROPOSAL"))
    entry = object_history(opp).filter(action=AuditAction.UPDATE).latest("id")
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    # reference entries are logged by their (Chinese) name, whatever the reader's language
    assert changes["stage"] == ("初步接触", "方案报价")
    assert changes["probability"] == ("10", "50")
    assert "stage_changed_at" not in changes


def test_changing_the_customer_checks_the_scope(org, opp):
    u = org.users
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_update(
            actor=u.sales1, opportunity=opp, customer=CustomerFactory(owner=u.sales2)
        )
    assert "customer" in exc.value.message_dict


def test_changing_the_owner_checks_the_scope(org, opp):
    u = org.users
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_update(actor=u.manager, opportunity=opp, owner=u.sales2)
    assert "owner" in exc.value.message_dict
    moved = ops.opportunity_update(actor=u.manager, opportunity=opp, owner=u.sales1b)
    assert moved.owner == u.sales1b


# --- win / lose / reopen -----------------------------------------------------------------


def test_win_closes_at_100_percent_and_records_it(org, opp):
    before = timezone.now()
    won = ops.opportunity_win(actor=org.users.sales1, opportunity=opp, note="签了")
    assert won.status == OpportunityStatus.WON
    assert won.probability == 100
    assert won.closed_at >= before
    assert won.lost_reason is None
    assert "签了" in won.notes
    change = StageChange.objects.filter(opportunity=opp).latest("id")
    assert (change.from_status, change.to_status) == ("open", "won")
    assert change.from_stage == change.to_stage == stage("INITIAL")
    assert change.changed_by == org.users.sales1
    entry = object_history(opp).filter(action=AuditAction.TRANSITION).get()
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes["status"] == ("open", "won")
    assert changes["probability"] == ("10", "100")


def test_lose_needs_a_reason(org, opp):
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_lose(actor=org.users.sales1, opportunity=opp, reason=None)
    assert "lost_reason" in exc.value.message_dict
    opp.refresh_from_db()
    assert opp.status == OpportunityStatus.OPEN


def test_lose_refuses_an_inactive_reason(org, opp):
    old = reason("TIMING")
    old.is_active = False
    old.save()
    with pytest.raises(ValidationError) as exc:
        ops.opportunity_lose(actor=org.users.sales1, opportunity=opp, reason=old)
    assert "lost_reason" in exc.value.message_dict
    opp.refresh_from_db()
    assert opp.status == OpportunityStatus.OPEN


def test_lose_with_a_reason(org, opp):
    lost = ops.opportunity_lose(actor=org.users.sales1, opportunity=opp, reason=reason())
    assert lost.status == OpportunityStatus.LOST
    assert lost.lost_reason == reason()
    assert lost.probability == 0
    change = StageChange.objects.filter(opportunity=opp).latest("id")
    assert (change.from_status, change.to_status) == ("open", "lost")


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_a_closed_opportunity_cannot_be_closed_again(org, opp, outcome):
    u = org.users
    ops.opportunity_win(actor=u.sales1, opportunity=opp)
    with pytest.raises(ValidationError):
        if outcome == "won":
            ops.opportunity_win(actor=u.sales1, opportunity=opp)
        else:
            ops.opportunity_lose(actor=u.sales1, opportunity=opp, reason=reason())


def test_reopen_returns_to_the_stage_with_its_probability(org, opp):
    u = org.users
    ops.opportunity_move(actor=u.sales1, opportunity=opp, stage=stage("PROPOSAL"))
    ops.opportunity_lose(actor=u.sales1, opportunity=opp, reason=reason())
    reopened = ops.opportunity_reopen(actor=u.sales1, opportunity=opp)
    assert reopened.status == OpportunityStatus.OPEN
    assert reopened.stage == stage("PROPOSAL")
    assert reopened.probability == 50
    assert reopened.lost_reason is None and reopened.closed_at is None
    change = StageChange.objects.filter(opportunity=opp).latest("id")
    assert (change.from_status, change.to_status) == ("lost", "open")
    # open again, it moves again
    ops.opportunity_move(actor=u.sales1, opportunity=opp, stage=stage("COMMIT"))


def test_reopen_refuses_an_open_opportunity(org, opp):
    with pytest.raises(ValidationError):
        ops.opportunity_reopen(actor=org.users.sales1, opportunity=opp)


def test_reopen_refused_once_a_contract_was_made(org, opp):
    u = org.users
    ops.opportunity_win(actor=u.sales1, opportunity=opp)
    cs.contract_from_opportunity(actor=u.sales1, opportunity=opp)
    with pytest.raises(ValidationError):
        ops.opportunity_reopen(actor=u.sales1, opportunity=opp)
    opp.refresh_from_db()
    assert opp.status == OpportunityStatus.WON


def test_only_a_won_opportunity_becomes_a_contract(org, opp):
    with pytest.raises(ValidationError):
        cs.contract_from_opportunity(actor=org.users.sales1, opportunity=opp)
    ops.opportunity_win(actor=org.users.sales1, opportunity=opp)
    contract = cs.contract_from_opportunity(actor=org.users.sales1, opportunity=opp)
    assert contract.customer == opp.customer
    assert contract.opportunity == opp
    assert contract.title == opp.name
    assert contract.status == "draft"


# --- delete ------------------------------------------------------------------------------


def test_delete_unlinks_tasks_and_writes_history(org, opp):
    task = TaskFactory(customer=opp.customer, opportunity=opp)
    ops.opportunity_delete(actor=org.users.sales1, opportunity=opp)
    assert not Opportunity.objects.filter(pk=opp.pk).exists()
    assert not StageChange.objects.filter(opportunity_id=opp.pk).exists()
    task.refresh_from_db()
    assert task.opportunity is None
    assert Task.objects.filter(pk=task.pk).exists()
    assert object_history(opp).filter(action=AuditAction.DELETE).exists()


def test_delete_refused_with_contracts(org, opp):
    u = org.users
    ops.opportunity_win(actor=u.sales1, opportunity=opp)
    cs.contract_from_opportunity(actor=u.sales1, opportunity=opp)
    with pytest.raises(ValidationError):
        ops.opportunity_delete(actor=u.sales1, opportunity=opp)
    assert Opportunity.objects.filter(pk=opp.pk).exists()
    assert not object_history(opp).filter(action=AuditAction.DELETE).exists()


# --- roles -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "researcher", "service", "exec"])
def test_roles_without_create_are_refused(org, role):
    user = getattr(org.users, role)
    customer = CustomerFactory(owner=user)
    with pytest.raises(PermissionDenied):
        ops.opportunity_create(actor=user, customer=customer, name="A")


@pytest.mark.parametrize("role", ["clerk", "researcher", "service", "exec"])
def test_roles_without_change_or_delete_are_refused(org, opp, role):
    user = getattr(org.users, role)
    calls = [
        lambda: ops.opportunity_update(actor=user, opportunity=opp, name="B"),
        lambda: ops.opportunity_move(actor=user, opportunity=opp, stage=stage("NEEDS")),
        lambda: ops.opportunity_win(actor=user, opportunity=opp),
        lambda: ops.opportunity_lose(actor=user, opportunity=opp, reason=reason()),
        lambda: ops.opportunity_reopen(actor=user, opportunity=opp),
        lambda: ops.opportunity_delete(actor=user, opportunity=opp),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    opp.refresh_from_db()
    assert opp.name == "冲压线改造" and opp.is_open
    assert list(object_history(opp).values_list("action", flat=True)) == ["create"]


@pytest.mark.parametrize("role", ["salesperson", "sales_manager", "admin"])
def test_roles_with_the_permission_may_create(org, role):
    user = {"salesperson": org.users.sales1, "sales_manager": org.users.manager}.get(
        role, org.users.admin
    )
    customer = CustomerFactory(owner=user)
    assert ops.opportunity_create(actor=user, customer=customer, name="A").pk


def test_a_contract_from_an_opportunity_belongs_to_the_opportunitys_owner(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1b)
    opp = ops.opportunity_create(actor=u.sales1b, customer=customer, name="A")
    opp = ops.opportunity_win(actor=u.sales1b, opportunity=opp)
    contract = cs.contract_from_opportunity(actor=u.manager, opportunity=opp)
    assert contract.owner == u.sales1b
    assert contract.created_by == u.manager
    # a deactivated owner cannot hold it: the actor does
    u.sales1b.is_active = False
    u.sales1b.save()
    contract = cs.contract_from_opportunity(actor=u.manager, opportunity=opp)
    assert contract.owner == u.manager
