"""The churn warning: an active customer, known to us for at least N days, with no order and
no recorded contact for N days or more (N = churn_days, default 180).

The boundary, as `selectors.churn_cutoff` defines it: the last order or contact on day
`today - N` → N days without → warned; on `today - (N - 1)` → not warned.
"""

import datetime

import pytest
from django.utils import timezone

from guanxi.notifications.models import Notification
from guanxi.service import scheduled
from guanxi.service.selectors import (
    churn_cutoff,
    churn_list,
    churn_queryset,
    last_activity,
    lost_list,
    service_settings,
    with_last_activity,
)
from guanxi.service.services import care
from tests.factories import ContractFactory, CustomerFactory, SalesRecordFactory, TaskFactory

from .factories import CareActionFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

D = datetime.timedelta(days=1)
TODAY = datetime.date(2026, 9, 1)
N = 180


def _start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _old_customer(owner, **fields):
    fields.setdefault("status", "active")
    return CustomerFactory(owner=owner, created_at=_start(TODAY - 400 * D), **fields)


def _warned(customer, days=N, today=TODAY):
    return churn_queryset(today=today, days=days).filter(pk=customer.pk).exists()


def test_cutoff():
    assert churn_cutoff(TODAY, 180) == TODAY - 179 * D
    assert churn_cutoff(TODAY, 1) == TODAY


def test_a_silent_customer_is_warned(org):
    assert _warned(_old_customer(org.users.sales1))


@pytest.mark.parametrize(("days_ago", "warned"), [(N - 1, False), (N, True), (N + 1, True)])
@pytest.mark.parametrize(
    "activity",
    ["signed_contract", "contract_created", "sales_record", "feedback", "task_done"],
)
def test_boundary_for_each_kind_of_activity(org, activity, days_ago, warned):
    u = org.users
    customer = _old_customer(u.sales1)
    day = TODAY - days_ago * D
    if activity == "signed_contract":
        ContractFactory(customer=customer, status="executing", signed_on=day)
    elif activity == "contract_created":  # no signing date: the day it was entered counts
        ContractFactory(customer=customer, status="approved", created_at=_start(day))
    elif activity == "sales_record":
        SalesRecordFactory(customer=customer, date=day)
    elif activity == "feedback":
        FeedbackFactory(customer=customer, date=day)
    elif activity == "task_done":
        TaskFactory(customer=customer, date=day, status="done")
    assert _warned(customer) is warned
    row = with_last_activity(type(customer).objects.filter(pk=customer.pk)).get()
    dates = last_activity(row)
    assert day in (dates["last_order"], dates["last_contact"])


def test_the_last_second_of_the_window(org):
    """A contract entered without a signing date one microsecond before the window opens
    does not count; one at the first moment of its first day does."""
    customer = _old_customer(org.users.sales1)
    since = _start(churn_cutoff(TODAY, N))
    contract = ContractFactory(customer=customer, status="pending", created_at=since)
    assert not _warned(customer)
    contract.created_at = since - datetime.timedelta(microseconds=1)
    contract.save()
    assert _warned(customer)


@pytest.mark.parametrize("status", ["pending", "approved", "executing", "completed", "terminated"])
def test_every_contract_past_the_draft_is_an_order(org, status):
    customer = _old_customer(org.users.sales1)
    ContractFactory(customer=customer, status=status, signed_on=TODAY - 10 * D)
    assert not _warned(customer)


@pytest.mark.parametrize("status", ["draft", "rejected"])
def test_a_draft_or_rejected_contract_is_not_an_order(org, status):
    customer = _old_customer(org.users.sales1)
    ContractFactory(customer=customer, status=status, signed_on=TODAY - 10 * D)
    ContractFactory(customer=customer, status=status, created_at=_start(TODAY - 10 * D))
    assert _warned(customer)


def test_a_planned_task_is_not_a_contact(org):
    customer = _old_customer(org.users.sales1)
    TaskFactory(customer=customer, date=TODAY - 10 * D, status="planned")
    TaskFactory(customer=customer, date=TODAY + 10 * D, status="planned")
    assert _warned(customer)


def test_another_customers_activity_does_not_count(org):
    customer = _old_customer(org.users.sales1)
    other = _old_customer(org.users.sales1)
    FeedbackFactory(customer=other, date=TODAY)
    assert _warned(customer) and not _warned(other)


@pytest.mark.parametrize("status", ["prospect", "lost"])
def test_only_active_customers(org, status):
    assert not _warned(_old_customer(org.users.sales1, status=status))


def test_deleted_customers_are_not_warned(org):
    assert not _warned(_old_customer(org.users.sales1, deleted_at=timezone.now()))


def test_new_customers_are_not_warned_inside_the_window(org):
    since = _start(churn_cutoff(TODAY, N))
    new = CustomerFactory(owner=org.users.sales1, status="active", created_at=since)
    older = CustomerFactory(
        owner=org.users.sales1,
        status="active",
        created_at=since - datetime.timedelta(seconds=1),
    )
    assert not _warned(new) and _warned(older)


