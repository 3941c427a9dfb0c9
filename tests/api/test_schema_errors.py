"""The OpenAPI document tells a generated client every answer it can get: each operation
declares its error codes with their bodies, and a value the API renders as null is declared
nullable."""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from tests.factories import ContractFactory, CustomerFactory

OPEN = {"/api/v1/auth/token/", "/api/v1/schema/", "/api/v1/docs/"}


@pytest.fixture(scope="module")
def document(django_db_blocker):
    """The OpenAPI document, read once; whatever reading it writes is rolled back, so that no
    row outlives this module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        document = APIClient().get("/api/v1/schema/").json()
        transaction.set_rollback(True)
    return document


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _schema_of(response):
    return response["content"]["application/json"]["schema"]


def test_every_operation_declares_its_error_answers_with_a_body(document):
    operations = list(_operations(document))
    assert len(operations) > 150
    for path, method, operation in operations:
        responses = operation["responses"]
        where = (method, path)
        if path not in OPEN:
            assert _schema_of(responses["401"]) == {"$ref": "#/components/schemas/Error"}, where
        if "{" in path:
            assert _schema_of(responses["404"]) == {"$ref": "#/components/schemas/Error"}, where
        takes_input = method != "get" or any(
            p["in"] == "query" for p in operation.get("parameters", [])
        )
        if takes_input:
            assert "FieldErrors" in str(_schema_of(responses["400"])), where
        if method in {"post", "put", "patch", "delete"} and path not in OPEN:
            assert "403" in responses, where


def test_a_view_s_own_400_body_still_admits_field_errors(document):
    created = document["paths"]["/api/v1/customers/"]["post"]["responses"]["400"]
    assert _schema_of(created) == {
        "anyOf": [
            {"$ref": "#/components/schemas/DuplicateWarning"},
            {"$ref": "#/components/schemas/FieldErrors"},
        ]
    }


def test_every_null_the_api_renders_is_declared_nullable(org, document):
    """A contract without an approver and a customer without a region: each null in the
    answer is allowed by the record's schema."""
    customer = CustomerFactory(owner=org.users.sales1, region=None)
    contract = ContractFactory(customer=customer, owner=org.users.sales1)
    client = APIClient()
    client.force_authenticate(org.users.admin)
    schemas = document["components"]["schemas"]
    for url, component in [
        (f"/api/v1/contracts/{contract.pk}/", "Contract"),
        (f"/api/v1/customers/{customer.pk}/", "Customer"),
    ]:
        body = client.get(url).json()
        properties = schemas[component]["properties"]
        nulls = [name for name, value in body.items() if value is None]
        assert nulls, (url, body)
        for name in nulls:
            assert properties[name].get("nullable") or "oneOf" in properties[name], (
                component,
                name,
            )
    assert schemas["Contract"]["properties"]["approver_name"]["nullable"] is True
    assert schemas["CareAction"]["properties"]["holiday_name"]["nullable"] is True
    assert "nullable" not in schemas["Contract"]["properties"]["lines"]
