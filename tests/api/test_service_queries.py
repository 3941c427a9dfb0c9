"""Every service, care, market and notification list, the queues and the customer timeline
cost a fixed number of queries, whatever the number of rows on the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.market.models import Competitor, IndustryNews
from guanxi.notifications.models import NotificationKind
from guanxi.notifications.services import Note, notify
from guanxi.reference.models import Industry, WorkMethod
from guanxi.service.enums import CareKind, RequestStatus
from guanxi.service.models import CareAction, Feedback
from guanxi.service.selectors import service_settings
from guanxi.service.services import care as cs
from tests.factories import ContactFactory, CustomerFactory, OpportunityFactory, TaskFactory

from .test_service_api import make_request

# token, roles, the reader's department subtree (department scope), the page, and per list:
# prefetched relations (news: competitors), settings (churn), the customer (timeline).
MAX_QUERIES = 7


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def _customer(org):
    return CustomerFactory(owner=org.users.sales1, status="active")


def add_feedback(org, n):
    method = WorkMethod.objects.first()
    for _ in range(n):
        customer = _customer(org)
        Feedback.objects.create(
            customer=customer,
            contact=ContactFactory(customer=customer),
            channel=method,
            content="回访",
            date=timezone.localdate(),
            reported_by=org.users.sales1,
            created_by=org.users.clerk,
        )


def add_requests(org, n):
    statuses = list(RequestStatus)
    for i in range(n):
        make_request(
            org,
            _customer(org),
            statuses[i % len(statuses)],
            complaint=bool(i % 2),
            by=org.users.sales1,
        )


def add_queue(org, n):
    for _ in range(n):
        make_request(org, _customer(org), RequestStatus.ASSIGNED, by=org.users.sales1)
        make_request(org, _customer(org), by=org.users.sales1)


def add_care(org, n):
    for i in range(n):
        customer = _customer(org)
        action = cs.care_create(
            actor=org.users.admin,
            customer=customer,
            contact=ContactFactory(customer=customer),
            kind=CareKind.FOLLOW_UP,
            due_date=timezone.localdate() - datetime.timedelta(days=i),
        )
        if i % 2:
            cs.care_done(actor=org.users.admin, action=action, note="好")


def add_churn(org, n):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for _ in range(n):
        customer = CustomerFactory(owner=org.users.sales1, status="active", created_at=long_ago)
        Feedback.objects.create(
            customer=customer,
            content="回访",
            date=timezone.localdate() - datetime.timedelta(days=300),
            reported_by=org.users.sales1,
        )


def add_lost(org, n):
    for _ in range(n):
        customer = CustomerFactory(
            owner=org.users.sales1, status="lost", lost_at=timezone.now(), lost_reason="价格"
        )
        cs.win_back_create(actor=org.users.admin, customer=customer)


def add_competitors(org, n):
    for _ in range(n):
        competitor = Competitor.objects.create(name=f"对手{Competitor.objects.count()}")
        OpportunityFactory(customer=_customer(org)).competitors.add(competitor)


def add_news(org, n):
    industry = Industry.objects.create(code=f"T-{IndustryNews.objects.count()}", name="行业")
    competitor = Competitor.objects.create(name=f"新闻对手{Competitor.objects.count()}")
    for _ in range(n):
        news = IndustryNews.objects.create(
            title="新闻", published_on=timezone.localdate(), industry=industry
        )
        news.competitors.add(competitor)


def add_notifications(org, n):
    start = len(org.users.sales1.notifications.all())
    notify(
        [
            Note(
                recipient_id=user.pk,
                kind=NotificationKind.REQUEST_ASSIGNED,
                key=f"n{start + i}",
                subject="SR-1",
                params={"id": 1, "customer": "客户"},
            )
            for i in range(n)
            for user in (org.users.sales1, org.users.manager, org.users.admin)
        ]
    )


LISTS = {
    "feedback": (add_feedback, {}),
    "service-requests": (add_requests, {}),
    "service-requests?sla=on_time": (add_requests, {"sla": "on_time", "ordering": "due_at"}),
    "care-actions": (add_care, {}),
    "care-actions?view=done": (add_care, {"view": "done"}),
    "churn-warnings": (add_churn, {}),
    "lost-customers": (add_lost, {}),
    "competitors": (add_competitors, {}),
    "news": (add_news, {}),
    "notifications": (add_notifications, {}),
}


@pytest.mark.parametrize("role", ["manager", "sales1", "admin"])
@pytest.mark.parametrize("name", list(LISTS))
def test_list_queries_do_not_grow_with_rows(org, token_client, name, role):
    add, params = LISTS[name]
    service_settings()  # the settings row exists in a running system
    path = name.partition("?")[0]
    client = token_client(getattr(org.users, role))
    url = f"/api/v1/{path}/"
    params = {"page_size": 50, **params}
    add(org, 2)
    few, rows_few = count_queries(client, url, params)
    add(org, 6)
    many, rows_many = count_queries(client, url, params)
    assert rows_many > rows_few, (rows_few, rows_many)
    assert few == many <= MAX_QUERIES, (few, many)


@pytest.mark.parametrize("queue", ["queue", "team-queue"])
def test_queues_do_not_grow(org, token_client, queue):
    reader = org.users.service if queue == "queue" else org.users.svcmgr
    client = token_client(reader)
    url = f"/api/v1/service-requests/{queue}/"
    add_queue(org, 2)
    few, rows_few = count_queries(client, url, {"page_size": 50})
    add_queue(org, 6)
    many, rows_many = count_queries(client, url, {"page_size": 50})
    assert rows_many > rows_few
    assert few == many <= MAX_QUERIES, (few, many)


def test_second_page_costs_the_same(org, token_client):
    add_requests(org, 8)
    client = token_client(org.users.admin)
    first, _rows = count_queries(client, "/api/v1/service-requests/", {"page_size": 3})
    next_url = client.get("/api/v1/service-requests/", {"page_size": 3}).json()["next"]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(next_url).status_code == 200
    assert len(captured) == first


def add_history(org, customer, n):
    users = org.users
    for _ in range(n):
        ContactFactory(customer=customer)
        OpportunityFactory(customer=customer, owner=users.sales1)
        TaskFactory(customer=customer)
        Feedback.objects.create(
            customer=customer, content="回访", date=timezone.localdate(), reported_by=users.sales1
        )
        make_request(org, customer, RequestStatus.RESOLVED, by=users.sales1)
        CareAction.objects.create(
            customer=customer,
            kind=CareKind.FOLLOW_UP,
            due_date=timezone.localdate(),
            assignee=users.sales1,
        )


@pytest.mark.parametrize("role", ["manager", "sales1", "admin", "service"])
def test_timeline_queries_do_not_grow(org, token_client, role):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    client = token_client(getattr(org.users, role))
    url = f"/api/v1/customers/{customer.pk}/timeline/"
    add_history(org, customer, 1)
    client.get(url)  # content types cached, as in a running server
    few, rows_few = count_queries(client, url, {"page_size": 200})
    add_history(org, customer, 5)
    many, rows_many = count_queries(client, url, {"page_size": 200})
    assert rows_many > rows_few
    assert few == many <= MAX_QUERIES, (few, many)
