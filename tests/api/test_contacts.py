"""Contacts through the API: the customer must be one the user may see; primary contact
rules come from the services; lists filter by customer and page by keyset."""

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory

from .helpers import collect_pages, ids

URL = "/api/v1/contacts/"


@pytest.fixture
def customers(org):
    return {
        "mine": CustomerFactory(name="我的客户", owner=org.users.sales1),
        "theirs": CustomerFactory(name="别人的客户", owner=org.users.sales2),
    }


def test_create_a_contact(org, refs, api, customers):
    payload = {
        "customer": customers["mine"].pk,
        "name": " 张伟 ",
        "gender": "male",
        "job_title": refs.job_title.pk,
        "department": "采购部",
        "mobile": "13800138000",
        "phone": "021-62345678",
        "email": "zhangwei@example.com",
        "wechat": "zw2024",
        "birthday": "1985-06-01",
        "is_primary": False,
        "notes": "喜欢喝茶",
    }
    response = api(org.users.sales1).post(URL, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"] == customers["mine"].pk
    assert body["name"] == "张伟"
    assert body["job_title"] == refs.job_title.pk
    assert body["is_primary"] is True  # the first contact of a customer is its primary one
    assert set(body) == {
        "id", "customer", "name", "gender", "job_title", "department", "mobile", "phone",
        "email", "wechat", "birthday", "is_primary", "notes", "version", "created_at", "updated_at",
    }  # fmt: skip
    contact = Contact.objects.get(pk=body["id"])
    assert contact.created_by == org.users.sales1
    entry = AuditLog.objects.get(action=AuditAction.CREATE, object_id=contact.pk)
    assert entry.parent_type == ContentType.objects.get_for_model(Customer)
    assert entry.parent_id == customers["mine"].pk


@pytest.mark.parametrize(
    ("customer", "field"),
    [("theirs", "customer"), ("missing", "customer"), ("abc", "customer"), (None, "customer")],
)
def test_the_customer_must_be_visible(org, api, customers, customer, field):
    value = {"theirs": customers["theirs"].pk, "missing": 99999999}.get(customer, customer)
    payload = {"name": "李雷"}
    if value is not None:
        payload["customer"] = value
    response = api(org.users.sales1).post(URL, payload)
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_a_deleted_customer_takes_no_new_contacts(org, api, customers):
    Customer.objects.filter(pk=customers["mine"].pk).update(deleted_at="2024-01-01T00:00:00Z")
    response = api(org.users.admin).post(URL, {"name": "韩梅梅", "customer": customers["mine"].pk})
    assert response.status_code == 400
    assert "customer" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mobile": "12345"}, "mobile"),
        ({"phone": "abc"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"birthday": "1985-13-01"}, "birthday"),
        ({"gender": "other"}, "gender"),
        ({"name": ""}, "name"),
        ({"job_title": 99999999}, "job_title"),
    ],
)
def test_invalid_contact_fields(org, api, customers, payload, field):
    body = {"name": "王芳", "customer": customers["mine"].pk, **payload}
    response = api(org.users.sales1).post(URL, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_update_keeps_the_customer_and_moves_the_primary_flag(org, api, customers):
    first = ContactFactory(customer=customers["mine"], name="甲", is_primary=True)
    second = ContactFactory(customer=customers["mine"], name="乙")
    client = api(org.users.sales1)
    response = client.patch(
        f"{URL}{second.pk}/", {"is_primary": True, "customer": customers["theirs"].pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["customer"] == customers["mine"].pk  # read-only once set
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert second.customer == customers["mine"]
    assert second.updated_by == org.users.sales1
    entry = AuditLog.objects.get(action=AuditAction.UPDATE, object_id=second.pk)
    assert {"field": "is_primary", "old": "0", "new": "1"} in entry.changes

    response = client.put(f"{URL}{second.pk}/", {"name": "乙（改）"})
    assert response.status_code == 200
    assert response.json()["name"] == "乙（改）"

    response = client.patch(f"{URL}{second.pk}/", {"mobile": "12345"})
    assert response.status_code == 400
    assert "mobile" in response.json()


def test_delete_promotes_another_primary_contact(org, api, customers):
    first = ContactFactory(customer=customers["mine"], name="甲", is_primary=True)
    second = ContactFactory(customer=customers["mine"], name="乙")
    assert api(org.users.sales1).delete(f"{URL}{first.pk}/").status_code == 204
    second.refresh_from_db()
    assert second.is_primary
    assert AuditLog.objects.filter(action=AuditAction.DELETE, object_id=first.pk).exists()


def test_contacts_of_a_deleted_customer_disappear(org, api, customers):
    contact = ContactFactory(customer=customers["mine"])
    assert (
        api(org.users.admin).delete(f"/api/v1/customers/{customers['mine'].pk}/").status_code == 204
    )
    assert api(org.users.admin).get(f"{URL}{contact.pk}/").status_code == 404
    assert contact.pk not in ids(api(org.users.admin).get(URL))


def test_list_filters_by_customer_and_search(org, api, customers):
    a = ContactFactory(customer=customers["mine"], name="赵敏", email="zhao@example.com")
    b = ContactFactory(customer=customers["mine"], name="周芷若", mobile="13900001111")
    c = ContactFactory(customer=customers["theirs"], name="赵灵儿")
    admin = api(org.users.admin)
    assert set(ids(admin.get(URL, {"customer": customers["mine"].pk}))) == {a.pk, b.pk}
    assert set(ids(admin.get(URL, {"search": "赵"}))) == {a.pk, c.pk}
    assert set(ids(admin.get(URL, {"search": "zhao@"}))) == {a.pk}
    assert set(ids(admin.get(URL, {"search": "13900001111"}))) == {b.pk}
    assert set(ids(admin.get(URL, {"search": "zzr"}))) == {b.pk}
    # A salesperson filtering by someone else's customer finds nothing.
    assert ids(api(org.users.sales1).get(URL, {"customer": customers["theirs"].pk})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"customer": "abc"}, "customer"), ({"ordering": "email"}, "ordering")],
)
def test_bad_contact_list_parameters(org, api, params, field):
    response = api(org.users.sales1).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("ordering", ["name", "-name", "id", "-id"])
def test_contact_pages(org, api, customers, ordering):
    names = ["丙", "甲", "乙", "甲", "丁"]
    contacts = [ContactFactory(customer=customers["mine"], name=n) for n in names]
    rows, pages = collect_pages(api(org.users.sales1), URL, {"page_size": 2, "ordering": ordering})
    assert pages == 3
    key = (lambda c: c.pk) if ordering.lstrip("-") == "id" else (lambda c: (c.name, c.pk))
    expected = sorted(contacts, key=key, reverse=ordering.startswith("-"))
    assert [row["id"] for row in rows] == [c.pk for c in expected]
