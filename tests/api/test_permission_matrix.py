"""Role × action × scope over customers and contacts.

"in" is a record of sales1 (inside the scope of sales1, of their manager and of every
all-scope role); "out" is a record of sales2 in another department (outside the scope of
sales1 and manager). A record outside the scope answers 404 (or, when named as a contact's
customer, a 400 field error), exactly as a record that does not exist — also when the reader
lacks the action; lacking the action answers 403 for a record they can see.
"""

import pytest

from guanxi.customers.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory

ROLES = ["admin", "manager", "sales1", "clerk", "researcher", "service", "exec"]
OPERATIONS = ["list", "retrieve", "create", "update", "delete"]

# role: {operation: (answer for the "in" record, answer for the "out" record)};
# for "list" the answers say whether the record appears.
READ_ONLY_ALL = {
    "list": (True, True),
    "retrieve": (200, 200),
    "create": (403, 403),
    "update": (403, 403),
    "delete": (403, 403),
}
CUSTOMERS = {
    "admin": {
        "list": (True, True),
        "retrieve": (200, 200),
        "create": (201, 201),
        "update": (200, 200),
        "delete": (204, 204),
    },
    "manager": {
        "list": (True, False),
        "retrieve": (200, 404),
        "create": (201, 400),  # the owner must be inside the manager's department
        "update": (200, 404),
        "delete": (204, 404),
    },
    "sales1": {
        "list": (True, False),
        "retrieve": (200, 404),
        "create": (201, 400),
        "update": (200, 404),
        "delete": (403, 404),
    },
    "clerk": {
        "list": (True, True),
        "retrieve": (200, 200),
        "create": (201, 201),
        "update": (200, 200),
        "delete": (403, 403),
    },
    "researcher": READ_ONLY_ALL,
    "service": READ_ONLY_ALL,
    "exec": READ_ONLY_ALL,
}
CONTACTS = {
    "admin": CUSTOMERS["admin"],
    "manager": {
        "list": (True, False),
        "retrieve": (200, 404),
        "create": (201, 400),  # the customer named is not found for them
        "update": (200, 404),
        "delete": (204, 404),
    },
    "sales1": {
        "list": (True, False),
        "retrieve": (200, 404),
        "create": (201, 400),
        "update": (200, 404),
        "delete": (204, 404),
    },
    "clerk": CUSTOMERS["admin"],
    "researcher": READ_ONLY_ALL,
    "service": {
        "list": (True, True),
        "retrieve": (200, 200),
        "create": (201, 201),
        "update": (200, 200),
        "delete": (403, 403),
    },
    "exec": READ_ONLY_ALL,
}


@pytest.fixture
def records(org):
    users = org.users
    mine = CustomerFactory(name="华东客户", owner=users.sales1)
    theirs = CustomerFactory(name="华北客户", owner=users.sales2)
    return {
        "customers": {"in": mine, "out": theirs},
        "contacts": {
            "in": ContactFactory(customer=mine, name="张三", is_primary=True),
            "out": ContactFactory(customer=theirs, name="李四", is_primary=True),
        },
        "owners": {"in": users.sales1, "out": users.sales2},
    }


def _state(module):
    if module == "customers":
        return sorted(Customer.all_objects.values_list("id", "name", "deleted_at"))
    return sorted(Contact.objects.values_list("id", "name", "customer_id"))


def _request(client, module, operation, record, records, target):
    base = f"/api/v1/{module}/"
    if operation == "list":
        return client.get(base, {"page_size": 200})
    if operation == "retrieve":
        return client.get(f"{base}{record.pk}/")
    if operation == "create":
        if module == "customers":
            payload = {"name": "矩阵新建客户", "owner": records["owners"][target].pk}
        else:
            payload = {"name": "王五", "customer": records["customers"][target].pk}
        return client.post(base, payload)
    if operation == "update":
        return client.patch(f"{base}{record.pk}/", {"name": "改过的名字"})
    return client.delete(f"{base}{record.pk}/")


@pytest.mark.parametrize("target", ["in", "out"])
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("module", ["customers", "contacts"])
def test_matrix(org, api, records, module, role, operation, target):
    expected_table = CUSTOMERS if module == "customers" else CONTACTS
    expected = expected_table[role][operation][0 if target == "in" else 1]
    record = records[module][target]
    client = api(getattr(org.users, role))
    before = _state(module)

    response = _request(client, module, operation, record, records, target)

    if operation == "list":
        assert response.status_code == 200
        assert (record.pk in [row["id"] for row in response.json()["results"]]) is expected
        return
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _state(module) == before, "a refused request changed data"
        if expected == 400:
            field = "owner" if module == "customers" else "customer"
            assert field in response.json()
        return
    if operation == "retrieve":
        assert response.json()["id"] == record.pk
        assert response.json()["name"] == record.name
    elif operation == "create":
        created = response.json()
        assert created["name"] in {"矩阵新建客户", "王五"}
        assert len(_state(module)) == len(before) + 1
    elif operation == "update":
        record.refresh_from_db()
        assert record.name == "改过的名字"
        assert record.updated_by == getattr(org.users, role)
    elif operation == "delete":
        if module == "customers":
            record.refresh_from_db()
            assert record.deleted_at is not None  # soft delete: in the recycle bin
            assert not Customer.objects.filter(pk=record.pk).exists()
        else:
            assert not Contact.objects.filter(pk=record.pk).exists()
