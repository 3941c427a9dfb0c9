"""The contract status flow and its approval (审批).

draft → pending (at or above the threshold) | approved (below it) on submit; pending →
approved | rejected; rejected → pending on resubmit, lines editable; approved → executing →
completed; pending / approved / executing → terminated with a comment; delete only draft or
rejected. Every action is tried from every status."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.common.models import AuditAction, AuditLog
from guanxi.common.selectors import object_history
from guanxi.sales.enums import ContractStatus, Decision
from guanxi.sales.models import ApprovalDecision, Contract, ContractLine
from guanxi.sales.selectors import approval_queue
from guanxi.sales.services import contracts as cs
from guanxi.sales.services.records import sales_settings_update
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

STATUSES = [s.value for s in ContractStatus]
ABOVE = "150000.00"

# action → (statuses it is allowed from, status it leads to; None = deleted)
FLOW = {
    "update_lines": ({"draft", "rejected"}, None),
    "submit": ({"draft", "rejected"}, "pending"),
    "approve": ({"pending"}, "approved"),
    "reject": ({"pending"}, "rejected"),
    "start": ({"approved"}, "executing"),
    "complete": ({"executing"}, "completed"),
    "terminate": ({"pending", "approved", "executing"}, "terminated"),
    "delete": ({"draft", "rejected"}, None),
}


def act(action, org, contract, product):
    u = org.users
    if action == "update_lines":
        return cs.contract_update(
            actor=u.sales1,
            contract=contract,
            lines=[{"product": product, "quantity": "3", "unit_price": "60000.00"}],
        )
    if action == "submit":
        return cs.contract_submit(actor=u.sales1, contract=contract)
    if action == "approve":
        return cs.contract_approve(actor=u.manager, contract=contract, comment="好")
    if action == "reject":
        return cs.contract_reject(actor=u.manager, contract=contract, comment="价格太低")
    if action == "start":
        return cs.contract_start(actor=u.sales1, contract=contract)
    if action == "complete":
        return cs.contract_complete(actor=u.sales1, contract=contract)
    if action == "terminate":
        return cs.contract_terminate(actor=u.sales1, contract=contract, comment="客户取消")
    if action == "delete":
        return cs.contract_delete(actor=u.sales1, contract=contract)
    raise ValueError(action)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(FLOW))
def test_status_matrix(org, make_contract, product, status, action):
    contract = make_contract(org.users.sales1, total=ABOVE, status=status)
    assert contract.status == status
    allowed, leads_to = FLOW[action]
    decisions = ApprovalDecision.objects.filter(contract=contract).count()
    entries = AuditLog.objects.count()
    lines = list(contract.lines.values_list("quantity", "unit_price"))

    if status in allowed:
        result = act(action, org, contract, product)
        if action == "delete":
            assert not Contract.objects.filter(pk=contract.pk).exists()
            return
        contract.refresh_from_db()
        assert contract.status == (leads_to or status)
        assert result.status == contract.status
        assert AuditLog.objects.count() > entries
        if action in ("approve", "reject"):
            assert ApprovalDecision.objects.filter(contract=contract).count() == decisions + 1
        if action == "update_lines":
            assert contract.total == Decimal("180000.00")
    else:
        with pytest.raises(ValidationError):
            act(action, org, contract, product)
        contract.refresh_from_db()
        assert contract.status == status
        assert ApprovalDecision.objects.filter(contract=contract).count() == decisions
        assert AuditLog.objects.count() == entries
        assert list(contract.lines.values_list("quantity", "unit_price")) == lines


@pytest.mark.parametrize("status", STATUSES)
def test_header_fields_change_only_while_editable_but_notes_always(org, make_contract, status):
    contract = make_contract(org.users.sales1, total=ABOVE, status=status)
    updated = cs.contract_update(actor=org.users.sales1, contract=contract, notes="备注")
    assert updated.notes == "备注"
    if status in ("draft", "rejected"):
        assert cs.contract_update(actor=org.users.sales1, contract=contract, title="T").title == "T"
    else:
        with pytest.raises(ValidationError):
            cs.contract_update(actor=org.users.sales1, contract=contract, title="T")
        contract.refresh_from_db()
        assert contract.title == ""


def test_terminate_needs_a_comment(org, make_contract):
    contract = make_contract(org.users.sales1, total=ABOVE, status="approved")
    for blank in ("", "  ", None):
        with pytest.raises(ValidationError) as exc:
            cs.contract_terminate(actor=org.users.sales1, contract=contract, comment=blank)
        assert "comment" in exc.value.message_dict
    contract.refresh_from_db()
    assert contract.status == "approved"


def test_terminate_logs_the_comment(org, make_contract):
    contract = make_contract(org.users.sales1, total=ABOVE, status="executing")
    cs.contract_terminate(actor=org.users.sales1, contract=contract, comment=" 客户破产 ")
    entry = object_history(contract).filter(action=AuditAction.TRANSITION).latest("id")
    assert entry.detail == {"comment": "客户破产"}
    assert {c["field"]: c["new"] for c in entry.changes}["status"] == "terminated"


def test_delete_removes_lines_and_decisions_and_writes_history(org, make_contract):
    contract = make_contract(org.users.sales1, total=ABOVE, status="rejected")
    assert ApprovalDecision.objects.filter(contract=contract).count() == 1
    cs.contract_delete(actor=org.users.sales1, contract=contract)
    assert not ContractLine.objects.filter(contract_id=contract.pk).exists()
    assert not ApprovalDecision.objects.filter(contract_id=contract.pk).exists()
    assert object_history(contract).filter(action=AuditAction.DELETE).exists()


def test_submit_needs_lines(org):
    contract = cs.contract_create(
        actor=org.users.sales1, customer=CustomerFactory(owner=org.users.sales1)
    )
    with pytest.raises(ValidationError) as exc:
        cs.contract_submit(actor=org.users.sales1, contract=contract)
    assert "lines" in exc.value.message_dict
    contract.refresh_from_db()
    assert contract.status == "draft"


def test_rejected_then_corrected_then_resubmitted_and_approved(org, make_contract, product):
    u = org.users
    contract = make_contract(u.sales1, total=ABOVE, status="pending")
    cs.contract_reject(actor=u.manager, contract=contract, comment="数量不对")
    cs.contract_update(
        actor=u.sales1,
        contract=contract,
        lines=[{"product": product, "quantity": "2", "unit_price": "60000"}],
    )
    again = cs.contract_submit(actor=u.sales1, contract=contract, comment="已改")
    assert again.status == "pending"
    assert again.approver == u.manager
    cs.contract_approve(actor=u.manager, contract=contract, comment="可以")
    decisions = list(ApprovalDecision.objects.filter(contract=contract).order_by("id"))
    assert [(d.decision, d.comment, d.total) for d in decisions] == [
        (Decision.REJECT, "数量不对", Decimal(ABOVE)),
        (Decision.APPROVE, "可以", Decimal("120000.00")),
    ]
    assert all(d.approver == u.manager for d in decisions)
    assert decisions[0].decided_at <= decisions[1].decided_at


# --- threshold and rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    "total, expected",
    [("100000.00", "pending"), ("100000.01", "pending"), ("99999.99", "approved")],
)
def test_threshold(org, make_contract, total, expected):
    contract = make_contract(org.users.sales1, total=total)
    submitted = cs.contract_submit(actor=org.users.sales1, contract=contract)
    assert submitted.status == expected
    assert submitted.submitted_at is not None
    entry = object_history(contract).get(action=AuditAction.SUBMIT)
    if expected == "approved":
        assert submitted.approver is None
        assert entry.detail["auto_approved"] is True
        assert not ApprovalDecision.objects.filter(contract=contract).exists()
    else:
        assert submitted.approver == org.users.manager
        assert entry.detail["approver"] == str(org.users.manager)


def test_the_threshold_is_configurable(org, make_contract):
    sales_settings_update(actor=org.users.admin, approval_threshold=Decimal("500"))
    assert cs.needs_approval(Decimal("500"))
    assert not cs.needs_approval(Decimal("499.99"))
    high = make_contract(org.users.sales1, total="600")
    low = make_contract(org.users.sales1, total="400")
    assert cs.contract_submit(actor=org.users.sales1, contract=high).status == "pending"
    assert cs.contract_submit(actor=org.users.sales1, contract=low).status == "approved"


def test_rule_all_always_needs_approval(org, make_contract):
    sales_settings_update(actor=org.users.admin, approval_rule="all")
    contract = make_contract(org.users.sales1, total="0.01")
    assert cs.contract_submit(actor=org.users.sales1, contract=contract).status == "pending"


def test_a_zero_total_contract_is_approved_below_a_threshold(org, make_contract):
    contract = make_contract(org.users.sales1, total="0")
    assert cs.contract_submit(actor=org.users.sales1, contract=contract).status == "approved"


# --- who approves ------------------------------------------------------------------------


def test_the_approver_is_the_owners_department_head(org):
    u = org.users
    assert cs.approver_for(u.sales1) == u.manager
    assert cs.approver_for(u.sales2) == u.manager2
    # east_sub has no head: the head above
    assert cs.approver_for(u.sales1b) == u.manager
    # the head of a department goes to the head above; HQ has none
    assert cs.approver_for(u.manager) is None
    org.hq.head = u.admin
    org.hq.save()
    u.manager.department.refresh_from_db()
    assert cs.approver_for(u.manager) == u.admin
    assert cs.approver_for(None) is None


def test_a_head_who_may_not_approve_is_passed_over(org):
    u = org.users
    org.hq.head = u.exec  # executives view contracts but do not approve them
    org.hq.save()
    assert cs.approver_for(u.manager) is None
    org.east.head = u.sales1  # a salesperson heading the department
    org.east.save()
    u.sales1b.department.refresh_from_db()
    assert cs.approver_for(u.sales1b) is None
    org.hq.head = u.admin
    org.hq.save()
    u.sales1b.department.refresh_from_db()
    assert cs.approver_for(u.sales1b) == u.admin


def test_a_deactivated_head_is_skipped(org):
    u = org.users
    org.hq.head = u.admin
    org.hq.save()
    u.manager.is_active = False
    u.manager.save()
    u.sales1.department.refresh_from_db()
    assert cs.approver_for(u.sales1) == u.admin


def test_an_owner_without_a_department_has_no_approver(org):
    from tests.factories import UserFactory

    loner = UserFactory(roles=["salesperson"])
    assert cs.approver_for(loner) is None


def test_sub_department_contract_goes_to_the_manager_who_approves(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1b, total=ABOVE, status="pending")
    assert contract.approver == u.manager
    assert cs.may_decide(u.manager, contract)
    assert contract in approval_queue(reader=u.manager)
    approved = cs.contract_approve(actor=u.manager, contract=contract, comment="ok")
    assert approved.status == "approved"
    decision = ApprovalDecision.objects.get(contract=contract)
    assert (decision.decision, decision.approver, decision.comment, decision.total) == (
        Decision.APPROVE,
        u.manager,
        "ok",
        Decimal(ABOVE),
    )
    entry = object_history(contract).get(action=AuditAction.APPROVE)
    assert entry.user == u.manager
    assert entry.detail == {"comment": "ok"}
    assert {c["field"]: c["new"] for c in entry.changes}["status"] == "approved"


def test_reject_is_stored_with_its_comment(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1, total=ABOVE, status="pending")
    cs.contract_reject(actor=u.manager, contract=contract, comment="  价格太低 ")
    decision = ApprovalDecision.objects.get(contract=contract)
    assert (decision.decision, decision.comment, decision.total) == (
        Decision.REJECT,
        "价格太低",
        Decimal(ABOVE),
    )
    assert object_history(contract).filter(action=AuditAction.REJECT).exists()


def test_the_managers_own_contract_goes_up_or_to_an_all_scope_approver(org, make_contract):
    u = org.users
    contract = make_contract(u.manager, total=ABOVE, status="pending")
    assert contract.approver is None
    for user in (u.manager, u.manager2):
        assert not cs.may_decide(user, contract)
        assert contract not in approval_queue(reader=user)
    with pytest.raises(PermissionDenied):
        cs.contract_approve(actor=u.manager, contract=contract)
    with pytest.raises(PermissionDenied):
        cs.contract_approve(actor=u.manager2, contract=contract)
    assert contract in approval_queue(reader=u.admin)
    assert cs.contract_approve(actor=u.admin, contract=contract).status == "approved"


@pytest.mark.parametrize("decide", [cs.contract_approve, cs.contract_reject])
def test_nobody_decides_their_own_contract(org, make_contract, decide):
    u = org.users
    owned = make_contract(u.admin, total=ABOVE, status="pending")
    with pytest.raises(PermissionDenied):
        decide(actor=u.admin, contract=owned)
    # entered by the manager for a salesperson: the manager cannot approve it either
    entered = make_contract(u.sales1, total=ABOVE, status="pending", actor=u.manager)
    assert entered.created_by == u.manager and entered.owner == u.sales1
    with pytest.raises(PermissionDenied):
        decide(actor=u.manager, contract=entered)
    assert not ApprovalDecision.objects.exists()
    assert Contract.objects.filter(status="pending").count() == 2


@pytest.mark.parametrize("decide", [cs.contract_approve, cs.contract_reject])
def test_a_manager_outside_the_department_tree_cannot_decide(org, make_contract, decide):
    u = org.users
    contract = make_contract(u.sales1, total=ABOVE, status="pending")
    with pytest.raises(PermissionDenied):
        decide(actor=u.manager2, contract=contract)
    north = make_contract(u.sales2, total=ABOVE, status="pending")
    with pytest.raises(PermissionDenied):
        decide(actor=u.manager, contract=north)
    assert not ApprovalDecision.objects.exists()


@pytest.mark.parametrize("role", ["sales1", "sales1b", "sales2", "clerk", "service", "exec"])
@pytest.mark.parametrize("decide", [cs.contract_approve, cs.contract_reject])
def test_roles_without_the_approve_permission_cannot_decide(org, make_contract, role, decide):
    contract = make_contract(org.users.sales1, total=ABOVE, status="pending")
    user = getattr(org.users, role)
    assert not cs.may_decide(user, contract)
    with pytest.raises(PermissionDenied):
        decide(actor=user, contract=contract)
    contract.refresh_from_db()
    assert contract.status == "pending"
    assert not ApprovalDecision.objects.exists()


def test_a_stale_decision_is_refused_with_a_clear_message(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1, total=ABOVE, status="pending")
    seen_by_admin = Contract.objects.get(pk=contract.pk)  # loaded before the manager acts
    cs.contract_reject(actor=u.manager, contract=contract, comment="no")
    with pytest.raises(ValidationError) as exc:
        cs.contract_approve(actor=u.admin, contract=seen_by_admin, comment="yes")
    message = exc.value.messages[0]
    assert "someone else acted on it first" in message
    assert "Rejected" in message
    assert ApprovalDecision.objects.filter(contract=contract).count() == 1
    contract.refresh_from_db()
    assert contract.status == "rejected"


@pytest.mark.parametrize("role", ["clerk", "researcher", "service", "exec"])
def test_roles_without_change_cannot_move_a_contract(org, make_contract, role):
    user = getattr(org.users, role)
    draft = make_contract(org.users.sales1, total=ABOVE)
    approved = make_contract(org.users.sales1, total="10", status="approved")
    executing = make_contract(org.users.sales1, total="10", status="executing")
    calls = [
        lambda: cs.contract_update(actor=user, contract=draft, title="x"),
        lambda: cs.contract_submit(actor=user, contract=draft),
        lambda: cs.contract_delete(actor=user, contract=draft),
        lambda: cs.contract_start(actor=user, contract=approved),
        lambda: cs.contract_complete(actor=user, contract=executing),
        lambda: cs.contract_terminate(actor=user, contract=executing, comment="x"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert sorted(Contract.objects.values_list("status", flat=True)) == [
        "approved",
        "draft",
        "executing",
    ]
