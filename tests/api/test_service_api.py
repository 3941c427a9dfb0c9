"""Service requests and interaction feedback through the API: the whole request flow with its
notifications, every refused move (400, nothing changed), who may assign, start and
resolve, editing and deleting, filters and keyset pages, the queues, the service settings,
marking a customer lost.

The helpers at the top (make_request, service_state…) are shared by the other service API
tests."""

import base64
import datetime
from urllib.parse import urlencode

import pytest
from django.utils import timezone, translation

from guanxi.common.models import AuditLog
from guanxi.customers.models import Customer
from guanxi.market.models import Competitor, IndustryNews
from guanxi.notifications.models import Notification, NotificationKind
from guanxi.reference.models import ComplaintCategory, ServiceRequestType, WorkMethod
from guanxi.service.enums import RequestStatus
from guanxi.service.models import CareAction, Feedback, ServiceRequest, ServiceSettings
from guanxi.service.services import requests as rs
from tests.factories import ContactFactory, CustomerFactory, UserFactory

from .helpers import collect_pages, ids

REQUESTS = "/api/v1/service-requests/"
FEEDBACK = "/api/v1/feedback/"

# --- shared helpers ----------------------------------------------------------------------


def request_type(code="REPAIR"):
    return ServiceRequestType.objects.get(code=code)


def complaint_category():
    return ComplaintCategory.objects.get(code="QUALITY")


def make_request(
    org,
    customer,
    status=RequestStatus.NEW,
    *,
    by=None,
    assignee=None,
    complaint=False,
    priority="normal",
    subject="设备异响",
):
    """A request taken through the services to `status`: opened by `by` (the service agent
    by default), assigned by the service manager to `assignee` (the agent by default)."""
    users = org.users
    fields = {
        "customer": customer,
        "type": request_type("COMPLAINT" if complaint else "REPAIR"),
        "subject": subject,
        "priority": priority,
    }
    if complaint:
        fields["complaint_category"] = complaint_category()
    request = rs.request_create(actor=by or users.service, **fields)
    steps = [
        (RequestStatus.ASSIGNED, lambda r: rs.request_assign(
            actor=users.svcmgr, request=r, assignee=assignee or users.service)),
        (RequestStatus.IN_PROGRESS, lambda r: rs.request_start(actor=users.svcmgr, request=r)),
        (RequestStatus.RESOLVED, lambda r: rs.request_resolve(
            actor=users.svcmgr, request=r, resolution="更换了轴承")),
        (RequestStatus.CLOSED, lambda r: rs.request_close(
            actor=users.svcmgr, request=r, satisfaction=4)),
    ]  # fmt: skip
    for reached, step in steps:
        if request.status == status:
            break
        request = step(request)
        assert request.status == reached
    request.refresh_from_db()
    assert request.status == status
    return request


def service_state():
    """Everything a service, care, market or notification call could write."""
    return {
        "requests": sorted(
            ServiceRequest.objects.values_list(
                "id",
                "status",
                "assignee",
                "priority",
                "subject",
                "resolution",
                "satisfaction",
                "due_at",
                "resolved_at",
                "closed_at",
                "reopen_count",
                "updated_at",
            )
        ),  # fmt: skip
        "feedback": sorted(
            Feedback.objects.values_list("id", "content", "reported_by", "date", "updated_at")
        ),
        "care": sorted(
            CareAction.objects.values_list(
                "id", "status", "title", "note", "due_date", "assignee", "updated_at"
            )
        ),
        "customers": sorted(Customer.objects.values_list("id", "status", "lost_reason")),
        "competitors": sorted(Competitor.objects.values_list("id", "name", "updated_at")),
        "news": sorted(IndustryNews.objects.values_list("id", "title", "updated_at")),
        "notifications": sorted(Notification.objects.values_list("id", "read_at")),
        "audit": AuditLog.objects.count(),
    }


def detail(base, obj, action=""):
    return f"{base}{obj.pk}/{action + '/' if action else ''}"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    """The API clients of these tests read English messages."""

    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1, status="active", name="华东精密机械")


@pytest.fixture
def agent2(org):
    return UserFactory(username="agent2", department=org.hq, roles=["service"])


# --- the whole flow ----------------------------------------------------------------------


