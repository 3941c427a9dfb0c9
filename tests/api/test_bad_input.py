"""Input the OpenAPI document allows (or a client may forge) that the code cannot use answers
400 with an error on the field, never a server error: ids beyond the database's range, dates
far in the past or future, forged cursors, NUL characters. Ids in paths beyond the range are
a JSON 404. The list operations and their parameters are read from the document itself, so a
new filter is covered as soon as it is declared."""

import base64

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from guanxi.customers.models import Customer
from guanxi.sales.models import Contract
from tests.factories import CustomerFactory

HUGE = 111494373890777902219264  # the fuzzer's; > 2⁶³
TINY = -9284172164572098068480
BEYOND = 2**63  # one past the largest id


@pytest.fixture(scope="module")
def document(django_db_blocker):
    """The OpenAPI document, read once; whatever reading it writes is rolled back, so that no
    row outlives this module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        document = APIClient().get("/api/v1/schema/").json()
        transaction.set_rollback(True)
    return document


def _list_parameters(document, kind):
    """(path, parameter name) of every GET list operation's query parameter of one kind."""
    found = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if "{" in path or get is None:
            continue
        for parameter in get.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] != "query":
                continue
            if kind == "integer" and schema.get("type") == "integer":
                found.append((path, parameter["name"]))
            if kind == "date" and schema.get("format") == "date":
                found.append((path, parameter["name"]))
            if kind == "cursor" and parameter["name"] == "cursor":
                found.append((path, parameter["name"]))
    return found


@pytest.fixture
def admin_client(org):
    client = APIClient()
    client.force_authenticate(org.users.admin)
    return client


def _assert_field_error(response, field):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert field in body, body
    assert body[field] and all(isinstance(m, str) for m in body[field]), body


def test_the_document_declares_the_parameters_these_tests_cover(document):
    integers = _list_parameters(document, "integer")
    for expected in [
        ("/api/v1/feedback/", "customer"),
        ("/api/v1/care-actions/", "customer"),
        ("/api/v1/tasks/", "salesperson"),
        ("/api/v1/contracts/", "customer"),
        ("/api/v1/sales-records/", "product"),
        ("/api/v1/news/", "industry"),
        ("/api/v1/payments/", "contract"),
    ]:
        assert expected in integers
    assert ("/api/v1/contracts/", "signed_from") in _list_parameters(document, "date")
    assert len(_list_parameters(document, "cursor")) >= 15
    customers = document["paths"]["/api/v1/customers/"]["get"]["parameters"]
    owner = next(p for p in customers if p["name"] == "owner")["schema"]
    assert (owner["minimum"], owner["maximum"]) == (1, 2**63 - 1)


@pytest.mark.parametrize("value", [HUGE, TINY, BEYOND, 0])
def test_an_id_filter_out_of_range_is_a_field_error(admin_client, document, value):
    cases = _list_parameters(document, "integer")
    for path, name in cases:
        if name in {"page", "page_size"}:
            continue
        _assert_field_error(admin_client.get(path, {name: value}), name)


@pytest.mark.parametrize("value", ["0057-01-28", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_date_filter_out_of_range_is_a_field_error(admin_client, document, value):
    for path, name in _list_parameters(document, "date"):
        response = admin_client.get(path, {name: value})
        _assert_field_error(response, name)
        assert "1900-01-01" in response.json()[name][0]


def _cursor(text):
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        _cursor("junk"),
        _cursor("o=0&r=0&p=not-a-number"),  # a position that is no id
        _cursor('o=0&r=0&p=["x", "y", "z"]'),  # the wrong shape for the keyed lists
        _cursor('o=0&r=0&p=["2026-13-45", "1"]'),
        _cursor("o=0&r=0&p=a\x00b"),
    ],
)
def test_a_forged_cursor_is_a_cursor_field_error(admin_client, document, cursor):
    CustomerFactory()  # lists with a row, so that a position is compared with one
    for path, name in _list_parameters(document, "cursor"):
        response = admin_client.get(path, {name: cursor})
        if response.status_code == 200:
            # a position of the right type for this list's key is a valid place to start
            continue
        _assert_field_error(response, "cursor")


def test_a_position_of_the_wrong_type_is_refused_on_every_keyed_list(admin_client, document):
    for path, name in _list_parameters(document, "cursor"):
        response = admin_client.get(path, {name: _cursor("o=0&r=0&p=not-a-number")})
        if response.status_code != 200:
            _assert_field_error(response, "cursor")
    response = admin_client.get("/api/v1/customers/", {"cursor": _cursor("o=0&r=0&p=x")})
    _assert_field_error(response, "cursor")


def test_a_nul_character_in_a_text_parameter_is_a_field_error(admin_client):
    _assert_field_error(admin_client.get("/api/v1/customers/", {"search": "a\x00b"}), "search")


@pytest.mark.parametrize("path", ["customers", "contracts", "care-actions", "news"])
def test_a_path_id_beyond_the_range_is_a_json_404(admin_client, path):
    response = admin_client.get(f"/api/v1/{path}/{BEYOND}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_a_write_to_a_path_id_beyond_the_range_is_a_json_404_not_a_csrf_page(org):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(org.users.admin)  # a browser session: CSRF applies to its writes
    for method in (client.put, client.patch, client.delete):
        response = method(f"/api/v1/contacts/{BEYOND}/", {}, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": response.json()["detail"]}


def test_a_body_id_out_of_range_is_a_field_error_and_nothing_is_written(org, admin_client):
    before = Customer.objects.count()
    response = admin_client.post(
        "/api/v1/opportunities/", {"customer": HUGE, "name": "X"}, format="json"
    )
    _assert_field_error(response, "customer")
    customer = CustomerFactory(owner=org.users.sales1)
    response = admin_client.post(
        "/api/v1/contracts/",
        {"customer": customer.pk, "title": "X", "signed_on": "0057-01-28", "lines": []},
        format="json",
    )
    _assert_field_error(response, "signed_on")
    assert Contract.objects.count() == 0
    assert Customer.objects.count() == before + 1
