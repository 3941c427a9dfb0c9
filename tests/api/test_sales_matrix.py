"""Role × action × scope over the sales endpoints.

"in" is a record of sales1 (inside the scope of sales1, of their manager and of every
all-scope role); "out" is a record of sales2 in the north department (outside the scope of
sales1 and manager). Products belong to nobody: "in" and "out" are two products and answer
alike. A record outside the scope answers 404 even to a reader lacking the action (it looks
missing), or, when named in a new record (its customer, a payment's contract), a 400 on that
field; lacking the permission answers 403 for a record in scope (and for a list). Every refused call is checked to have written nothing.
"""

import pytest

from guanxi.sales.enums import ContractStatus
from guanxi.sales.models import Contract, Opportunity, Payment, Product, SalesRecord, Task
from tests.factories import (
    CustomerFactory,
    OpportunityFactory,
    ProductFactory,
    SalesRecordFactory,
    TaskFactory,
)

from .test_sales_support import make_contract, sales_state, today

ROLES = ["admin", "manager", "sales1", "clerk", "researcher", "service", "exec"]
OPERATIONS = ["list", "retrieve", "create", "update", "delete"]
MODULES = ["opportunities", "tasks", "products", "contracts", "sales-records", "payments"]


def row(list_, retrieve, create, update, delete):
    return dict(zip(OPERATIONS, (list_, retrieve, create, update, delete), strict=True))


# role: {operation: (answer for the "in" record, answer for the "out" record)}; for "list"
# True/False say whether the record appears, 403 that the list is refused.
FULL_ALL = row((True, True), (200, 200), (201, 201), (200, 200), (204, 204))
FULL_SCOPED = row((True, False), (200, 404), (201, 400), (200, 404), (204, 404))
VIEW_CREATE_SCOPED = row((True, False), (200, 404), (201, 400), (403, 404), (403, 404))
READ_ALL = row((True, True), (200, 200), (403, 403), (403, 403), (403, 403))
NONE = row((403, 403), (403, 403), (403, 403), (403, 403), (403, 403))

EXPECTED = {
    "opportunities": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": FULL_SCOPED,
        "clerk": READ_ALL,
        "researcher": READ_ALL,
        "service": NONE,
        "exec": READ_ALL,
    },
    "tasks": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": FULL_SCOPED,
        "clerk": READ_ALL,
        "researcher": NONE,
        "service": NONE,
        "exec": READ_ALL,
    },
    "products": {
        "admin": FULL_ALL,
        "manager": READ_ALL,
        "sales1": READ_ALL,
        "clerk": FULL_ALL,
        "researcher": READ_ALL,
        "service": READ_ALL,
        "exec": READ_ALL,
    },
    "contracts": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": FULL_SCOPED,
        "clerk": READ_ALL,
        "researcher": NONE,
        "service": READ_ALL,
        "exec": READ_ALL,
    },
    "sales-records": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": VIEW_CREATE_SCOPED,
        "clerk": FULL_ALL,
        "researcher": NONE,
        "service": NONE,
        "exec": READ_ALL,
    },
    "payments": {
        "admin": FULL_ALL,
        "manager": FULL_SCOPED,
        "sales1": VIEW_CREATE_SCOPED,
        "clerk": row((True, True), (200, 200), (201, 201), (200, 200), (403, 403)),
        "researcher": NONE,
        "service": NONE,
        "exec": READ_ALL,
    },
}

MODELS = {
    "opportunities": Opportunity,
    "tasks": Task,
    "products": Product,
    "contracts": Contract,
    "sales-records": SalesRecord,
    "payments": Payment,
}
# The field a "change" writes, and the field a refused "create" names.
UPDATES = {
    "opportunities": ("name", "改过的名字"),
    "tasks": ("purpose", "改过的目的"),
    "products": ("name", "改过的名字"),
    "contracts": ("title", "改过的标题"),
    "sales-records": ("notes", "改过的备注"),
    "payments": ("note", "改过的备注"),
}
CREATE_FIELD = {"payments": "contract"}


