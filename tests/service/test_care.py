"""Care actions by hand: done or skipped with a note, once; win-back only for lost customers;
only a hand-made pending action can be deleted."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.services import customer_mark_lost
from guanxi.service.enums import CareKind, CareStatus
from guanxi.service.models import CareAction
from guanxi.service.services import care
from tests.factories import ContactFactory, CustomerFactory

from .factories import CareActionFactory

pytestmark = pytest.mark.django_db


def _state(action):
    ct = ContentType.objects.get_for_model(CareAction)
    return (
        CareAction.objects.filter(pk=action.pk).values().first(),
        AuditLog.objects.filter(content_type=ct, object_id=action.pk).count(),
    )


def _log(action):
    ct = ContentType.objects.get_for_model(CareAction)
    return AuditLog.objects.filter(content_type=ct, object_id=action.pk).latest("id")


def test_create_by_hand_goes_to_the_owner(org, customer):
    action = care.care_create(
        actor=org.users.service,
        customer=customer,
        kind=CareKind.FOLLOW_UP,
        due_date=timezone.localdate(),
    )
    assert action.assignee == org.users.sales1 and action.key is None
    assert action.title == f"Follow up with {customer.name}"
    assert action.status == CareStatus.PENDING and action.created_by == org.users.service
    assert _log(action).action == AuditAction.CREATE and _log(action).parent_id == customer.pk


def test_create_refusals(org, customer):
    u = org.users
    other = CustomerFactory(owner=u.sales1)
    cases = [
        (u.sales1, {"kind": "nope"}, "kind"),
        (u.sales1, {"due_date": None}, "due_date"),
        (u.sales1, {"contact": ContactFactory(customer=other)}, "contact"),
        (u.sales1, {"assignee": u.sales2}, "assignee"),  # outside a salesperson's scope
        (u.sales2, {}, "customer"),  # the customer is not theirs
    ]
    for actor, extra, error in cases:
        fields = {
            "customer": customer,
            "kind": CareKind.HOLIDAY,
            "due_date": timezone.localdate(),
            **extra,
        }
        with pytest.raises(ValidationError) as err:
            care.care_create(actor=actor, **fields)
        assert error in err.value.message_dict, (extra, err.value)
    with pytest.raises(PermissionDenied):  # the clerk only reads care actions
        care.care_create(
            actor=u.clerk, customer=customer, kind="holiday", due_date=timezone.localdate()
        )
    assert not CareAction.objects.exists()


def test_customer_without_owner_needs_an_assignee(org):
    orphan = CustomerFactory(owner=None, status="active")
    with pytest.raises(ValidationError) as err:
        care.care_create(
            actor=org.users.admin, customer=orphan, kind="holiday", due_date=timezone.localdate()
        )
    assert "assignee" in err.value.message_dict
    action = care.care_create(
        actor=org.users.admin,
        customer=orphan,
        kind="holiday",
        due_date=timezone.localdate(),
        assignee=org.users.sales2,
    )
    assert action.assignee == org.users.sales2


def test_win_back_only_for_lost_customers(org, customer):
    with pytest.raises(ValidationError) as err:
        care.win_back_create(actor=org.users.sales1, customer=customer)
    assert "kind" in err.value.message_dict
    assert not CareAction.objects.exists()
    customer_mark_lost(actor=org.users.sales1, customer=customer, reason="转向竞品")
    action = care.win_back_create(actor=org.users.sales1, customer=customer, note="打折方案")
    assert action.kind == CareKind.WIN_BACK and action.due_date == timezone.localdate()
    assert action.title == f"Win back {customer.name}" and action.note == "打折方案"
    custom = care.win_back_create(
        actor=org.users.sales1,
        customer=customer,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        title="请客户吃饭",
    )
    assert custom.title == "请客户吃饭"


@pytest.mark.parametrize("finish", [care.care_done, care.care_skip])
@pytest.mark.parametrize("note", ["", "   ", None])
def test_done_and_skip_need_a_note(org, customer, finish, note):
    action = CareActionFactory(customer=customer)
    before = _state(action)
    with pytest.raises(ValidationError) as err:
        finish(actor=org.users.sales1, action=action, note=note)
    assert "note" in err.value.message_dict
    assert _state(action) == before


@pytest.mark.parametrize(
    ("finish", "status"), [(care.care_done, CareStatus.DONE), (care.care_skip, CareStatus.SKIPPED)]
)
def test_finish_once(org, customer, finish, status):
    action = CareActionFactory(customer=customer)
    finish(actor=org.users.sales1, action=action, note=" 已电话问候 ")
    fresh = CareAction.objects.get(pk=action.pk)
    assert (fresh.status, fresh.note) == (status, "已电话问候")
    assert fresh.finished_at is not None and fresh.updated_by == org.users.sales1
    entry = _log(action)
    assert entry.action == AuditAction.TRANSITION
    assert {"field": "status", "old": "pending", "new": status} in entry.changes
    before = _state(action)
    for again in (care.care_done, care.care_skip):
        with pytest.raises(ValidationError):
            again(actor=org.users.sales1, action=action, note="再一次")
    with pytest.raises(ValidationError):
        care.care_update(actor=org.users.sales1, action=action, title="改")
    assert _state(action) == before


def test_finishing_needs_the_change_right(org, customer):
    action = CareActionFactory(customer=customer)
    with pytest.raises(PermissionDenied):
        care.care_done(actor=org.users.exec, action=action, note="x")
    assert CareAction.objects.get(pk=action.pk).status == CareStatus.PENDING


def test_update_a_pending_action(org, customer):
    action = CareActionFactory(customer=customer, title="回访")
    care.care_update(
        actor=org.users.sales1,
        action=action,
        title="上门回访",
        due_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    fresh = CareAction.objects.get(pk=action.pk)
    assert fresh.title == "上门回访" and fresh.updated_by == org.users.sales1
    with pytest.raises(TypeError):  # the customer and the kind stay
        care.care_update(actor=org.users.sales1, action=action, kind="holiday")
    before = _state(action)
    with pytest.raises(ValidationError):
        care.care_update(actor=org.users.sales1, action=action, assignee=org.users.sales2)
    assert _state(action) == before


def test_delete_only_a_pending_action_made_by_hand(org, customer):
    generated = CareActionFactory(customer=customer, key="birthday:1:2026")
    done = CareActionFactory(customer=customer, status=CareStatus.DONE, note="x")
    manual = CareActionFactory(customer=customer)
    for action in (generated, done):
        before = _state(action)
        with pytest.raises(ValidationError):
            care.care_delete(actor=org.users.manager, action=action)
        assert _state(action) == before
    with pytest.raises(PermissionDenied):  # a salesperson has no delete on care
        care.care_delete(actor=org.users.sales1, action=manual)
    care.care_delete(actor=org.users.manager, action=manual)
    assert not CareAction.objects.filter(pk=manual.pk).exists()
    entry = AuditLog.objects.latest("id")
    assert entry.action == AuditAction.DELETE and entry.parent_id == customer.pk


def test_generated_title_in_the_readers_language(org, customer):
    contact = ContactFactory(customer=customer, name="李总")
    action = CareActionFactory(customer=customer, kind="birthday", title="", contact=contact)
    assert str(action) == "Birthday greeting: 李总"
    assert str(CareActionFactory(customer=customer, kind="holiday", title="")) == (
        "Holiday greeting"
    )
