"""The start page shows an agent their request queue (with how many are overdue) and an owner
their care actions due — counting only their own."""

import datetime

from django.utils import timezone

from tests.factories import CustomerFactory
from tests.service.factories import CareActionFactory, ServiceRequestFactory


def test_agent_sees_queue_with_overdue_count(org, login):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    late = timezone.now() - datetime.timedelta(days=3)
    ServiceRequestFactory(
        customer=customer, assignee=u.service, status="in_progress", created_at=late
    )
    ServiceRequestFactory(customer=customer, assignee=u.service, status="assigned")
    ServiceRequestFactory(customer=customer, assignee=u.svcmgr, status="assigned")
    ServiceRequestFactory(customer=customer, assignee=u.service, status="closed")
    page = login(u.service).get("/").content.decode()
    assert 'id="home-service-queue"' in page
    card = page.split('id="home-service-queue"')[1].split("</div></div>")[0]
    assert ">2</a>" in card and "1 overdue" in card
    # A salesperson does not work on requests: no queue card.
    assert 'id="home-service-queue"' not in login(u.sales1).get("/").content.decode()


def test_owner_sees_own_care_actions_due(org, login):
    u = org.users
    mine = CustomerFactory(owner=u.sales1)
    CareActionFactory(customer=mine, due_date=timezone.localdate())
    CareActionFactory(customer=mine, due_date=timezone.localdate() - datetime.timedelta(days=2))
    CareActionFactory(customer=mine, due_date=timezone.localdate() + datetime.timedelta(days=5))
    CareActionFactory(customer=mine, status="done", note="已回访")
    CareActionFactory(customer=CustomerFactory(owner=u.sales1b))
    page = login(u.sales1).get("/").content.decode()
    card = page.split('id="home-care-due"')[1].split("</div></div>")[0]
    assert ">2</a>" in card
    # The manager sees the team's in the list, but the card counts only their own.
    assert ">0</a>" in login(u.manager).get("/").content.decode().split('id="home-care-due"')[1]
