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
