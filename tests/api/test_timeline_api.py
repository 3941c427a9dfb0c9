"""The customer timeline through the API: every kind the reader may see, newest first, each
kind limited by the reader's permission and scope for its own module; the kind filter;
pages by number; a customer outside the scope is a 404."""

import datetime

import pytest
from django.utils import timezone, translation

from guanxi.customers.services import customer_update
from guanxi.service.models import CareAction, Feedback
from tests.factories import ContactFactory, CustomerFactory, OpportunityFactory, TaskFactory

from .test_service_api import make_request

D = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


@pytest.fixture
def story(org):
    """A customer of sales1 with one entry of every kind, plus an opportunity of sales1b
    (same customer, outside sales1's own scope)."""
    users = org.users
    customer = CustomerFactory(owner=users.sales1, status="active", name="华东精密机械")
    today = timezone.localdate()
    entries = {
        "contact": ContactFactory(customer=customer, name="王经理"),
        "opportunity": OpportunityFactory(customer=customer, name="冲压线", owner=users.sales1),
        "hidden_opportunity": OpportunityFactory(
            customer=customer, name="sales1b 的项目", owner=users.sales1b
        ),
        "task": TaskFactory(customer=customer, date=today - 2 * D, purpose="拜访"),
        "feedback": Feedback.objects.create(
            customer=customer, content="希望降价", date=today - D, reported_by=users.sales1
        ),
        "service_request": make_request(org, customer, subject="设备异响"),
        "care_action": CareAction.objects.create(
            customer=customer,
            kind="follow_up",
            title="售后回访",
            due_date=today - 3 * D,
            assignee=users.sales1,
        ),
    }
    customer_update(actor=users.sales1, customer=customer, notes="重点客户")
    return customer, entries


def timeline(client, customer, **params):
    response = client.get(f"/api/v1/customers/{customer.pk}/timeline/", params)
    assert response.status_code == 200, response.content
    return response.json()


def kinds_of(rows):
    return {row["kind"] for row in rows}


def test_owner_sees_every_kind_newest_first(org, api, story):
    customer, entries = story
    rows = timeline(api(org.users.sales1), customer)["results"]
    assert kinds_of(rows) == {
        "contact", "opportunity", "task", "feedback", "service_request", "care_action",
        "change",
    }  # fmt: skip
    ats = [row["at"] for row in rows]
    assert ats == sorted(ats, reverse=True)
    opportunities = [row["heading"] for row in rows if row["kind"] == "opportunity"]
    assert opportunities == ["冲压线"]  # sales1b's is outside sales1's own scope
    request = next(row for row in rows if row["kind"] == "service_request")
    assert request["ref"] == entries["service_request"].pk
    assert request["heading"] == entries["service_request"].number
    assert request["kind_label"] == "Service request" and request["state_label"] == "New"
    feedback = next(row for row in rows if row["kind"] == "feedback")
    assert (
        feedback["detail"] == "希望降价" and feedback["day"] == entries["feedback"].date.isoformat()
    )
    # The department head sees both opportunities.
    rows = timeline(api(org.users.manager), customer, kind="opportunity")["results"]
    assert {row["heading"] for row in rows} == {"冲压线", "sales1b 的项目"}


def test_kind_filter(org, api, story):
    customer, _entries = story
    client = api(org.users.sales1)
    url = f"/api/v1/customers/{customer.pk}/timeline/"
    response = client.get(f"{url}?kind=feedback&kind=care_action")
    assert response.status_code == 200
    assert kinds_of(response.json()["results"]) == {"feedback", "care_action"}
    assert kinds_of(timeline(client, customer, kind="change")["results"]) == {"change"}
    response = client.get(url, {"kind": "gossip"})
    assert response.status_code == 400 and "kind" in response.json()
    for bad in ({"page": 0}, {"page_size": 500}, {"page": "x"}):
        assert client.get(url, bad).status_code == 400, bad


def test_scope_and_modules(org, api, story):
    customer, _entries = story
    users = org.users
    url = f"/api/v1/customers/{customer.pk}/timeline/"
    # Outside the customer scope: not found, whatever is asked.
    assert api(users.sales2).get(url).status_code == 404
    assert api(users.sales2).get(url, {"kind": "feedback"}).status_code == 404
    assert api(users.manager2).get(url).status_code == 404
    assert api(users.sales1).get("/api/v1/customers/999999/timeline/").status_code == 404
    assert api().get(url).status_code in (401, 403)
    # Each reader sees only the modules they hold.
    service = kinds_of(timeline(api(users.service), customer)["results"])
    assert {"feedback", "service_request", "care_action", "contact"} <= service
    assert not service & {"opportunity", "task"}
    researcher = kinds_of(timeline(api(users.researcher), customer)["results"])
    assert {"feedback", "service_request", "opportunity"} <= researcher
    assert not researcher & {"care_action", "task"}
    # A kind asked for but not held gives nothing rather than an error.
    assert timeline(api(users.researcher), customer, kind="care_action")["results"] == []


def test_a_salesperson_without_a_module_does_not_see_its_entries(org, api, story):
    """A salesperson whose role lacks care (an administrator took it away) loses the care
    entries on the timeline, and only those."""
    from guanxi.accounts.models import Role
    from guanxi.accounts.rules import forget_grants

    customer, _entries = story
    role = Role.objects.get(code="salesperson")
    role.permissions = [p for p in role.permissions if not p.startswith("care.")]
    role.save(update_fields=["permissions"])
    forget_grants(org.users.sales1)
    rows = timeline(api(org.users.sales1), customer)["results"]
    assert "care_action" not in kinds_of(rows)
    assert {"feedback", "service_request", "task"} <= kinds_of(rows)


def test_pages_by_number(org, api, story):
    customer, _entries = story
    client = api(org.users.sales1)
    everything = timeline(client, customer, page_size=200)["results"]
    assert len(everything) == 7
    first = timeline(client, customer, page_size=3)
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert second["previous"] and "page=" not in second["previous"].replace("page_size=", "")
    third = client.get(second["next"]).json()
    assert third["next"] is None and "page=2" in third["previous"]
    paged = first["results"] + second["results"] + third["results"]
    assert [(r["kind"], r["ref"]) for r in paged] == [(r["kind"], r["ref"]) for r in everything]
    assert timeline(client, customer, page=9)["results"] == []
