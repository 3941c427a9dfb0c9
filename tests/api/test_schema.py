"""The OpenAPI document and the Swagger UI."""

from rest_framework.test import APIClient

from guanxi.reference.registry import REFERENCE_LISTS


def test_schema_is_openapi_3_json(db):
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] in {
        "application/json",
        "application/vnd.oai.openapi+json",
    }
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
        "/api/v1/customers/{id}/review/",
        "/api/v1/customers/{id}/restore/",
        "/api/v1/contacts/",
        "/api/v1/contacts/{id}/",
        "/api/v1/users/",
        "/api/v1/departments/",
        "/api/v1/roles/",
        *(f"/api/v1/{slug}/" for slug in REFERENCE_LISTS),
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/customers/{id}/"]) == {"get", "put", "patch", "delete"}
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    parameters = {p["name"] for p in paths["/api/v1/customers/"]["get"]["parameters"]}
    assert {"search", "ordering", "region", "owner", "cursor", "page_size"} <= parameters
    customer = schema["components"]["schemas"]["Customer"]["properties"]
    assert customer["review_status"]["readOnly"] is True
    assert "password" not in schema["components"]["schemas"]["User"]["properties"]


def test_schema_format_json(db):
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui(db):
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert b"/api/v1/schema/" in response.content


# --- sales (issue 3) ---------------------------------------------------------------------


def test_schema_documents_the_sales_endpoints(db):
    schema = APIClient().get("/api/v1/schema/").json()
    paths = schema["paths"]
    crud = {"get", "put", "patch", "delete"}
    for resource in [
        "opportunities",
        "tasks",
        "products",
        "contracts",
        "sales-records",
        "payments",
    ]:
        assert set(paths[f"/api/v1/{resource}/"]) == {"get", "post"}, resource
        assert set(paths[f"/api/v1/{resource}/{{id}}/"]) == crud, resource
    assert set(paths["/api/v1/receivables/"]) == {"get"}
    for action in ["move", "win", "lose", "reopen", "contract"]:
        assert set(paths[f"/api/v1/opportunities/{{id}}/{action}/"]) == {"post"}, action
    assert set(paths["/api/v1/opportunities/{id}/stage-changes/"]) == {"get"}
    for action in ["complete", "reopen"]:
        assert set(paths[f"/api/v1/tasks/{{id}}/{action}/"]) == {"post"}, action
    for action in ["submit", "approve", "reject", "start", "complete", "terminate"]:
        assert set(paths[f"/api/v1/contracts/{{id}}/{action}/"]) == {"post"}, action

    approve = paths["/api/v1/contracts/{id}/approve/"]["post"]
    assert "contracts.approve" in approve["description"]
    assert {"200", "400", "403", "404"} <= set(approve["responses"])
    assert approve["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CommentRequest"
    )
    contract_params = {p["name"] for p in paths["/api/v1/contracts/"]["get"]["parameters"]}
    assert {"awaiting_my_approval", "outstanding", "status", "customer", "owner", "search",
            "ordering", "cursor", "page_size"} <= contract_params  # fmt: skip
    task_params = {p["name"] for p in paths["/api/v1/tasks/"]["get"]["parameters"]}
    assert {"period", "mine", "customer", "opportunity", "status", "salesperson"} <= task_params

    components = schema["components"]["schemas"]
    contract = components["Contract"]["properties"]
    for name in ["number", "status", "total", "paid", "outstanding", "lines", "approver"]:
        assert contract[name]["readOnly"] is True, name
    assert contract["total"]["type"] == "string" and contract["total"]["format"] == "decimal"
    write = components["ContractWriteRequest"]
    assert "total" not in write["properties"] and write["required"] == ["customer"]
    line = components["ContractLineInputRequest"]
    assert set(line["properties"]) == {"product", "quantity", "unit_price"}
    assert components["ContractStatusEnum"]["enum"] == [
        "draft", "pending", "approved", "executing", "completed", "rejected", "terminated",
    ]  # fmt: skip
    assert components["Task"]["properties"]["overdue"]["readOnly"] is True
    payment = components["PaymentRequest"]
    assert {"contract", "amount", "date"} <= set(payment["required"])


def test_schema_generates_without_warnings(db):
    """The equivalent of `manage.py spectacular --validate --fail-on-warn`."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, (
        dict(GENERATOR_STATS._warn_cache),
        dict(GENERATOR_STATS._error_cache),
    )
