"""The scheduled work: care generation (follow-ups, birthdays, holidays) and the reminders of
the notification centre. Each step is idempotent: the second run makes nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from guanxi.notifications.models import Notification
from guanxi.reference.models import Holiday
from guanxi.service import scheduled
from guanxi.service.enums import CareKind
from guanxi.service.models import CareAction
from guanxi.service.selectors import service_settings
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, TaskFactory

from .factories import CareActionFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)


def _at(y, m, d, hour=10):
    return timezone.make_aware(datetime.datetime(y, m, d, hour))


def _no_default_holidays():
    Holiday.objects.update(is_active=False)


def _holiday(code, month, day, year=None):
    return Holiday.objects.create(
        code=code, name=code, name_en=code, month=month, day=day, year=year
    )


def _counts():
    return CareAction.objects.count(), Notification.objects.count()


def _notes(kind):
    return {
        (n.recipient.username, n.params.get("id")) for n in Notification.objects.filter(kind=kind)
    }


# --- idempotence of the whole run -------------------------------------------------------------


def test_run_twice_gives_the_same_rows(world):
    first = scheduled.run_scheduled()
    assert first == {
        "follow_ups": 1,
        "birthdays": 1,
        "holidays": 3,  # three active customers with an owner
        "tasks_due": 1,
        "approvals": 2,  # admin and the East manager, not the North one
        "request_deadlines": 3,  # at risk: its assignee; breached unassigned: 2 dispatchers
        "care_due": 1,
        "churn_warnings": 1,
    }
    counts = _counts()
    assert counts == (1 + 1 + 3 + 1, 1 + 2 + 3 + 1 + 1)
    second = scheduled.run_scheduled()
    assert set(second.values()) == {0}
    assert _counts() == counts


def test_the_command_twice_gives_the_same_rows(world):
    out = StringIO()
    call_command("run_scheduled", stdout=out)
    counts = _counts()
    assert "follow_ups: 1 new" in out.getvalue() and "churn_warnings: 1 new" in out.getvalue()
    out = StringIO()
    call_command("run_scheduled", stdout=out)
    assert _counts() == counts
    assert "holidays: 0 new" in out.getvalue()
    quiet = StringIO()
    call_command("run_scheduled", "--quiet", stdout=quiet)
    assert quiet.getvalue() == "" and _counts() == counts


def test_the_command_runs_as_of_a_moment(org):
    _no_default_holidays()
    contact = ContactFactory(
        customer=CustomerFactory(owner=org.users.sales1, status="active"),
        birthday=datetime.date(1975, 3, 3),
    )
    call_command("run_scheduled", "--at", "2027-03-01", "--quiet")
    action = CareAction.objects.get()
    assert (action.contact, action.due_date) == (contact, datetime.date(2027, 3, 3))
    call_command("run_scheduled", "--at", "2027-03-02T08:30", "--quiet")
    assert CareAction.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("run_scheduled", "--at", "yesterday")


# --- follow-ups -------------------------------------------------------------------------------


def test_follow_up_window(org):
    """Made `care_lead_days` (7) before `completed_on + follow_up_days` (30), and not when that
    day passed more than the grace (30 days) ago."""
    u = org.users
    today = datetime.date(2026, 6, 10)
    now = _at(2026, 6, 10)
    customer = CustomerFactory(owner=u.sales1, status="active")

    def completed(days_ago, **extra):
        fields = {"customer": customer, "owner": u.manager, "status": "completed", **extra}
        return ContractFactory(completed_on=today - days_ago * D, **fields)

    at_lead = completed(30 - 7)  # due in exactly 7 days
    beyond_lead = completed(30 - 8)  # due in 8 days: not yet
    due_today = completed(30)
    grace_edge = completed(60)  # due 30 days ago: still made
    too_old = completed(61)
    completed(10, status="executing")  # not completed
    lost = CustomerFactory(owner=u.sales1, status="lost")
    completed(30, customer=lost)
    deleted = CustomerFactory(owner=u.sales1, status="active", deleted_at=now)
    completed(30, customer=deleted)
    orphan = CustomerFactory(owner=None, status="active")
    completed(30, customer=orphan, owner=u.sales1)

    settings = service_settings()
    assert scheduled.generate_follow_ups(today=today, settings=settings, now=now) == 3
    actions = {a.contract_id: a for a in CareAction.objects.all()}
    assert set(actions) == {at_lead.pk, due_today.pk, grace_edge.pk}
    assert too_old.pk not in actions and beyond_lead.pk not in actions
    action = actions[at_lead.pk]
    assert action.kind == CareKind.FOLLOW_UP and action.due_date == today + 7 * D
    assert action.assignee == u.sales1  # the customer's owner, not the contract's
    assert action.key == f"follow_up:{at_lead.pk}" and action.status == "pending"
    assert action.created_at == now
    # The next day the one due in 8 days comes in; the others are not made again.
    created = scheduled.generate_follow_ups(today=today + D, settings=settings, now=now + D)
    assert created == 1
    assert CareAction.objects.filter(contract=beyond_lead).exists()


def test_follow_up_days_and_lead_are_settings(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    today = datetime.date(2026, 6, 10)
    contract = ContractFactory(customer=customer, status="completed", completed_on=today - 88 * D)
    settings = service_settings()
    settings.follow_up_days, settings.care_lead_days = 90, 0
    assert scheduled.generate_follow_ups(today=today, settings=settings, now=_at(2026, 6, 10)) == 0
    today += 2 * D
    assert scheduled.generate_follow_ups(today=today, settings=settings, now=_at(2026, 6, 12)) == 1
    assert CareAction.objects.get().due_date == contract.completed_on + 90 * D == today


# --- birthdays --------------------------------------------------------------------------------


def _birthday_actions(today, lead=7):
    settings = service_settings()
    settings.care_lead_days = lead
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
    made = scheduled.generate_birthdays(today=today, settings=settings, now=now)
    return made, {a.contact_id: a.due_date for a in CareAction.objects.filter(kind="birthday")}


def test_birthdays_within_the_lead_days(org):
    customer = CustomerFactory(owner=org.users.sales1)  # a prospect is greeted too
    born = {
        d: ContactFactory(customer=customer, birthday=datetime.date(1980, 6, d))
        for d in (9, 10, 17, 18)
    }
    ContactFactory(customer=customer, birthday=None)
    made, due = _birthday_actions(datetime.date(2026, 6, 10))
    assert made == 2
    assert due == {born[10].pk: datetime.date(2026, 6, 10), born[17].pk: datetime.date(2026, 6, 17)}
    action = CareAction.objects.get(contact=born[17])
    assert action.key == f"birthday:{born[17].pk}:2026" and action.assignee == org.users.sales1
    assert action.customer == customer
    # Idempotent, also on the following days.
    assert _birthday_actions(datetime.date(2026, 6, 10))[0] == 0
    assert _birthday_actions(datetime.date(2026, 6, 11))[0] == 1  # the 18th comes in
    assert CareAction.objects.filter(kind="birthday").count() == 3


def test_29_february_in_a_common_year_is_greeted_on_the_28th(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    leap = ContactFactory(customer=customer, birthday=datetime.date(1988, 2, 29))
    feb28 = ContactFactory(customer=customer, birthday=datetime.date(1990, 2, 28))
    march1 = ContactFactory(customer=customer, birthday=datetime.date(1990, 3, 1))
    made, due = _birthday_actions(datetime.date(2027, 2, 25))
    assert made == 3
    assert due == {
        leap.pk: datetime.date(2027, 2, 28),
        feb28.pk: datetime.date(2027, 2, 28),
        march1.pk: datetime.date(2027, 3, 1),
    }
    # Seen only on the 28th itself (lead 0), and not after.
    CareAction.objects.all().delete()
    assert _birthday_actions(datetime.date(2027, 2, 28), lead=0)[1] == {
        leap.pk: datetime.date(2027, 2, 28),
        feb28.pk: datetime.date(2027, 2, 28),
    }
    CareAction.objects.all().delete()
    assert leap.pk not in _birthday_actions(datetime.date(2027, 3, 1), lead=0)[1]


def test_29_february_in_a_leap_year(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    leap = ContactFactory(customer=customer, birthday=datetime.date(1988, 2, 29))
    feb28 = ContactFactory(customer=customer, birthday=datetime.date(1990, 2, 28))
    made, due = _birthday_actions(datetime.date(2028, 2, 25))
    assert made == 2
    assert due == {leap.pk: datetime.date(2028, 2, 29), feb28.pk: datetime.date(2028, 2, 28)}
    CareAction.objects.all().delete()
    # On the 28th of a leap year the 29th is still ahead, not due today.
    assert _birthday_actions(datetime.date(2028, 2, 28), lead=0)[1] == {
        feb28.pk: datetime.date(2028, 2, 28)
    }


def test_birthdays_across_the_new_year(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    december = ContactFactory(customer=customer, birthday=datetime.date(1980, 12, 30))
    january = ContactFactory(customer=customer, birthday=datetime.date(1980, 1, 2))
    made, due = _birthday_actions(datetime.date(2026, 12, 28))
    assert made == 2
    assert due == {december.pk: datetime.date(2026, 12, 30), january.pk: datetime.date(2027, 1, 2)}
    assert CareAction.objects.get(contact=january).key == f"birthday:{january.pk}:2027"
    # On New Year's Day the same occasion is not made again…
    assert _birthday_actions(datetime.date(2027, 1, 1))[0] == 0
    # …and a year later both come round again.
    assert _birthday_actions(datetime.date(2027, 12, 28))[0] == 2


def test_no_birthday_actions_for_lost_deleted_or_unowned_customers(org):
    birthday = datetime.date(1980, 6, 12)
    for customer in (
        CustomerFactory(owner=org.users.sales1, status="lost"),
        CustomerFactory(owner=org.users.sales1, status="active", deleted_at=timezone.now()),
        CustomerFactory(owner=None, status="active"),
    ):
        ContactFactory(customer=customer, birthday=birthday)
    assert _birthday_actions(datetime.date(2026, 6, 10)) == (0, {})


# --- holidays ---------------------------------------------------------------------------------


def _holiday_run(today, lead=7):
    settings = service_settings()
    settings.care_lead_days = lead
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
    return scheduled.generate_holidays(today=today, settings=settings, now=now)


def test_holidays_recurring_and_year_specific(org):
    _no_default_holidays()
    u = org.users
    active = CustomerFactory(owner=u.sales1, status="active")
    primary = ContactFactory(customer=active, is_primary=True)
    ContactFactory(customer=active)
    bare = CustomerFactory(owner=u.sales2, status="active")
    CustomerFactory(owner=u.sales1, status="prospect")
    CustomerFactory(owner=u.sales1, status="lost")
    CustomerFactory(owner=u.sales1, status="active", deleted_at=timezone.now())
    CustomerFactory(owner=None, status="active")
    every_year = _holiday("EVERY", 6, 15)
    this_year = _holiday("THIS", 6, 12, year=2026)
    _holiday("NEXT", 6, 12, year=2027)
    _holiday("LATER", 6, 18)  # eight days ahead
    off = _holiday("OFF", 6, 11)
    off.is_active = False
    off.save()
    assert _holiday_run(datetime.date(2026, 6, 10)) == 4
    actions = CareAction.objects.filter(kind="holiday")
    assert {(a.holiday_id, a.customer_id, a.due_date) for a in actions} == {
        (every_year.pk, active.pk, datetime.date(2026, 6, 15)),
        (every_year.pk, bare.pk, datetime.date(2026, 6, 15)),
        (this_year.pk, active.pk, datetime.date(2026, 6, 12)),
        (this_year.pk, bare.pk, datetime.date(2026, 6, 12)),
    }
    mine = actions.get(holiday=every_year, customer=active)
    assert mine.contact == primary and mine.assignee == u.sales1
    assert mine.key == f"holiday:{every_year.pk}:2026:{active.pk}"
    assert actions.get(holiday=every_year, customer=bare).contact is None
    assert _holiday_run(datetime.date(2026, 6, 10)) == 0
    assert _holiday_run(datetime.date(2026, 6, 11)) == 2  # LATER comes in
    # The year-specific one of 2027 only in 2027.
    CareAction.objects.all().delete()
    assert _holiday_run(datetime.date(2027, 6, 10)) == 4  # EVERY and NEXT


def test_holidays_across_the_new_year(org):
    """28 December with 7 days' lead: New Year's Day (a default holiday) of the next year."""
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    assert _holiday_run(datetime.date(2026, 12, 28)) == 1
    action = CareAction.objects.get()
    new_year = Holiday.objects.get(code="NEW_YEAR")
    assert (action.holiday, action.due_date, action.customer) == (
        new_year,
        datetime.date(2027, 1, 1),
        customer,
    )
    assert action.key == f"holiday:{new_year.pk}:2027:{customer.pk}"
    assert _holiday_run(datetime.date(2026, 12, 31)) == 0
    assert _holiday_run(datetime.date(2027, 1, 1)) == 0
    assert _holiday_run(datetime.date(2027, 12, 25)) == 1  # the next New Year


def test_a_29_february_holiday_in_a_common_year(org):
    _no_default_holidays()
    CustomerFactory(owner=org.users.sales1, status="active")
    leap = _holiday("LEAP", 2, 29)
    assert _holiday_run(datetime.date(2027, 2, 27), lead=1) == 1
    assert CareAction.objects.get().due_date == datetime.date(2027, 2, 28)
    assert leap.occurrence(2028) == datetime.date(2028, 2, 29)


# --- notifications ----------------------------------------------------------------------------


def test_tasks_due_today(org):
    u = org.users
    today = timezone.localdate()
    customer = CustomerFactory(owner=u.sales1, status="active")
    due = TaskFactory(customer=customer, salesperson=u.sales1, date=today)
    TaskFactory(customer=customer, salesperson=u.sales1, date=today, status="done")
    TaskFactory(customer=customer, salesperson=u.sales1, date=today + D)
    TaskFactory(customer=customer, salesperson=u.sales1, date=today - D)
    TaskFactory(
        customer=CustomerFactory(owner=u.sales1, deleted_at=timezone.now()),
        salesperson=u.sales1,
        date=today,
    )
    other = TaskFactory(customer=CustomerFactory(owner=u.sales2), salesperson=u.sales2, date=today)
    assert scheduled.notify_tasks_due(today=today) == 2
    assert _notes("task_due") == {("sales1", due.pk), ("sales2", other.pk)}
    note = Notification.objects.get(params__id=due.pk)
    assert note.subject == due.purpose and note.params["customer"] == customer.name
    assert scheduled.notify_tasks_due(today=today) == 0


def test_approvals_go_to_approvers_in_scope_not_the_submitter(org):
    u = org.users
    now = timezone.now()
    east = CustomerFactory(owner=u.sales1, status="active")
    by_sales1 = ContractFactory(customer=east, owner=u.sales1, status="pending", submitted_at=now)
    by_manager = ContractFactory(
        customer=east, owner=u.sales1, created_by=u.manager, status="pending", submitted_at=now
    )
    managers_own = ContractFactory(
        customer=east, owner=u.manager, status="pending", submitted_at=now
    )
    north = ContractFactory(
        customer=CustomerFactory(owner=u.sales2), owner=u.sales2, status="pending", submitted_at=now
    )
    ContractFactory(customer=east, owner=u.sales1, status="draft")
    ContractFactory(
        customer=CustomerFactory(owner=u.sales1, deleted_at=now),
        owner=u.sales1,
        status="pending",
        submitted_at=now,
    )
    assert scheduled.notify_approvals() == 6
    assert _notes("approval_waiting") == {
        ("admin", by_sales1.pk),
        ("manager", by_sales1.pk),
        ("admin", by_manager.pk),
        ("admin", managers_own.pk),
        ("admin", north.pk),
        ("manager2", north.pk),
    }
    assert scheduled.notify_approvals() == 0
    # Submitted again after a rejection: a new notification (a new submission moment).
    by_sales1.submitted_at = now + H
    by_sales1.save()
    assert scheduled.notify_approvals() == 2


def test_request_deadlines(org):
    u = org.users
    now = timezone.now()
    b = CustomerFactory(owner=u.sales2, status="active")

    def req(**fields):
        return ServiceRequestFactory(customer=b, **fields)

    risk_mine = req(assignee=u.service, status="in_progress", at_risk_at=now - H, due_at=now + H)
    risk_free = req(status="new", at_risk_at=now - H, due_at=now + H)
    late_mine = req(assignee=u.service, status="assigned", at_risk_at=now - 2 * H, due_at=now - H)
    late_free = req(status="new", at_risk_at=now - 2 * H, due_at=now - H)
    req(assignee=u.service, status="assigned", at_risk_at=now + H, due_at=now + 2 * H)  # on time
    req(
        assignee=u.service,
        status="resolved",
        resolved_at=now,
        at_risk_at=now - 2 * H,
        due_at=now - H,
    )
    ServiceRequestFactory(
        customer=CustomerFactory(owner=u.sales2, deleted_at=now),
        status="new",
        at_risk_at=now - 2 * H,
        due_at=now - H,
    )
    assert scheduled.notify_request_deadlines(now=now) == 1 + 2 + 3 + 2
    assert _notes("request_at_risk") == {
        ("service", risk_mine.pk),
        ("admin", risk_free.pk),
        ("svcmgr", risk_free.pk),
    }
    assert _notes("request_breached") == {
        ("service", late_mine.pk),
        ("admin", late_mine.pk),
        ("svcmgr", late_mine.pk),
        ("admin", late_free.pk),
        ("svcmgr", late_free.pk),
    }
    assert scheduled.notify_request_deadlines(now=now) == 0
    # Two hours later the at-risk ones are past due: now they are breached (and the one on
    # time is at risk, due exactly then).
    assert scheduled.notify_request_deadlines(now=now + 2 * H) == 3 + 2 + 1
    assert ("svcmgr", risk_mine.pk) in _notes("request_breached")


def test_request_deadline_exactly_at_the_boundaries(org):
    now = timezone.now()
    at_risk = ServiceRequestFactory(
        assignee=org.users.service, status="assigned", at_risk_at=now, due_at=now + H
    )
    due_now = ServiceRequestFactory(
        assignee=org.users.service, status="assigned", at_risk_at=now - H, due_at=now
    )
    scheduled.notify_request_deadlines(now=now)
    assert _notes("request_at_risk") == {("service", at_risk.pk), ("service", due_now.pk)}
    assert _notes("request_breached") == set()


def test_care_due(org):
    u = org.users
    today = timezone.localdate()
    customer = CustomerFactory(owner=u.sales1, status="active")
    due = CareActionFactory(customer=customer, due_date=today)
    overdue = CareActionFactory(customer=customer, due_date=today - 3 * D, assignee=u.sales1b)
    CareActionFactory(customer=customer, due_date=today + D)
    CareActionFactory(customer=customer, due_date=today, status="done", note="x")
    CareActionFactory(customer=CustomerFactory(owner=u.sales1, deleted_at=timezone.now()))
    assert scheduled.notify_care_due(today=today) == 2
    assert _notes("care_due") == {("sales1", due.pk), ("sales1b", overdue.pk)}
    note = Notification.objects.get(params__id=due.pk)
    assert note.params == {"id": due.pk, "care": "follow_up", "due": today.isoformat()}
    assert note.subject == customer.name
    assert scheduled.notify_care_due(today=today + D) == 1  # the one due tomorrow