def test_complaint_flow_through_the_api(org, api, customer):
    users = org.users
    agent, manager = api(users.service), api(users.svcmgr)
    contact = ContactFactory(customer=customer)
    response = agent.post(
        REQUESTS,
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "type": request_type("COMPLAINT").pk,
            "complaint_category": complaint_category().pk,
            "priority": "high",
            "subject": "刹车片异响",
            "description": "客户反映新装刹车片有异响",
            "status": "closed",  # read-only: ignored
            "satisfaction": 5,  # read-only: ignored
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["number"].startswith("SR-")
    assert body["status"] == "new" and body["satisfaction"] is None
    assert body["is_complaint"] is True and body["contact_name"] == contact.name
    assert body["sla_state"] == "on_time" and body["created_by"] == users.service.pk
    created = ServiceRequest.objects.get(pk=pk)
    assert created.due_at - created.created_at == datetime.timedelta(hours=8)
    # The customer's owner hears of the complaint.
    complaint = Notification.objects.get(recipient=users.sales1, kind=NotificationKind.COMPLAINT)
    assert complaint.params["id"] == pk

    response = manager.post(f"{REQUESTS}{pk}/assign/", {"assignee": users.service.pk})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned"
    assert response.json()["assignee"] == users.service.pk
    assert Notification.objects.filter(
        recipient=users.service, kind=NotificationKind.REQUEST_ASSIGNED
    ).exists()

    assert agent.post(f"{REQUESTS}{pk}/start/").json()["status"] == "in_progress"
    response = agent.post(f"{REQUESTS}{pk}/resolve/", {"resolution": "  "})
    assert response.status_code == 400
    assert response.json() == {"resolution": ["Say how the request was resolved."]}
    response = agent.post(f"{REQUESTS}{pk}/resolve/", {"resolution": "更换刹车片"})
    assert response.status_code == 200
    assert response.json()["status"] == "resolved" and response.json()["resolved_at"]
    assert response.json()["sla_state"] == "on_time"

    for bad in (0, 6, "abc", None):
        response = agent.post(f"{REQUESTS}{pk}/close/", {"satisfaction": bad}, format="json")
        assert response.status_code == 400 and "satisfaction" in response.json(), bad
    response = agent.post(f"{REQUESTS}{pk}/close/", {"satisfaction": 5, "comment": "很满意"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["satisfaction"] == 5
    assert body["satisfaction_comment"] == "很满意" and body["closed_at"]
    closed = Notification.objects.get(recipient=users.sales1, kind=NotificationKind.REQUEST_CLOSED)
    assert closed.params["score"] == 5

    # The owner sees it, its notifications and its place on the customer's timeline.
    owner = api(users.sales1)
    assert owner.get(f"{REQUESTS}{pk}/").json()["status"] == "closed"
    kinds = {n["kind"] for n in owner.get("/api/v1/notifications/").json()["results"]}
    assert kinds == {"complaint", "request_closed"}
    timeline = owner.get(
        f"/api/v1/customers/{customer.pk}/timeline/", {"kind": "service_request"}
    ).json()["results"]
    assert [(e["ref"], e["state"]) for e in timeline] == [(pk, "closed")]

    response = agent.post(f"{REQUESTS}{pk}/reopen/", {"reason": "又响了"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress" and body["reopen_count"] == 1
    assert body["satisfaction"] is None and body["closed_at"] is None
    assert body["resolution"] == "更换刹车片"


def test_create_with_an_assignee_and_defaults(org, api, customer):
    response = api(org.users.service).post(
        REQUESTS,
        {
            "customer": customer.pk,
            "type": request_type().pk,
            "subject": "保养",
            "assignee": org.users.service.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["assignee"], body["priority"]) == (
        "assigned",
        org.users.service.pk,
        "normal",
    )
    assert body["assignee_name"] == str(org.users.service)
    # Given to oneself: no notification.
    assert not Notification.objects.filter(kind=NotificationKind.REQUEST_ASSIGNED).exists()


def test_create_refusals_are_field_errors(org, api, customer):
    client = api(org.users.service)
    other = CustomerFactory(owner=org.users.sales2)
    foreign_contact = ContactFactory(customer=other)
    base = {"customer": customer.pk, "type": request_type().pk, "subject": "维修"}
    before = service_state()
    cases = [
        ({**base, "type": request_type("COMPLAINT").pk}, "complaint_category"),
        ({**base, "type": None}, "type"),
        ({**base, "subject": "  "}, "subject"),
        ({**base, "priority": "asap"}, "priority"),
        ({**base, "contact": foreign_contact.pk}, "contact"),
        ({**base, "customer": 999999}, "customer"),
        ({**base, "assignee": org.users.sales1.pk}, "assignee"),
    ]
    for payload, field in cases:
        response = client.post(REQUESTS, payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (field, response.json())
    assert service_state() == before
    # A salesperson cannot open one for a customer outside their scope.
    response = api(org.users.sales2).post(REQUESTS, base)
    assert response.status_code == 400
    assert response.json()["customer"] == [f"Customer not found (id {customer.pk})."]
    # Nor name someone else as its assignee while opening it (only a dispatcher may): the
    # assignee is a field like any owner, so a field error.
    response = client.post(REQUESTS, {**base, "assignee": agent_id(org)})
    assert response.status_code == 400
    assert response.json()["assignee"] == ["You can only assign a new request to yourself."]
    assert service_state() == before


def agent_id(org):
    return UserFactory(username="agent3", department=org.hq, roles=["service"]).pk


# --- transitions -------------------------------------------------------------------------

STATUSES = [s.value for s in RequestStatus]
ALLOWED = {
    ("assign", "new"): "assigned",
    ("assign", "assigned"): "assigned",
    ("assign", "in_progress"): "assigned",
    ("start", "assigned"): "in_progress",
    ("resolve", "in_progress"): "resolved",
    ("close", "resolved"): "closed",
    ("reopen", "resolved"): "in_progress",
    ("reopen", "closed"): "in_progress",
}
TRANSITIONS = ["assign", "start", "resolve", "close", "reopen"]


def payload_for(transition, org, agent2):
    return {
        "assign": {"assignee": agent2.pk},
        "resolve": {"resolution": "处理完毕"},
        "close": {"satisfaction": 3},
        "reopen": {"reason": "客户再次投诉"},
    }.get(transition, {})


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("transition", TRANSITIONS)
def test_each_transition_allowed_or_refused(org, api, customer, agent2, transition, status):
    request = make_request(org, customer, status)
    before = service_state()
    response = api(org.users.svcmgr).post(
        detail(REQUESTS, request, transition), payload_for(transition, org, agent2)
    )
    expected = ALLOWED.get((transition, status))
    if expected is None:
        assert response.status_code == 400, response.content
        assert "non_field_errors" in response.json()
        assert service_state() == before, "a refused move changed data"
        return
    assert response.status_code == 200, response.content
    assert response.json()["status"] == expected
    request.refresh_from_db()
    assert request.status == expected and request.updated_by == org.users.svcmgr


def test_refused_messages_in_english(org, api, customer):
    request = make_request(org, customer)
    response = api(org.users.svcmgr).post(detail(REQUESTS, request, "start"))
    assert response.json() == {"non_field_errors": ["Only an assigned request can be started."]}
    response = api(org.users.svcmgr).post(detail(REQUESTS, request, "close"), {"satisfaction": 4})
    assert response.json() == {"non_field_errors": ["Only a resolved request can be closed."]}


def test_who_may_assign_start_and_resolve(org, api, customer, agent2):
    users = org.users
    agent = api(users.service)
    unassigned = make_request(org, customer)
    # An agent assigns to someone else: refused; takes it: fine.
    before = service_state()
    response = agent.post(detail(REQUESTS, unassigned, "assign"), {"assignee": agent2.pk})
    assert response.status_code == 403
    assert response.json()["detail"] == "Only a service manager can assign requests to others."
    assert service_state() == before
    response = agent.post(detail(REQUESTS, unassigned, "assign"), {"assignee": users.service.pk})
    assert response.status_code == 200 and response.json()["assignee"] == users.service.pk
    # Another agent can neither take it over nor start it; the manager can.
    other = api(agent2)
    before = service_state()
    assert (
        other.post(detail(REQUESTS, unassigned, "assign"), {"assignee": agent2.pk}).status_code
        == 403
    )
    assert other.post(detail(REQUESTS, unassigned, "start")).status_code == 403
    assert service_state() == before
    assert agent.post(detail(REQUESTS, unassigned, "start")).status_code == 200
    assert (
        other.post(detail(REQUESTS, unassigned, "resolve"), {"resolution": "x"}).status_code == 403
    )
    # The assignee must work on requests; unknown ids are field errors.
    for assignee in (users.sales1.pk, 999999):
        response = api(users.svcmgr).post(
            detail(REQUESTS, unassigned, "assign"), {"assignee": assignee}
        )
        assert response.status_code == 400 and "assignee" in response.json()
    # A salesperson cannot move requests at all (no change permission).
    assert (
        api(users.sales1)
        .post(detail(REQUESTS, unassigned, "resolve"), {"resolution": "x"})
        .status_code
        == 403
    )
    # A missing resolution is a field error before anything is looked at.
    response = agent.post(detail(REQUESTS, unassigned, "resolve"), {})
    assert response.status_code == 400 and "resolution" in response.json()


# --- edit, delete --------------------------------------------------------------------------


def test_patch_editable_fields_and_due_time(org, api, customer):
    request = make_request(org, customer, RequestStatus.ASSIGNED)
    client = api(org.users.service)
    other = CustomerFactory(owner=org.users.sales1)
    response = client.patch(
        detail(REQUESTS, request),
        {
            "priority": "urgent",
            "subject": "紧急维修",
            "customer": other.pk,  # read-only on update: ignored
            "assignee": org.users.svcmgr.pk,  # read-only on update: ignored
            "status": "closed",  # read-only: ignored
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["priority"] == "urgent" and body["subject"] == "紧急维修"
    assert body["customer"] == customer.pk and body["assignee"] == org.users.service.pk
    assert body["status"] == "assigned"
    request.refresh_from_db()
    assert request.due_at - request.created_at == datetime.timedelta(hours=4)
    response = client.patch(detail(REQUESTS, request), {"type": request_type("COMPLAINT").pk})
    assert response.status_code == 400 and "complaint_category" in response.json()
    closed = make_request(org, customer, RequestStatus.CLOSED)
    before = service_state()
    response = client.patch(detail(REQUESTS, closed), {"subject": "改"})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["A closed request cannot be edited; reopen it first."]
    }
    assert service_state() == before


def test_delete_only_new(org, api, customer):
    client = api(org.users.svcmgr)
    assigned = make_request(org, customer, RequestStatus.ASSIGNED)
    before = service_state()
    response = client.delete(detail(REQUESTS, assigned))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a new request can be deleted."]}
    assert service_state() == before
    new = make_request(org, customer)
    assert client.delete(detail(REQUESTS, new)).status_code == 204
    assert not ServiceRequest.objects.filter(pk=new.pk).exists()
    # The agent has no delete permission.
    again = make_request(org, customer)
    assert api(org.users.service).delete(detail(REQUESTS, again)).status_code == 403


# --- lists ---------------------------------------------------------------------------------


def test_list_filters(org, api, customer, agent2):
    users = org.users
    other = CustomerFactory(owner=users.sales1)
    new = make_request(org, customer, priority="low", subject="咨询价格")
    mine = make_request(org, customer, RequestStatus.IN_PROGRESS, priority="urgent")
    theirs = make_request(org, other, RequestStatus.ASSIGNED, assignee=agent2)
    complaint = make_request(org, other, RequestStatus.CLOSED, complaint=True)
    breached = make_request(org, customer, RequestStatus.ASSIGNED)
    ServiceRequest.objects.filter(pk=breached.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1),
        at_risk_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client = api(users.svcmgr)

    def listed(**params):
        response = client.get(REQUESTS, params)
        assert response.status_code == 200, response.content
        return set(ids(response))

    assert listed() == {new.pk, mine.pk, theirs.pk, complaint.pk, breached.pk}
    assert listed(status="open") == {new.pk, mine.pk, theirs.pk, breached.pk}
    assert listed(status="closed") == {complaint.pk}
    assert listed(priority="urgent") == {mine.pk}
    assert listed(assignee="none") == {new.pk}
    assert listed(assignee=agent2.pk) == {theirs.pk}
    assert listed(customer=other.pk) == {theirs.pk, complaint.pk}
    assert listed(complaint="true") == {complaint.pk}
    assert listed(complaint="false") == {new.pk, mine.pk, theirs.pk, breached.pk}
    assert listed(type=request_type("COMPLAINT").pk) == {complaint.pk}
    assert listed(sla="breached") == {breached.pk}
    assert listed(search="咨询") == {new.pk}
    assert listed(search=new.number) == {new.pk}
    rows = client.get(REQUESTS, {"ordering": "due_at"}).json()["results"]
    assert rows[0]["id"] == breached.pk and rows[0]["sla_state"] == "breached"
    for bad in ({"assignee": "abc"}, {"status": "done"}, {"sla": "late"}, {"ordering": "x"}):
        response = client.get(REQUESTS, bad)
        assert response.status_code == 400 and set(bad) <= set(response.json()), bad


def test_keyset_pages_with_equal_due_times(org, api, customer):
    """Many requests due at the same moment: every one appears once, forwards and back."""
    requests = [make_request(org, customer) for _ in range(7)]
    same = timezone.now() + datetime.timedelta(hours=5)
    ServiceRequest.objects.update(due_at=same, at_risk_at=same)
    client = api(org.users.svcmgr)
    rows, pages = collect_pages(client, REQUESTS, {"ordering": "due_at", "page_size": 2})
    assert [r["id"] for r in rows] == sorted(r.pk for r in requests)
    assert pages == 4
    # Back from the last page.
    response = client.get(REQUESTS, {"ordering": "due_at", "page_size": 2})
    while response.json()["next"]:
        response = client.get(response.json()["next"])
    back = []
    while True:
        back = [r["id"] for r in response.json()["results"]] + back
        if not response.json()["previous"]:
            break
        response = client.get(response.json()["previous"])
    assert back == sorted(r.pk for r in requests)
    response = client.get(REQUESTS, {"cursor": "garbage"})
    assert response.status_code == 400
    assert "cursor" in response.json()
    # Forged keys: not JSON, the wrong length, not of the columns' types: a bad parameter.
    for position in ("{", '["1"]', '["soon", "x"]', "[1, 2]", '["2026-01-01T00:00:00+00:00", "x"]'):
        token = base64.b64encode(urlencode({"p": position}).encode()).decode()
        response = client.get(REQUESTS, {"ordering": "due_at", "cursor": token})
        assert response.status_code == 400, (position, response.content)
        assert "cursor" in response.json()


def test_my_queue_and_team_queue(org, api, customer, agent2):
    users = org.users
    mine_late = make_request(org, customer, RequestStatus.ASSIGNED, priority="urgent")
    mine_later = make_request(org, customer, RequestStatus.IN_PROGRESS, priority="low")
    make_request(org, customer, RequestStatus.RESOLVED)  # not open
    theirs = make_request(org, customer, RequestStatus.ASSIGNED, assignee=agent2)
    unassigned = make_request(org, customer)

    response = api(users.service).get(f"{REQUESTS}queue/")
    assert response.status_code == 200
    assert ids(response) == [mine_late.pk, mine_later.pk]
    assert ids(api(agent2).get(f"{REQUESTS}queue/")) == [theirs.pk]

    response = api(users.svcmgr).get(f"{REQUESTS}team-queue/")
    assert response.status_code == 200
    rows = ids(response)
    assert rows[0] == unassigned.pk
    assert set(rows) == {unassigned.pk, mine_late.pk, mine_later.pk, theirs.pk}
    assert rows.index(mine_late.pk) < rows.index(mine_later.pk)
    assert ids(api(users.svcmgr).get(f"{REQUESTS}team-queue/", {"assignee": "none"})) == [
        unassigned.pk
    ]
    rows, _pages = collect_pages(api(users.svcmgr), f"{REQUESTS}team-queue/", {"page_size": 1})
    assert [r["id"] for r in rows] == ids(api(users.svcmgr).get(f"{REQUESTS}team-queue/"))
    for user in (users.service, users.sales1, users.manager, users.exec):
        response = api(user).get(f"{REQUESTS}team-queue/")
        assert response.status_code == 403, user
    assert api(users.admin).get(f"{REQUESTS}team-queue/").status_code == 200
    assert api(users.researcher).get(f"{REQUESTS}queue/").json()["results"] == []


# --- feedback ------------------------------------------------------------------------------


def test_feedback_recorded_for_someone_else(org, api, customer):
    users = org.users
    phone = WorkMethod.objects.filter(is_active=True).first()
    contact = ContactFactory(customer=customer)
    response = api(users.clerk).post(
        FEEDBACK,
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "channel": phone.pk,
            "date": "2024-03-01",
            "content": "客户希望缩短交期",
            "reported_by": users.sales1.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reported_by"] == users.sales1.pk and body["created_by"] == users.clerk.pk
    assert body["channel_name"] == str(phone) and body["contact_name"] == contact.name
    # The reporter sees it (and the customer's owner is the same person here).
    assert api(users.sales1).get(f"{FEEDBACK}{body['id']}/").status_code == 200
    assert api(users.sales2).get(f"{FEEDBACK}{body['id']}/").status_code == 404
    # Defaults: today, reported by the author.
    response = api(users.sales1).post(FEEDBACK, {"customer": customer.pk, "content": "电话回访"})
    assert response.status_code == 201
    assert response.json()["date"] == timezone.localdate().isoformat()
    assert response.json()["reported_by"] == users.sales1.pk


def test_feedback_refusals(org, api, customer):
    users = org.users
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = api(users.sales1)
    base = {"customer": customer.pk, "content": "回访"}
    cases = [
        ({**base, "date": tomorrow}, "date", "Feedback is about a contact that has happened."),
        ({**base, "content": " "}, "content", None),
        ({**base, "reported_by": users.sales2.pk}, "reported_by",
         "You can only assign records within your own scope."),
        ({**base, "customer": CustomerFactory(owner=users.sales2).pk}, "customer", None),
        ({**base, "contact": ContactFactory(customer=CustomerFactory(owner=users.sales1)).pk},
         "contact", "This contact belongs to another customer."),
    ]  # fmt: skip
    before = service_state()
    for payload, field, message in cases:
        response = client.post(FEEDBACK, payload)
        assert response.status_code == 400, payload
        assert field in response.json(), response.json()
        if message:
            assert response.json()[field] == [message]
    assert service_state() == before


def test_feedback_filters_edit_delete(org, api, customer):
    users = org.users
    method = WorkMethod.objects.filter(is_active=True).first()
    client = api(users.sales1)
    old = client.post(
        FEEDBACK, {"customer": customer.pk, "content": "展会交流", "date": "2024-01-10"}
    ).json()
    new = client.post(
        FEEDBACK, {"customer": customer.pk, "content": "电话回访", "channel": method.pk}
    ).json()
    other = CustomerFactory(owner=users.sales1)
    third = client.post(FEEDBACK, {"customer": other.pk, "content": "拜访"}).json()

    def listed(**params):
        response = client.get(FEEDBACK, params)
        assert response.status_code == 200, response.content
        return ids(response)

    assert listed() == [third["id"], new["id"], old["id"]]
    assert listed(customer=customer.pk) == [new["id"], old["id"]]
    assert listed(channel=method.pk) == [new["id"]]
    assert listed(date_to="2024-12-31") == [old["id"]]
    assert set(listed(date_from="2024-12-31")) == {new["id"], third["id"]}
    assert listed(search="展会") == [old["id"]]
    assert listed(reported_by=users.sales2.pk) == []
    assert client.get(FEEDBACK, {"date_from": "yesterday"}).status_code == 400

    response = client.patch(f"{FEEDBACK}{old['id']}/", {"content": "展会交流，约了拜访"})
    assert response.status_code == 200 and response.json()["content"] == "展会交流，约了拜访"
    assert response.json()["updated_by"] == users.sales1.pk
    assert client.delete(f"{FEEDBACK}{old['id']}/").status_code == 204
    assert not Feedback.objects.filter(pk=old["id"]).exists()
    # The service agent may change but not delete feedback.
    assert api(users.service).patch(f"{FEEDBACK}{new['id']}/", {"content": "改"}).status_code == 200
    assert api(users.service).delete(f"{FEEDBACK}{new['id']}/").status_code == 403


# --- settings, mark lost -------------------------------------------------------------------


def test_service_settings(org, api):
    url = "/api/v1/service-settings/"
    response = api(org.users.sales1).get(url)
    assert response.status_code == 200 and response.json()["hours_normal"] == 24
    assert api(org.users.sales1).patch(url, {"hours_low": 96}).status_code == 403
    assert api().get(url).status_code in (401, 403)
    response = api(org.users.admin).patch(url, {"hours_low": 96, "churn_days": 90})
    assert response.status_code == 200, response.content
    assert (
        response.json()["hours_low"] == 96 and response.json()["updated_by"] == org.users.admin.pk
    )
    assert ServiceSettings.objects.get().churn_days == 90
    response = api(org.users.admin).patch(url, {"hours_urgent": 100})
    assert response.status_code == 400 and "hours_urgent" in response.json()
    response = api(org.users.admin).patch(url, {"at_risk_percent": 0})
    assert response.status_code == 400 and "at_risk_percent" in response.json()
    assert ServiceSettings.objects.get().hours_urgent == 4


def test_mark_customer_lost(org, api, customer):
    users = org.users
    url = f"/api/v1/customers/{customer.pk}/mark-lost/"
    before = service_state()
    response = api(users.sales1).post(url, {"reason": " "})
    assert response.status_code == 400
    assert response.json() == {"reason": ["Say why the customer was lost."]}
    assert api(users.sales2).post(url, {"reason": "价格"}).status_code == 404
    assert api(users.researcher).post(url, {"reason": "价格"}).status_code == 403
    assert service_state() == before
    response = api(users.sales1).post(url, {"reason": "转向竞争对手"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "lost"
    customer.refresh_from_db()
    assert customer.lost_reason == "转向竞争对手" and customer.lost_at is not None
    response = api(users.sales1).post(url, {"reason": "再次"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This customer is already marked lost."]}
    lost = api(users.sales1).get("/api/v1/lost-customers/").json()["results"]
    assert [(c["id"], c["lost_reason"], c["open_win_back"]) for c in lost] == [
        (customer.pk, "转向竞争对手", 0)
    ]


def test_schema_documents_the_service_endpoints(db):
    from rest_framework.test import APIClient

    paths = APIClient().get("/api/v1/schema/").json()["paths"]
    crud = {"get", "put", "patch", "delete"}
    for resource in ["feedback", "service-requests", "care-actions", "competitors", "news"]:
        assert set(paths[f"/api/v1/{resource}/"]) == {"get", "post"}, resource
        assert set(paths[f"/api/v1/{resource}/{{id}}/"]) == crud, resource
    for name in ["assign", "start", "resolve", "close", "reopen"]:
        assert set(paths[f"/api/v1/service-requests/{{id}}/{name}/"]) == {"post"}, name
    for name in ["queue", "team-queue"]:
        assert set(paths[f"/api/v1/service-requests/{name}/"]) == {"get"}
    for name in ["done", "skip"]:
        assert set(paths[f"/api/v1/care-actions/{{id}}/{name}/"]) == {"post"}
    assert set(paths["/api/v1/churn-warnings/"]) == {"get"}
    assert set(paths["/api/v1/lost-customers/"]) == {"get"}
    assert set(paths["/api/v1/notifications/"]) == {"get"}
    assert set(paths["/api/v1/notifications/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/notifications/mark-all-read/"]) == {"post"}
    assert set(paths["/api/v1/customers/{id}/timeline/"]) == {"get"}
    assert set(paths["/api/v1/customers/{id}/mark-lost/"]) == {"post"}
    assert set(paths["/api/v1/service-settings/"]) == {"get", "patch"}
    params = {p["name"] for p in paths["/api/v1/service-requests/"]["get"]["parameters"]}
    assert {"status", "priority", "type", "assignee", "customer", "complaint", "sla",
            "search", "ordering", "cursor", "page_size"} <= params  # fmt: skip
    assign = paths["/api/v1/service-requests/{id}/assign/"]["post"]
    assert "service_requests.change" in assign["description"]
    assert {"200", "400", "403", "404"} <= set(assign["responses"])
