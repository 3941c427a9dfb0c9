"""Task progress (任务进度): create, update, complete, reopen, delete; overdue; the periods of
task_list with a fixed `today`."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.common.models import AuditAction
from guanxi.common.selectors import object_history
from guanxi.sales.enums import TaskStatus
from guanxi.sales.models import Task
from guanxi.sales.selectors import access_task_by_id, task_list
from guanxi.sales.services import opportunities as ops
from guanxi.sales.services import tasks as ts
from tests.factories import CustomerFactory, OpportunityFactory, TaskFactory

pytestmark = pytest.mark.django_db

# A Wednesday: its week runs from Monday 2026-03-09 to Sunday 2026-03-15.
TODAY = datetime.date(2026, 3, 11)


def day(offset):
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1)


@pytest.fixture
def task(org, customer):
    return ts.task_create(
        actor=org.users.sales1, customer=customer, date=TODAY, purpose="拜访采购部"
    )


def test_create_defaults_the_salesperson_to_the_actor_and_is_planned(org, task):
    assert task.salesperson == org.users.sales1
    assert task.status == TaskStatus.PLANNED
    assert task.created_by == org.users.sales1
    entry = object_history(task).get(action=AuditAction.CREATE)
    assert entry.parent_id == task.customer_id
    assert {c["field"]: c["new"] for c in entry.changes}["purpose"] == "拜访采购部"


def test_create_with_an_opportunity_of_the_same_customer(org, customer):
    opp = ops.opportunity_create(actor=org.users.sales1, customer=customer, name="A")
    task = ts.task_create(
        actor=org.users.sales1, customer=customer, opportunity=opp, date=TODAY, purpose="x"
    )
    assert task.opportunity == opp


def test_create_refuses_an_opportunity_of_another_customer(org, customer):
    other = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    with pytest.raises(ValidationError) as exc:
        ts.task_create(
            actor=org.users.sales1, customer=customer, opportunity=other, date=TODAY, purpose="x"
        )
    assert "opportunity" in exc.value.message_dict
    assert not Task.objects.exists()


def test_update_refuses_an_opportunity_of_another_customer(org, task):
    other = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    with pytest.raises(ValidationError) as exc:
        ts.task_update(actor=org.users.sales1, task=task, opportunity=other)
    assert "opportunity" in exc.value.message_dict


def test_create_refuses_a_customer_or_salesperson_outside_the_scope(org):
    u = org.users
    with pytest.raises(ValidationError) as exc:
        ts.task_create(
            actor=u.sales1, customer=CustomerFactory(owner=u.sales2), date=TODAY, purpose="x"
        )
    assert "customer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ts.task_create(
            actor=u.manager,
            customer=CustomerFactory(owner=u.sales1),
            salesperson=u.sales2,
            date=TODAY,
            purpose="x",
        )
    assert "salesperson" in exc.value.message_dict


def test_create_needs_a_date_and_a_purpose(org, customer):
    with pytest.raises(ValidationError) as exc:
        ts.task_create(actor=org.users.sales1, customer=customer, date=None, purpose="")
    assert {"date", "purpose"} <= set(exc.value.message_dict)


def test_update_writes_history(org, task):
    ts.task_update(actor=org.users.sales1, task=task, location="嘉定", date=day(1))
    entry = object_history(task).get(action=AuditAction.UPDATE)
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes["location"] == ("", "嘉定")
    assert changes["date"] == (str(TODAY), str(day(1)))


def test_complete_needs_a_result(org, task):
    for blank in ("", "   ", None):
        with pytest.raises(ValidationError) as exc:
            ts.task_complete(actor=org.users.sales1, task=task, result=blank)
        assert "result" in exc.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.PLANNED


def test_complete_records_the_result_and_reopen_undoes_it(org, task):
    done = ts.task_complete(actor=org.users.sales1, task=task, result=" 客户同意报价 ")
    assert done.status == TaskStatus.DONE
    assert done.result == "客户同意报价"
    assert done.done_at is not None
    entry = object_history(task).get(action=AuditAction.TRANSITION)
    assert {c["field"]: c["new"] for c in entry.changes}["status"] == "done"
    with pytest.raises(ValidationError):
        ts.task_complete(actor=org.users.sales1, task=task, result="again")
    reopened = ts.task_reopen(actor=org.users.sales1, task=task)
    assert reopened.status == TaskStatus.PLANNED
    assert reopened.done_at is None
    assert reopened.result == "客户同意报价"
    with pytest.raises(ValidationError):
        ts.task_reopen(actor=org.users.sales1, task=task)
    assert object_history(task).filter(action=AuditAction.TRANSITION).count() == 2


def test_delete_writes_history(org, task):
    ts.task_delete(actor=org.users.sales1, task=task)
    assert not Task.objects.filter(pk=task.pk).exists()
    assert object_history(task).filter(action=AuditAction.DELETE).exists()


@pytest.mark.parametrize("role", ["clerk", "researcher", "service", "exec"])
def test_roles_without_the_permission_are_refused(org, task, role):
    user = getattr(org.users, role)
    calls = [
        lambda: ts.task_create(actor=user, customer=task.customer, date=TODAY, purpose="x"),
        lambda: ts.task_update(actor=user, task=task, purpose="y"),
        lambda: ts.task_complete(actor=user, task=task, result="r"),
        lambda: ts.task_reopen(actor=user, task=task),
        lambda: ts.task_delete(actor=user, task=task),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Task.objects.get().purpose == "拜访采购部"


# --- overdue and periods -----------------------------------------------------------------


def test_overdue_is_planned_and_before_today(org, customer):
    assert TaskFactory(customer=customer, date=day(-1)).is_overdue(TODAY)
    assert not TaskFactory(customer=customer, date=TODAY).is_overdue(TODAY)
    assert not TaskFactory(customer=customer, date=day(1)).is_overdue(TODAY)
    assert not TaskFactory(customer=customer, date=day(-1), status="done").is_overdue(TODAY)


@pytest.fixture
def week_tasks(org, customer):
    """Tasks around TODAY (Wednesday 11 March 2026), by name."""
    u = org.users
    made = {
        "last_sunday": TaskFactory(customer=customer, date=day(-3)),
        "monday": TaskFactory(customer=customer, date=day(-2)),
        "yesterday_done": TaskFactory(customer=customer, date=day(-1), status="done"),
        "today": TaskFactory(customer=customer, date=TODAY),
        "today_done": TaskFactory(customer=customer, date=TODAY, status="done"),
        "sunday": TaskFactory(customer=customer, date=day(4)),
        "next_monday": TaskFactory(customer=customer, date=day(5)),
        "long_ago": TaskFactory(customer=customer, date=day(-40)),
        # someone else's, in the manager's department: not in "mine"
        "sales1b_today": TaskFactory(
            customer=CustomerFactory(owner=u.sales1b), salesperson=u.sales1b, date=TODAY
        ),
    }
    return {name: t.pk for name, t in made.items()}


def names(qs, week_tasks):
    by_pk = {pk: name for name, pk in week_tasks.items()}
    return {by_pk[t.pk] for t in qs}


@pytest.mark.parametrize(
    "period, expected",
    [
        ("today", {"today", "today_done"}),
        ("week", {"monday", "yesterday_done", "today", "today_done", "sunday"}),
        ("overdue", {"last_sunday", "monday", "long_ago"}),
        ("upcoming", {"today", "sunday", "next_monday"}),
        ("done", {"yesterday_done", "today_done"}),
    ],
)
def test_periods_for_the_salesperson(org, week_tasks, period, expected):
    qs = task_list(reader=org.users.sales1, period=period, today=TODAY)
    assert names(qs, week_tasks) == expected


def test_no_period_lists_everything_in_scope_newest_first(org, week_tasks):
    qs = list(task_list(reader=org.users.sales1, today=TODAY))
    assert len(qs) == 8
    assert qs[0].date == day(5) and qs[-1].date == day(-40)


@pytest.mark.parametrize(
    "today, monday, sunday",
    [
        (datetime.date(2026, 3, 9), datetime.date(2026, 3, 9), datetime.date(2026, 3, 15)),
        (datetime.date(2026, 3, 15), datetime.date(2026, 3, 9), datetime.date(2026, 3, 15)),
        # a week across a month and a year
        (datetime.date(2026, 1, 1), datetime.date(2025, 12, 29), datetime.date(2026, 1, 4)),
    ],
)
def test_week_runs_monday_to_sunday(org, customer, today, monday, sunday):
    one = datetime.timedelta(days=1)
    inside = [TaskFactory(customer=customer, date=d).pk for d in (monday, sunday)]
    TaskFactory(customer=customer, date=monday - one)
    TaskFactory(customer=customer, date=sunday + one)
    qs = task_list(reader=org.users.sales1, period="week", today=today)
    assert sorted(t.pk for t in qs) == sorted(inside)


def test_the_manager_sees_the_department_and_mine_limits_to_own(org, week_tasks):
    u = org.users
    TaskFactory(customer=CustomerFactory(owner=u.manager), salesperson=u.manager, date=TODAY)
    everyone = task_list(reader=u.manager, period="today", today=TODAY)
    assert names(everyone.exclude(salesperson=u.manager), week_tasks) == {
        "today",
        "today_done",
        "sales1b_today",
    }
    mine = task_list(reader=u.manager, period="today", today=TODAY, mine=True)
    assert [t.salesperson for t in mine] == [u.manager]
    assert names(task_list(reader=u.sales1, mine=True, period="today", today=TODAY), week_tasks)
    assert not task_list(reader=u.sales2, period="today", today=TODAY).exists()
    assert not task_list(reader=u.manager2, period="today", today=TODAY).exists()


def test_the_today_list_orders_by_time(org, customer):
    late = TaskFactory(customer=customer, date=TODAY, time=datetime.time(16, 0))
    early = TaskFactory(customer=customer, date=TODAY, time=datetime.time(9, 30))
    qs = task_list(reader=org.users.sales1, period="today", today=TODAY)
    assert list(qs) == [early, late]


def test_tasks_of_a_customer_in_the_recycle_bin_are_hidden(org, task):
    from django.http import Http404
    from django.utils import timezone

    customer = task.customer
    customer.deleted_at = timezone.now()
    customer.save()
    assert not task_list(reader=org.users.sales1).exists()
    assert not task_list(reader=org.users.admin).exists()
    with pytest.raises(Http404):
        access_task_by_id(reader=org.users.sales1, task_id=task.pk)


def test_access_task_outside_the_scope_is_404(org, task):
    from django.http import Http404

    assert access_task_by_id(reader=org.users.manager, task_id=task.pk) == task
    for reader in (org.users.sales2, org.users.manager2, org.users.sales1b):
        with pytest.raises(Http404):
            access_task_by_id(reader=reader, task_id=task.pk)
    with pytest.raises(Http404):
        access_task_by_id(reader=org.users.sales1, task_id="abc")