def build(org, module):
    """The in/out records of `module` and what a create payload names for each target."""
    users = org.users
    customers = {
        "in": CustomerFactory(name="华东客户", owner=users.sales1),
        "out": CustomerFactory(name="华北客户", owner=users.sales2),
    }
    product = ProductFactory()
    if module == "opportunities":
        records = {t: OpportunityFactory(customer=c) for t, c in customers.items()}
    elif module == "tasks":
        records = {t: TaskFactory(customer=c) for t, c in customers.items()}
    elif module == "products":
        records = {"in": ProductFactory(), "out": ProductFactory()}
    elif module == "contracts":
        records = {
            t: make_contract(org, c.owner, customer=c, lines=[{"product": product}])
            for t, c in customers.items()
        }
    elif module == "sales-records":
        records = {t: SalesRecordFactory(customer=c) for t, c in customers.items()}
    else:
        contracts = {
            t: make_contract(org, c.owner, ContractStatus.APPROVED, customer=c, paid="100.00")
            for t, c in customers.items()
        }
        records = {t: c.payments.get() for t, c in contracts.items()}
        customers = contracts  # a payment names its contract
    return records, customers, product


def payload(module, target, named, product):
    day = today().isoformat()
    other = named[target].pk
    return {
        "opportunities": {"customer": other, "name": "矩阵机会"},
        "tasks": {"customer": other, "date": day, "purpose": "矩阵任务"},
        "products": {"code": f"MX-{target}", "name": "矩阵产品"},
        "contracts": {
            "customer": other,
            "lines": [{"product": product.pk, "quantity": "1", "unit_price": "10.00"}],
        },
        "sales-records": {
            "customer": other,
            "product": product.pk,
            "date": day,
            "quantity": "1",
            "unit_price": "10.00",
        },
        "payments": {"contract": other, "amount": "1.00", "date": day},
    }[module]


@pytest.mark.parametrize("target", ["in", "out"])
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("module", MODULES)
def test_matrix(org, api, module, role, operation, target):
    expected = EXPECTED[module][role][operation][0 if target == "in" else 1]
    records, named, product = build(org, module)
    record = records[target]
    user = getattr(org.users, role)
    client = api(user)
    base = f"/api/v1/{module}/"
    model = MODELS[module]
    before = sales_state()
    count_before = model.objects.count()

    if operation == "list":
        response = client.get(base, {"page_size": 200})
    elif operation == "retrieve":
        response = client.get(f"{base}{record.pk}/")
    elif operation == "create":
        response = client.post(base, payload(module, target, named, product))
    elif operation == "update":
        field, value = UPDATES[module]
        response = client.patch(f"{base}{record.pk}/", {field: value})
    else:
        response = client.delete(f"{base}{record.pk}/")

    if operation == "list":
        if expected == 403:
            assert response.status_code == 403
        else:
            assert response.status_code == 200
            listed = [r["id"] for r in response.json()["results"]]
            assert (record.pk in listed) is expected
        assert sales_state() == before
        return
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert sales_state() == before, "a refused request changed data"
        if expected == 400:
            assert CREATE_FIELD.get(module, "customer") in response.json()
        return
    if operation == "retrieve":
        assert response.json()["id"] == record.pk
        assert sales_state() == before
    elif operation == "create":
        assert model.objects.count() == count_before + 1
        created = model.objects.get(pk=response.json()["id"])
        assert created.created_by == user
    elif operation == "update":
        field, value = UPDATES[module]
        record.refresh_from_db()
        assert getattr(record, field) == value
        assert record.updated_by == user
    else:
        assert not model.objects.filter(pk=record.pk).exists()


RECEIVABLES = {
    "admin": (True, True),
    "manager": (True, False),
    "sales1": (True, False),
    "clerk": (True, True),
    "researcher": 403,
    "service": 403,
    "exec": (True, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_receivables_matrix(org, api, role):
    customers = {
        "in": CustomerFactory(owner=org.users.sales1),
        "out": CustomerFactory(owner=org.users.sales2),
    }
    for customer in customers.values():
        make_contract(org, customer.owner, ContractStatus.APPROVED, customer=customer)
    response = api(getattr(org.users, role)).get("/api/v1/receivables/")
    expected = RECEIVABLES[role]
    if expected == 403:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = [r["customer"] for r in response.json()["results"]]
    assert (customers["in"].pk in listed, customers["out"].pk in listed) == expected
    assert api(getattr(org.users, role)).post("/api/v1/receivables/", {}).status_code in (403, 405)
