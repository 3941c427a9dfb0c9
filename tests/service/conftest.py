import datetime

import pytest
from django.utils import timezone, translation

from guanxi.reference.models import Holiday
from guanxi.service.selectors import service_settings
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, TaskFactory

from .factories import CareActionFactory, ServiceRequestFactory

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English, whatever ran before in this process (the
    default language is zh-hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def agent2(org):
    """A second service agent (department hq)."""
    from tests.factories import UserFactory

    return UserFactory(username="agent2", department=org.hq, roles=["service"])


@pytest.fixture
def customer(org):
    """An active customer of sales1 (East)."""
    return CustomerFactory(owner=org.users.sales1, status="active", name="华东精密机械")


@pytest.fixture
def world(org):
    """Something for every step, as of today."""
    u = org.users
    Holiday.objects.update(is_active=False)
    today = timezone.localdate()
    settings = service_settings()
    a = CustomerFactory(owner=u.sales1, status="active")
    b = CustomerFactory(owner=u.sales2, status="active")
    quiet = CustomerFactory(owner=u.sales1, status="active", created_at=timezone.now() - 400 * D)
    ContractFactory(
        customer=a,
        owner=u.sales1,
        status="completed",
        completed_on=today - (settings.follow_up_days - 2) * D,
    )
    ContactFactory(customer=a, birthday=datetime.date(1980, *(today + 3 * D).timetuple()[1:3]))
    holiday_day = today + 5 * D
    Holiday.objects.create(
        code="TEST_DAY",
        name="测试节",
        name_en="Test day",
        month=holiday_day.month,
        day=holiday_day.day,
    )
    TaskFactory(customer=a, salesperson=u.sales1, date=today, purpose="拜访")
    ContractFactory(customer=a, owner=u.sales1, status="pending", submitted_at=timezone.now())
    now = timezone.now()
    ServiceRequestFactory(
        customer=b, assignee=u.service, status="assigned", at_risk_at=now - H, due_at=now + H
    )
    ServiceRequestFactory(customer=b, status="new", at_risk_at=now - 2 * H, due_at=now - H)
    CareActionFactory(customer=b, due_date=today)
    return {"a": a, "b": b, "quiet": quiet}
