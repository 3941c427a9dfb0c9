"""Service requests: every transition allowed and refused, who may do it, what a refusal
leaves behind (nothing), what a success stamps and logs, and the notifications they send."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction, AuditLog
from guanxi.notifications.models import Notification
from guanxi.service.enums import RequestStatus
from guanxi.service.models import ServiceRequest
from guanxi.service.services import requests as rs
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, UserFactory

from .factories import ServiceRequestFactory, complaint_category, request_type

pytestmark = pytest.mark.django_db

S = RequestStatus


def _open(actor, customer, **fields):
    fields.setdefault("type", request_type("REPAIR"))
    fields.setdefault("subject", "冲压机异响")
    return rs.request_create(actor=actor, customer=customer, **fields)


def _advance(org, request, status):
    """Move a request to `status` through the services (service agent `service` works it)."""
    u = org.users
    order = [S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED]
    for target in order[1 : order.index(status) + 1]:
        if target == S.ASSIGNED:
            request = rs.request_assign(actor=u.svcmgr, request=request, assignee=u.service)
        elif target == S.IN_PROGRESS:
            request = rs.request_start(actor=u.service, request=request)
        elif target == S.RESOLVED:
            request = rs.request_resolve(actor=u.service, request=request, resolution="更换轴承")
        elif target == S.CLOSED:
            request = rs.request_close(actor=u.svcmgr, request=request, satisfaction=4)
    assert request.status == status
    return request


def _state(request):
    """Everything a refusal must leave untouched: the row, its history, the notifications."""
    ct = ContentType.objects.get_for_model(ServiceRequest)
    return (
        ServiceRequest.objects.filter(pk=request.pk).values().first(),
        AuditLog.objects.filter(content_type=ct, object_id=request.pk).count(),
        Notification.objects.count(),
    )


def _last_log(request):
    ct = ContentType.objects.get_for_model(ServiceRequest)
    return AuditLog.objects.filter(content_type=ct, object_id=request.pk).latest("id")


def _changed(entry):
    return {c["field"]: (c["old"], c["new"]) for c in entry.changes}


# --- the transition table -----------------------------------------------------------------


def _do(org, name, request):
    u = org.users
    if name == "assign":
        return rs.request_assign(actor=u.svcmgr, request=request, assignee=u.service)
    if name == "start":
        return rs.request_start(actor=u.svcmgr, request=request)
    if name == "resolve":
        return rs.request_resolve(actor=u.svcmgr, request=request, resolution="已处理")
    if name == "close":
        return rs.request_close(actor=u.svcmgr, request=request, satisfaction=5, comment="好")
    if name == "reopen":
        return rs.request_reopen(actor=u.svcmgr, request=request, reason="问题复发")
    raise ValueError(name)


ALLOWED = {
    "assign": {S.NEW: S.ASSIGNED},
    "start": {S.ASSIGNED: S.IN_PROGRESS},
    "resolve": {S.IN_PROGRESS: S.RESOLVED},
    "close": {S.RESOLVED: S.CLOSED},
    "reopen": {S.RESOLVED: S.IN_PROGRESS, S.CLOSED: S.IN_PROGRESS},
}
CASES = [(name, status) for name in ALLOWED for status in S.values]


@pytest.mark.parametrize(("name", "status"), CASES)
def test_transition_table(org, customer, name, status):
    request = _advance(org, _open(org.users.service, customer), status)
    # Assigning an assigned request to its own assignee is refused (nothing changes); to
    # test the plain move, assign to a second agent when the request already has one.
    expected = ALLOWED[name].get(status)
    if name == "assign" and status in (S.ASSIGNED, S.IN_PROGRESS):
        other = UserFactory(username="agent3", department=org.hq, roles=["service"])
        moved = rs.request_assign(actor=org.users.svcmgr, request=request, assignee=other)
        assert moved.status == S.ASSIGNED and moved.assignee == other
        return
    if expected is None:
        before = _state(request)
        with pytest.raises(ValidationError):
            _do(org, name, request)
        assert _state(request) == before
        return
    old_updated_at = ServiceRequest.objects.get(pk=request.pk).updated_at
    moved = _do(org, name, request)
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.status == expected == moved.status
    assert fresh.updated_by == org.users.svcmgr and fresh.updated_at >= old_updated_at
    entry = _last_log(request)
    assert entry.action == AuditAction.TRANSITION and entry.user == org.users.svcmgr
    assert _changed(entry)["status"] == (status, expected)
    assert entry.parent_id == customer.pk


def test_each_step_records_its_fields(org, customer):
    u = org.users
    request = _open(u.service, customer)
    request = rs.request_assign(actor=u.svcmgr, request=request, assignee=u.service)
    assert request.assigned_at is not None
    assert _changed(_last_log(request))["assignee"] == ("", str(u.service))
    request = rs.request_start(actor=u.service, request=request)
    request = rs.request_resolve(actor=u.service, request=request, resolution="  更换轴承 ")
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.resolution == "更换轴承" and fresh.resolved_at is not None
    assert _changed(_last_log(request))["resolution"] == ("", "更换轴承")
    request = rs.request_close(actor=u.service, request=request, satisfaction="4", comment=" 满意 ")
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert (fresh.satisfaction, fresh.satisfaction_comment) == (4, "满意")
    assert fresh.closed_at is not None
    changed = _changed(_last_log(request))
    assert changed["satisfaction"] == ("", "4") and changed["status"] == ("resolved", "closed")


def test_reopen_clears_the_outcome_and_keeps_the_due_time(org, customer):
    request = _advance(org, _open(org.users.service, customer), S.CLOSED)
    due = request.due_at
    request = rs.request_reopen(actor=org.users.service, request=request, reason=" 又坏了 ")
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.status == S.IN_PROGRESS and fresh.assignee == org.users.service
    assert fresh.resolved_at is None and fresh.closed_at is None
    assert fresh.satisfaction is None and fresh.satisfaction_comment == ""
    assert fresh.resolution == "更换轴承"  # kept for reference
    assert fresh.reopen_count == 1 and fresh.due_at == due
    entry = _last_log(request)
    assert entry.detail == {"reason": "又坏了"}
    # Resolved and reopened again: counted.
    request = rs.request_resolve(actor=org.users.service, request=fresh, resolution="再修")
    request = rs.request_reopen(actor=org.users.service, request=request)
    assert ServiceRequest.objects.get(pk=request.pk).reopen_count == 2


def test_reopen_without_assignee_goes_back_to_new(org, customer):
    request = ServiceRequestFactory(
        customer=customer, status=S.RESOLVED, resolved_at=timezone.now(), resolution="x"
    )
    request = rs.request_reopen(actor=org.users.service, request=request)
    assert request.status == S.NEW


# --- refusals: missing input, wrong person --------------------------------------------------


@pytest.mark.parametrize("resolution", ["", "   ", None])
def test_resolve_needs_a_resolution(org, customer, resolution):
    request = _advance(org, _open(org.users.service, customer), S.IN_PROGRESS)
    before = _state(request)
    with pytest.raises(ValidationError) as err:
        rs.request_resolve(actor=org.users.service, request=request, resolution=resolution)
    assert "resolution" in err.value.message_dict
    assert _state(request) == before


@pytest.mark.parametrize("score", [0, 6, -1, "4.5", 4.0, True, False, None, "", "abc", "0"])
def test_close_refuses_a_score_outside_1_to_5(org, customer, score):
    request = _advance(org, _open(org.users.service, customer), S.RESOLVED)
    before = _state(request)
    with pytest.raises(ValidationError) as err:
        rs.request_close(actor=org.users.service, request=request, satisfaction=score)
    assert "satisfaction" in err.value.message_dict
    assert _state(request) == before


@pytest.mark.parametrize(("score", "stored"), [(1, 1), (5, 5), ("3", 3), (" 2 ", 2)])
def test_close_accepts_whole_scores(org, customer, score, stored):
    request = _advance(org, _open(org.users.service, customer), S.RESOLVED)
    rs.request_close(actor=org.users.service, request=request, satisfaction=score)
    assert ServiceRequest.objects.get(pk=request.pk).satisfaction == stored


@pytest.mark.parametrize("step", ["start", "resolve"])
def test_only_the_assignee_or_a_dispatcher_works_the_request(org, customer, agent2, step):
    request = _advance(org, _open(org.users.service, customer), S.ASSIGNED)
    if step == "resolve":
        request = rs.request_start(actor=org.users.service, request=request)
    before = _state(request)
    with pytest.raises(PermissionDenied):
        if step == "start":
            rs.request_start(actor=agent2, request=request)
        else:
            rs.request_resolve(actor=agent2, request=request, resolution="我来")
    assert _state(request) == before
    # The dispatcher may.
    if step == "start":
        rs.request_start(actor=org.users.svcmgr, request=request)
    else:
        rs.request_resolve(actor=org.users.svcmgr, request=request, resolution="主管处理")
    assert ServiceRequest.objects.get(pk=request.pk).updated_by == org.users.svcmgr


def test_an_agent_cannot_assign_to_someone_else(org, customer, agent2):
    request = _open(org.users.service, customer)
    before = _state(request)
    with pytest.raises(PermissionDenied):
        rs.request_assign(actor=org.users.service, request=request, assignee=agent2)
    assert _state(request) == before
    # At creation neither: there the assignee is a field, refused as a field error.
    with pytest.raises(ValidationError) as refused:
        _open(org.users.service, customer, assignee=agent2)
    assert "assignee" in refused.value.message_dict
    assert ServiceRequest.objects.count() == 1


def test_an_agent_takes_an_unassigned_request_without_notifying_themselves(org, customer):
    request = _open(org.users.service, customer)
    request = rs.request_assign(
        actor=org.users.service, request=request, assignee=org.users.service
    )
    assert request.status == S.ASSIGNED and request.assignee == org.users.service
    assert not Notification.objects.exists()


def test_take_over_rules(org, customer, agent2):
    request = _advance(org, _open(org.users.service, customer), S.IN_PROGRESS)
    # Another agent may not take it over…
    before = _state(request)
    with pytest.raises(PermissionDenied):
        rs.request_assign(actor=agent2, request=request, assignee=agent2)
    assert _state(request) == before
    # …nor may its own assignee "take" it again.
    with pytest.raises(ValidationError):
        rs.request_assign(actor=org.users.service, request=request, assignee=org.users.service)
    assert _state(request) == before
    # The dispatcher hands it to agent2, who is notified; the request starts over.
    request = rs.request_assign(actor=org.users.svcmgr, request=request, assignee=agent2)
    assert request.status == S.ASSIGNED and request.assignee == agent2
    assert Notification.objects.filter(recipient=agent2, kind="request_assigned").count() == 1
    # A dispatcher may also take it for themselves (a service manager works on requests).
    request = rs.request_assign(actor=org.users.svcmgr, request=request, assignee=org.users.svcmgr)
    assert request.assignee == org.users.svcmgr


@pytest.mark.parametrize("who", ["sales1", "clerk", "exec", "inactive"])
def test_the_assignee_must_work_on_requests(org, customer, who):
    if who == "inactive":
        assignee = UserFactory(username="gone", department=org.hq, roles=["service"])
        assignee.is_active = False
        assignee.save()
    else:
        assignee = getattr(org.users, who)
    request = _open(org.users.service, customer)
    before = _state(request)
    with pytest.raises(ValidationError) as err:
        rs.request_assign(actor=org.users.svcmgr, request=request, assignee=assignee)
    assert "assignee" in err.value.message_dict
    assert _state(request) == before


def test_assign_needs_an_assignee(org, customer):
    request = _open(org.users.service, customer)
    with pytest.raises(ValidationError):
        rs.request_assign(actor=org.users.svcmgr, request=request, assignee=None)


@pytest.mark.parametrize("who", ["sales1", "manager", "clerk", "researcher", "exec"])
def test_without_change_right_no_transition(org, customer, who):
    request = _advance(org, _open(org.users.service, customer), S.ASSIGNED)
    actor = getattr(org.users, who)
    before = _state(request)
    for call in (
        lambda: rs.request_start(actor=actor, request=request),
        lambda: rs.request_assign(actor=actor, request=request, assignee=org.users.service),
        lambda: rs.request_update(actor=actor, request=request, subject="改"),
        lambda: rs.request_delete(actor=actor, request=request),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _state(request) == before


def test_delete_only_new_and_only_with_the_right(org, customer):
    request = _open(org.users.service, customer)
    with pytest.raises(PermissionDenied):  # the service role has no delete
        rs.request_delete(actor=org.users.service, request=request)
    assigned = _advance(org, _open(org.users.service, customer), S.ASSIGNED)
    before = _state(assigned)
    with pytest.raises(ValidationError):
        rs.request_delete(actor=org.users.svcmgr, request=assigned)
    assert _state(assigned) == before
    rs.request_delete(actor=org.users.svcmgr, request=request)
    assert not ServiceRequest.objects.filter(pk=request.pk).exists()
    entry = _last_log(request)
    assert entry.action == AuditAction.DELETE and entry.parent_id == customer.pk


# --- creation and editing -------------------------------------------------------------------


def test_create_numbers_stamps_and_logs(org, customer):
    u = org.users
    first = _open(u.service, customer)
    second = _open(u.sales1, customer, priority="high")
    year = timezone.localtime(first.created_at).year
    assert first.number == f"SR-{year}-00001" and second.number == f"SR-{year}-00002"
    assert first.status == S.NEW and first.assignee is None
    assert first.created_by == u.service == first.updated_by
    entry = _last_log(first)
    assert entry.action == AuditAction.CREATE and entry.parent_id == customer.pk
    assert _changed(entry)["subject"] == ("", "冲压机异响")


def test_create_with_an_assignee(org, customer):
    u = org.users
    request = _open(u.svcmgr, customer, assignee=u.service)
    assert request.status == S.ASSIGNED and request.assigned_at == request.created_at
    note = Notification.objects.get(recipient=u.service)
    assert note.kind == "request_assigned" and note.params["id"] == request.pk
    # Self-assignment at creation: no notification to oneself.
    mine = _open(u.service, customer, assignee=u.service)
    assert mine.status == S.ASSIGNED
    assert Notification.objects.filter(recipient=u.service).count() == 1


def test_create_refused_for_a_customer_out_of_scope(org, customer):
    with pytest.raises(ValidationError) as err:
        _open(org.users.sales2, customer)
    assert "customer" in err.value.message_dict
    deleted = CustomerFactory(owner=org.users.sales1, deleted_at=timezone.now())
    with pytest.raises(ValidationError):
        _open(org.users.service, deleted)
    with pytest.raises(PermissionDenied):  # the researcher may only read requests
        _open(org.users.researcher, customer)
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": "  "}, "subject"),
        ({"priority": "critical"}, "priority"),
        ({"type": None}, "type"),
    ],
)
def test_create_validation(org, customer, fields, error):
    with pytest.raises(ValidationError) as err:
        _open(org.users.service, customer, **fields)
    assert error in err.value.message_dict
    assert not ServiceRequest.objects.exists()


def test_a_complaint_needs_a_category_and_notifies_the_owner(org, customer):
    u = org.users
    with pytest.raises(ValidationError) as err:
        _open(u.service, customer, type=request_type("COMPLAINT"))
    assert "complaint_category" in err.value.message_dict
    assert not ServiceRequest.objects.exists() and not Notification.objects.exists()
    request = _open(
        u.service, customer, type=request_type("COMPLAINT"), complaint_category=complaint_category()
    )
    assert request.complaint_category == complaint_category()
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.subject) == (u.sales1, "complaint", request.number)
    assert note.params == {"id": request.pk, "customer": customer.name}


def test_a_complaint_by_the_owner_does_not_notify_them(org, customer):
    _open(
        org.users.sales1,
        customer,
        type=request_type("COMPLAINT"),
        complaint_category=complaint_category(),
    )
    assert not Notification.objects.exists()


def test_a_non_complaint_drops_the_category(org, customer):
    request = _open(org.users.service, customer, complaint_category=complaint_category())
    assert ServiceRequest.objects.get(pk=request.pk).complaint_category is None
    complaint = _open(
        org.users.service,
        customer,
        type=request_type("COMPLAINT"),
        complaint_category=complaint_category(),
    )
    complaint = rs.request_update(
        actor=org.users.service, request=complaint, type=request_type("MAINTENANCE")
    )
    assert ServiceRequest.objects.get(pk=complaint.pk).complaint_category is None
    assert _changed(_last_log(complaint))["complaint_category"] == ("产品质量", "")


def test_contact_and_contract_must_be_the_customers(org, customer):
    other = CustomerFactory(owner=org.users.sales1)
    for fields, error in (
        ({"contact": ContactFactory(customer=other)}, "contact"),
        ({"contract": ContractFactory(customer=other)}, "contract"),
    ):
        with pytest.raises(ValidationError) as err:
            _open(org.users.service, customer, **fields)
        assert error in err.value.message_dict
    assert not ServiceRequest.objects.exists()
    mine = _open(
        org.users.service,
        customer,
        contact=ContactFactory(customer=customer),
        contract=ContractFactory(customer=customer),
    )
    before = _state(mine)
    with pytest.raises(ValidationError):
        rs.request_update(
            actor=org.users.service, request=mine, contact=ContactFactory(customer=other)
        )
    assert _state(mine) == before


def test_update_keeps_the_customer_and_refuses_a_closed_request(org, customer):
    request = _open(org.users.service, customer)
    other = CustomerFactory(owner=org.users.sales1)
    before = _state(request)
    with pytest.raises(ValidationError) as err:
        rs.request_update(actor=org.users.service, request=request, customer=other)
    assert "customer" in err.value.message_dict
    assert _state(request) == before
    # Naming the same customer is fine.
    rs.request_update(actor=org.users.service, request=request, customer=customer, subject="新")
    assert ServiceRequest.objects.get(pk=request.pk).subject == "新"
    closed = _advance(org, _open(org.users.service, customer), S.CLOSED)
    before = _state(closed)
    with pytest.raises(ValidationError):
        rs.request_update(actor=org.users.service, request=closed, subject="改")
    assert _state(closed) == before


def test_unknown_fields_are_a_programming_error(org, customer):
    with pytest.raises(TypeError):
        _open(org.users.service, customer, status="closed")


def test_closing_a_complaint_tells_the_owner_the_score(org, customer):
    u = org.users
    request = _open(
        u.service, customer, type=request_type("COMPLAINT"), complaint_category=complaint_category()
    )
    request = _advance(org, request, S.CLOSED)
    closed = Notification.objects.get(kind="request_closed")
    assert closed.recipient == u.sales1 and closed.params["score"] == 4
    # Closed again after a reopen: a second notification (another closing moment).
    request = rs.request_reopen(actor=u.service, request=request)
    request = rs.request_resolve(actor=u.service, request=request, resolution="再修")
    rs.request_close(actor=u.service, request=request, satisfaction=2)
    assert Notification.objects.filter(kind="request_closed").count() == 2


def test_reassignment_notifies_each_new_assignee_once(org, customer, agent2):
    u = org.users
    request = _open(u.service, customer)
    request = rs.request_assign(actor=u.svcmgr, request=request, assignee=u.service)
    request = rs.request_assign(actor=u.svcmgr, request=request, assignee=agent2)
    request = rs.request_assign(actor=u.svcmgr, request=request, assignee=u.service)
    assert Notification.objects.filter(recipient=u.service).count() == 2
    assert Notification.objects.filter(recipient=agent2).count() == 1


def test_a_second_object_of_the_same_request_is_locked_and_rechecked(org, customer):
    """A transition reads the row again: a stale instance cannot move a request twice."""
    request = _advance(org, _open(org.users.service, customer), S.IN_PROGRESS)
    stale = ServiceRequest.objects.get(pk=request.pk)
    rs.request_resolve(actor=org.users.service, request=request, resolution="好了")
    with pytest.raises(ValidationError):
        rs.request_resolve(actor=org.users.service, request=stale, resolution="又好了")
    assert ServiceRequest.objects.get(pk=request.pk).resolution == "好了"


def test_history_excludes_bookkeeping(org, customer):
    request = _advance(org, _open(org.users.service, customer), S.ASSIGNED)
    changed = _changed(_last_log(request))
    assert "at_risk_at" not in changed and "assigned_at" not in changed
    assert "updated_at" not in changed


def test_open_and_due_time_of_requests(org, customer):
    request = _open(org.users.service, customer)
    assert request.is_open
    assert request.due_at - request.created_at == datetime.timedelta(hours=24)


def test_a_department_dispatcher_assigns_only_within_their_scope(org, customer):
    """A service lead whose role has department scope hands requests only to agents in their
    department tree (as every other record is handed only within one's scope)."""
    from guanxi.accounts.models import Role

    Role.objects.create(
        code="east_service_lead",
        name="华东客服主管",
        name_en="East service lead",
        scope="department",
        permissions=Role.objects.get(code="service_manager").permissions,
    )
    lead = UserFactory(username="eastlead", department=org.east, roles=["east_service_lead"])
    east_agent = UserFactory(username="eastagent", department=org.east, roles=["service"])
    north_agent = UserFactory(username="northagent", department=org.north, roles=["service"])
    sr = ServiceRequestFactory(customer=customer)
    with pytest.raises(ValidationError) as refused:
        rs.request_assign(actor=lead, request=sr, assignee=north_agent)
    assert "assignee" in refused.value.message_dict
    assert ServiceRequest.objects.get(pk=sr.pk).assignee_id is None
    assert rs.request_assign(actor=lead, request=sr, assignee=east_agent).assignee == east_agent
