"""No lost update through the API: every record carries `version` and an ETag; a write
naming a stale version (If-Match or `version` in the body) is a 409 with the record as it is
now, and writes nothing (issue 9)."""

import pytest
from rest_framework.test import APIClient

from guanxi.common.models import AuditLog
from guanxi.customers.models import Contact, Customer
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    OpportunityFactory,
    ProductFactory,
    TaskFactory,
)
from tests.service.factories import CareActionFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api):
    """The API clients of these tests ask for English answers."""

    def _api(user=None):
        client = api(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _api


def history_count(record):
    return AuditLog.objects.filter(object_id=record.pk).count()


def assert_conflict(response, current_version):
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["current_version"] == current_version
    assert body["current"]["version"] == current_version
    assert response["ETag"] == f'"{current_version}"'
    assert "changed this record after you read it" in body["detail"]
    return body


def test_customer_second_writer_gets_409_with_the_current_record(org, api):
    customer = CustomerFactory(owner=org.users.sales1, notes="原备注")
    url = f"/api/v1/customers/{customer.pk}/"
    mine, theirs = api(org.users.sales1), api(org.users.manager)
    read = mine.get(url)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1

    response = theirs.patch(url, {"phone": "021-22222222"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response["ETag"] == '"2"'
    logged = history_count(customer)

    response = mine.patch(url, {"notes": "我的"}, HTTP_IF_MATCH=read["ETag"])
    body = assert_conflict(response, 2)
    assert body["current"]["phone"] == "021-22222222" and body["current"]["notes"] == "原备注"
    # The same with the version in the body, and with PUT.
    assert_conflict(mine.patch(url, {"notes": "我的", "version": 1}), 2)
    assert_conflict(mine.put(url, {**read.json(), "notes": "我的"}), 2)  # body carries version 1
    customer.refresh_from_db()
    assert (customer.notes, customer.version) == ("原备注", 2)
    assert history_count(customer) == logged

    # With the current version it saves.
    response = mine.patch(url, {"notes": "我的"}, HTTP_IF_MATCH='"2"')
    assert response.status_code == 200 and response.json()["version"] == 3


def test_customer_write_without_precondition_still_works(org, api):
    """Backward compatible: clients that send neither If-Match nor version write as before."""
    customer = CustomerFactory(owner=org.users.sales1)
    url = f"/api/v1/customers/{customer.pk}/"
    client = api(org.users.sales1)
    assert client.patch(url, {"notes": "一"}).json()["version"] == 2
    assert client.patch(url, {"notes": "二"}, HTTP_IF_MATCH="*").json()["version"] == 3


@pytest.mark.parametrize(
    "headers, body",
    [
        ({"HTTP_IF_MATCH": "abc"}, {}),
        ({"HTTP_IF_MATCH": '"0"'}, {}),
        ({"HTTP_IF_MATCH": '"1", "2"'}, {}),
        ({"HTTP_IF_MATCH": '"99999999999999999999"'}, {}),
        ({}, {"version": "x"}),
        ({}, {"version": -3}),
        ({}, {"version": True}),
        ({}, {"version": [1]}),
        ({"HTTP_IF_MATCH": '"1"'}, {"version": 2}),
    ],
)
def test_a_malformed_version_is_a_400_on_version(org, api, headers, body):
    customer = CustomerFactory(owner=org.users.sales1)
    response = api(org.users.sales1).patch(
        f"/api/v1/customers/{customer.pk}/", {"notes": "x", **body}, format="json", **headers
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["version"]
    customer.refresh_from_db()
    assert customer.notes == "" and customer.version == 1


def test_customer_transitions_and_delete_take_the_version(org, api):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    base = f"/api/v1/customers/{customer.pk}/"
    client = api(org.users.manager)  # may delete customers
    assert client.patch(base, {"notes": "x"}).status_code == 200  # now version 2
    assert_conflict(client.post(f"{base}mark-lost/", {"reason": "倒闭", "version": 1}), 2)
    assert_conflict(client.delete(base, HTTP_IF_MATCH='"1"'), 2)
    customer.refresh_from_db()
    assert customer.status == "active" and customer.deleted_at is None
    response = client.post(f"{base}mark-lost/", {"reason": "倒闭"}, HTTP_IF_MATCH='"2"')
    assert response.status_code == 200 and response.json()["version"] == 3
    assert client.delete(base, HTTP_IF_MATCH='"3"').status_code == 204
    assert Customer.all_objects.get(pk=customer.pk).version == 4


def test_customer_review_takes_the_version(org, api):
    customer = CustomerFactory(owner=org.users.sales1, review_status="pending")
    base = f"/api/v1/customers/{customer.pk}/"
    assert api(org.users.sales1).patch(base, {"notes": "补充"}).status_code == 200
    manager = api(org.users.manager)
    assert_conflict(manager.post(f"{base}review/", {"approve": True}, HTTP_IF_MATCH='"1"'), 2)
    customer.refresh_from_db()
    assert customer.review_status == "pending"


def test_out_of_scope_stays_404_with_a_version(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    response = api(org.users.sales2).patch(
        f"/api/v1/customers/{customer.pk}/", {"notes": "x"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 404


def test_contact_second_writer_gets_409(org, api):
    contact = ContactFactory(customer=CustomerFactory(owner=org.users.sales1), name="王芳")
    url = f"/api/v1/contacts/{contact.pk}/"
    mine, theirs = api(org.users.sales1), api(org.users.manager)
    read = mine.get(url)
    assert read["ETag"] == '"1"'
    assert theirs.patch(url, {"department": "采购部"}, HTTP_IF_MATCH='"1"').status_code == 200
    logged = history_count(contact)
    body = assert_conflict(mine.patch(url, {"wechat": "wf"}, HTTP_IF_MATCH='"1"'), 2)
    assert body["current"]["department"] == "采购部"
    assert_conflict(mine.delete(url, HTTP_IF_MATCH='"1"'), 2)
    contact.refresh_from_db()
    assert contact.wechat == "" and history_count(contact) == logged
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_conflict_answer_in_chinese(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    url = f"/api/v1/customers/{customer.pk}/"
    assert api(org.users.sales1).patch(url, {"notes": "x"}).status_code == 200
    client = api(org.users.sales1)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.patch(url, {"notes": "y"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["detail"].startswith("其他人在您读取后修改了此记录")


def test_schema_documents_if_match_and_409(db):
    schema = APIClient().get("/api/v1/schema/").json()
    for path, methods in {
        "/api/v1/customers/{id}/": ("put", "patch", "delete"),
        "/api/v1/customers/{id}/mark-lost/": ("post",),
        "/api/v1/customers/{id}/review/": ("post",),
        "/api/v1/contacts/{id}/": ("put", "patch", "delete"),
    }.items():
        for method in methods:
            operation = schema["paths"][path][method]
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert "If-Match" in headers, (path, method)
            assert "409" in operation["responses"], (path, method)
    conflict = schema["paths"]["/api/v1/customers/{id}/"]["patch"]["responses"]["409"]
    ref = conflict["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    shape = schema["components"]["schemas"][ref]
    assert set(shape["properties"]) == {"detail", "current_version", "current"}
    customer = schema["components"]["schemas"]["Customer"]["properties"]
    assert customer["version"]["readOnly"] is True
    get = schema["paths"]["/api/v1/customers/{id}/"]["get"]
    assert "409" not in get["responses"]


# --- the other versioned records ---------------------------------------------------------


def _opportunity(org):
    return OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))


def _task(org):
    return TaskFactory(customer=CustomerFactory(owner=org.users.sales1))


def _contract(org):
    return ContractFactory(customer=CustomerFactory(owner=org.users.sales1))


def _request(org):
    return ServiceRequestFactory(customer=CustomerFactory(owner=org.users.sales1))


def _care(org):
    return CareActionFactory(customer=CustomerFactory(owner=org.users.sales1))


# (records, make, writer, other writer, their change, my change, a stale transition)
RECORDS = {
    "opportunities": (_opportunity, "sales1", "manager", {"notes": "他们"}, {"amount": "1.00"},
                      ("win", {"note": "赢"})),
    "tasks": (_task, "sales1", "manager", {"location": "上海"}, {"purpose": "改"},
              ("complete", {"result": "完成"})),
    "contracts": (_contract, "sales1", "manager", {"notes": "他们"}, {"title": "改"},
                  ("submit", {})),
    "products": (lambda org: ProductFactory(), "admin", "admin", {"specification": "A"},
                 {"unit": "箱"}, None),
    "service-requests": (_request, "svcmgr", "admin", {"subject": "他们"},
                         {"description": "改"}, ("start", {})),
    "care-actions": (_care, "sales1", "manager", {"title": "他们"}, {"note": "改"},
                     ("done", {"note": "做了"})),
}  # fmt: skip


@pytest.mark.parametrize("resource", list(RECORDS))
def test_each_record_second_writer_gets_409_and_nothing_is_written(org, api, resource):
    make, me, them, their_change, my_change, transition = RECORDS[resource]
    record = make(org)
    model = type(record)
    url = f"/api/v1/{resource}/{record.pk}/"
    mine, theirs = api(getattr(org.users, me)), api(getattr(org.users, them))
    read = mine.get(url)
    assert read.status_code == 200, read.content
    assert read["ETag"] == '"1"' and read.json()["version"] == 1

    response = theirs.patch(url, their_change, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    before = model.objects.filter(pk=record.pk).values().get()
    logged = history_count(record)

    body = assert_conflict(mine.patch(url, my_change, format="json", HTTP_IF_MATCH='"1"'), 2)
    name, value = next(iter(their_change.items()))
    assert body["current"][name] == value
    assert_conflict(mine.patch(url, {**my_change, "version": 1}, format="json"), 2)
    if transition is not None:
        verb, payload = transition
        assert_conflict(mine.post(f"{url}{verb}/", {**payload, "version": 1}, format="json"), 2)
    assert model.objects.filter(pk=record.pk).values().get() == before
    assert history_count(record) == logged

    response = mine.patch(url, my_change, format="json", HTTP_IF_MATCH='"2"')
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 3 and response["ETag"] == '"3"'
    response = mine.patch(url, their_change, format="json")  # no precondition: as before
    assert response.status_code == 200 and response.json()["version"] == 4


def test_each_versioned_operation_is_documented(db):
    schema = APIClient().get("/api/v1/schema/").json()
    operations = {
        "/api/v1/opportunities/{id}/": ("put", "patch", "delete"),
        "/api/v1/opportunities/{id}/move/": ("post",),
        "/api/v1/opportunities/{id}/win/": ("post",),
        "/api/v1/opportunities/{id}/lose/": ("post",),
        "/api/v1/opportunities/{id}/reopen/": ("post",),
        "/api/v1/tasks/{id}/": ("put", "patch", "delete"),
        "/api/v1/tasks/{id}/complete/": ("post",),
        "/api/v1/products/{id}/": ("put", "patch"),
        "/api/v1/contracts/{id}/": ("put", "patch", "delete"),
        **{
            f"/api/v1/contracts/{{id}}/{verb}/": ("post",)
            for verb in ("submit", "approve", "reject", "start", "complete", "terminate")
        },
        "/api/v1/service-requests/{id}/": ("put", "patch", "delete"),
        **{
            f"/api/v1/service-requests/{{id}}/{verb}/": ("post",)
            for verb in ("assign", "start", "resolve", "close", "reopen")
        },
        "/api/v1/care-actions/{id}/": ("put", "patch", "delete"),
        "/api/v1/care-actions/{id}/done/": ("post",),
        "/api/v1/care-actions/{id}/skip/": ("post",),
    }
    for path, methods in operations.items():
        for method in methods:
            operation = schema["paths"][path][method]
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert "If-Match" in headers and "409" in operation["responses"], (path, method)
    for name in ("Opportunity", "Task", "Product", "Contract", "ServiceRequest", "CareAction"):
        assert schema["components"]["schemas"][name]["properties"]["version"]["readOnly"], name