def test_the_days_are_configurable(org):
    customer = _old_customer(org.users.sales1)
    FeedbackFactory(customer=customer, date=TODAY - 40 * D)
    assert not _warned(customer, days=N)
    assert _warned(customer, days=40) and not _warned(customer, days=41)
    settings = service_settings()
    settings.churn_days = 40
    settings.save()
    assert list(churn_list(reader=org.users.admin, today=TODAY)) == [customer]
    assert scheduled.notify_churn(today=TODAY, settings=settings) == 1
    note = Notification.objects.get()
    assert note.params == {"id": customer.pk, "days": 40} and note.recipient == org.users.sales1


def test_churn_list_follows_the_customer_scope_and_search(org):
    u = org.users
    mine = _old_customer(u.sales1, name="甲机械")
    sub = _old_customer(u.sales1b, name="乙机械")
    north = _old_customer(u.sales2, name="丙机械")
    names = {
        who: {c.pk for c in churn_list(reader=getattr(u, who), today=TODAY, days=N)}
        for who in ("sales1", "manager", "manager2", "admin")
    }
    assert names["sales1"] == {mine.pk}
    assert names["manager"] == {mine.pk, sub.pk}
    assert names["manager2"] == {north.pk}
    assert names["admin"] == {mine.pk, sub.pk, north.pk}
    assert [c.pk for c in churn_list(reader=u.admin, today=TODAY, days=N, search="乙")] == [sub.pk]
    row = churn_list(reader=u.admin, today=TODAY, days=N).get(pk=mine.pk)
    assert last_activity(row) == {"last_order": None, "last_contact": None}


def test_last_activity_splits_orders_and_contacts(org):
    customer = _old_customer(org.users.sales1)
    ContractFactory(customer=customer, status="completed", signed_on=TODAY - 300 * D)
    SalesRecordFactory(customer=customer, date=TODAY - 250 * D)
    ContractFactory(customer=customer, status="draft", signed_on=TODAY - 5 * D)  # not an order
    FeedbackFactory(customer=customer, date=TODAY - 200 * D)
    TaskFactory(customer=customer, date=TODAY - 190 * D, status="done")
    TaskFactory(customer=customer, date=TODAY - 2 * D, status="planned")
    row = churn_list(reader=org.users.admin, today=TODAY, days=N).get()
    assert last_activity(row) == {
        "last_order": TODAY - 250 * D,
        "last_contact": TODAY - 190 * D,
    }


def test_churn_warning_once_per_spell_of_silence(org):
    u = org.users
    customer = _old_customer(u.sales1)
    FeedbackFactory(customer=customer, date=TODAY - 300 * D)
    settings = service_settings()
    assert scheduled.notify_churn(today=TODAY, settings=settings) == 1
    assert scheduled.notify_churn(today=TODAY + D, settings=settings) == 0
    first = Notification.objects.get()
    assert first.key == f"churn:{customer.pk}:{(TODAY - 300 * D).isoformat()}"
    # Contacted (but long enough ago to be silent again by now): a new spell, a new warning.
    FeedbackFactory(customer=customer, date=TODAY - 200 * D)
    assert scheduled.notify_churn(today=TODAY + D, settings=settings) == 1
    # Contacted recently: no warning.
    FeedbackFactory(customer=customer, date=TODAY)
    assert scheduled.notify_churn(today=TODAY + D, settings=settings) == 0
    assert Notification.objects.count() == 2


def test_churn_warning_needs_an_owner(org):
    _old_customer(None)
    assert scheduled.notify_churn(today=TODAY, settings=service_settings()) == 0


def test_never_contacted_customer_is_keyed_on_its_creation(org):
    customer = _old_customer(org.users.sales1)
    scheduled.notify_churn(today=TODAY, settings=service_settings())
    assert Notification.objects.get().key == (
        f"churn:{customer.pk}:{(TODAY - 400 * D).isoformat()}"
    )


# --- lost customers -----------------------------------------------------------------------


def test_lost_list_with_open_win_back_actions(org):
    u = org.users
    from guanxi.customers.services import customer_mark_lost

    first = _old_customer(u.sales1)
    second = _old_customer(u.sales1)
    _old_customer(u.sales2, status="lost")
    customer_mark_lost(actor=u.sales1, customer=first, reason="价格")
    customer_mark_lost(actor=u.sales1, customer=second, reason="质量")
    care.win_back_create(actor=u.sales1, customer=first)
    care.win_back_create(actor=u.sales1, customer=first)
    done = care.win_back_create(actor=u.sales1, customer=second)
    care.care_done(actor=u.sales1, action=done, note="客户回来了")
    CareActionFactory(customer=second, kind="follow_up")  # not a win-back
    rows = list(lost_list(reader=u.sales1))
    assert [c.pk for c in rows] == [second.pk, first.pk]  # most recently lost first
    assert {c.pk: c.open_win_back for c in rows} == {first.pk: 2, second.pk: 0}
    assert len(lost_list(reader=u.admin)) == 3
    assert [c.pk for c in lost_list(reader=u.sales1, search=first.code)] == [first.pk]
