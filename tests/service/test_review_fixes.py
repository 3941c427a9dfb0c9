"""What the review of issue 4 changed: holiday greetings ring once per assignee and day, a
pending contract without a submission time does not stop the run, the hours of a priority
are capped, a win-back stays editable when the customer comes back, a whole request number
is found through its index."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi.notifications.models import Notification, NotificationKind
from guanxi.notifications.selectors import message, target_url
from guanxi.reference.models import Holiday
from guanxi.service import scheduled
from guanxi.service.enums import CareKind
from guanxi.service.selectors import request_list
from guanxi.service.services.care import care_update, service_settings_update, win_back_create
from tests.factories import ContractFactory, CustomerFactory

from .factories import CareActionFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db
D = datetime.timedelta(days=1)


def test_holiday_greetings_ring_once_per_assignee_and_day(org):
    u = org.users
    Holiday.objects.update(is_active=False)
    today = timezone.localdate()
    holiday = Holiday.objects.create(
        code="T", name="测试节", name_en="Test day", month=today.month, day=today.day
    )
    for owner in (u.sales1, u.sales1, u.sales1, u.sales2):
        customer = CustomerFactory(owner=owner, status="active")
        CareActionFactory(
            customer=customer, kind=CareKind.HOLIDAY, holiday=holiday, title="", due_date=today
        )
    CareActionFactory(customer=CustomerFactory(owner=u.sales1), due_date=today)  # a follow-up
    assert scheduled.notify_care_due(today=today) == 3
    assert scheduled.notify_care_due(today=today) == 0
    mine = Notification.objects.filter(recipient=u.sales1, kind=NotificationKind.CARE_DUE)
    digest = mine.get(params__care=CareKind.HOLIDAY)
    assert digest.params["count"] == 3 and digest.subject == "测试节"
    assert message(digest) == f"3 holiday greetings for 测试节 are due on {today.isoformat()}."
    assert target_url(digest) == "/care/?view=due&kind=holiday&mine=1"
    assert mine.count() == 2  # the digest and the follow-up
    other = Notification.objects.get(recipient=u.sales2, kind=NotificationKind.CARE_DUE)
    assert other.params["count"] == 1


def test_a_pending_contract_without_submission_time_does_not_stop_the_run(org):
    u = org.users
    contract = ContractFactory(
        customer=CustomerFactory(owner=u.sales1), owner=u.sales1, status="pending"
    )
    assert contract.submitted_at is None
    assert scheduled.notify_approvals() == 2
    notes = Notification.objects.filter(kind=NotificationKind.APPROVAL_WAITING)
    assert {n.recipient for n in notes} == {u.manager, u.admin}  # East's head, and the admin


@pytest.mark.parametrize("hours", [8761, 10**9])
def test_hours_per_priority_are_capped_at_a_year(org, hours):
    with pytest.raises(ValidationError) as caught:
        service_settings_update(actor=org.users.admin, hours_low=hours)
    assert "hours_low" in caught.value.message_dict


def test_a_win_back_stays_editable_when_the_customer_comes_back(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1, status="lost")
    action = win_back_create(actor=u.sales1, customer=customer, note="拜访老板")
    customer.status = "active"
    customer.save()
    action = care_update(actor=u.sales1, action=action, due_date=timezone.localdate() + 3 * D)
    assert action.due_date == timezone.localdate() + 3 * D
    # …but a new one is for lost customers only.
    with pytest.raises(ValidationError):
        win_back_create(actor=u.sales1, customer=customer)


def test_a_whole_request_number_is_matched_exactly(org):
    customer = CustomerFactory(owner=org.users.sales1)
    wanted = ServiceRequestFactory(customer=customer, number="SR-2026-00012")
    ServiceRequestFactory(customer=customer, number="SR-2026-000123")
    found = request_list(reader=org.users.admin, search="sr-2026-00012")
    assert list(found) == [wanted]
    # Part of a number still searches.
    assert set(request_list(reader=org.users.admin, search="2026-0001")) == set(
        customer.service_requests.all()
    )


def test_due_time_warnings_reach_only_dispatchers_who_may_see_the_request(org):
    from guanxi.accounts.models import Role
    from tests.factories import UserFactory

    u = org.users
    codes = [f"service_requests.{a}" for a in ("view", "create", "change", "approve")]
    Role.objects.create(
        code="east_lead", name="华东客服组长", scope="department", permissions=codes
    )
    lead = UserFactory(username="eastlead", department=org.east, roles=["east_lead"])
    late = timezone.now() - 3 * D
    east = ServiceRequestFactory(customer=CustomerFactory(owner=u.sales1), created_at=late)
    north = ServiceRequestFactory(customer=CustomerFactory(owner=u.sales2), created_at=late)
    assert scheduled.notify_request_deadlines(now=timezone.now()) == 5
    told = {
        (n.recipient.username, n.params["id"])
        for n in Notification.objects.filter(kind=NotificationKind.REQUEST_BREACHED)
    }
    # admin and svcmgr see everything; the East lead only East's customer's request.
    assert told == {
        ("admin", east.pk),
        ("svcmgr", east.pk),
        ("eastlead", east.pk),
        ("admin", north.pk),
        ("svcmgr", north.pk),
    }
    assert lead.notifications.count() == 1


def test_a_resolved_request_keeps_its_priority(org):
    from guanxi.service.services.requests import request_update

    request = ServiceRequestFactory(
        customer=CustomerFactory(owner=org.users.sales1),
        assignee=org.users.service,
        status="resolved",
        resolved_at=timezone.now(),
        resolution="已更换",
    )
    due = request.due_at
    with pytest.raises(ValidationError) as caught:
        request_update(actor=org.users.service, request=request, priority="low")
    assert "priority" in caught.value.message_dict
    request.refresh_from_db()
    assert (request.priority, request.due_at) == ("normal", due)
    # Other fields stay editable.
    request_update(actor=org.users.service, request=request, description="客户补充了照片")
