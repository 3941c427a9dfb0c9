"""POST /api/v1/auth/token/, Bearer authentication, throttling and the audit trail."""

import pytest
from rest_framework.test import APIClient

from guanxi.accounts.models import ApiToken
from guanxi.accounts.tokens import api_token_create, token_digest
from guanxi.common.models import AuditAction, AuditLog
from tests.conftest import PASSWORD

URL = "/api/v1/auth/token/"


def post_token(username, password, ip="10.0.0.1"):
    return APIClient().post(URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_token_for_right_credentials_is_new_each_time_stored_hashed_and_audited(org):
    response = post_token("sales1", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    stored = ApiToken.objects.get(user=org.users.sales1)
    assert (body["id"], body["prefix"], body["state"]) == (stored.pk, token[:8], "active")
    assert stored.digest == token_digest(token) and token not in stored.digest
    again = post_token("sales1", PASSWORD).json()["token"]
    assert again != token
    assert ApiToken.objects.filter(user=org.users.sales1).count() == 2
    entry = AuditLog.objects.filter(action=AuditAction.LOGIN_SUCCESS).latest("id")
    assert (entry.user, entry.username, entry.ip) == (org.users.sales1, "sales1", "10.0.0.1")


def test_wrong_password_is_400_and_audited(org):
    response = post_token("sales1", "wrong-password")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert "token" not in response.json()
    entry = AuditLog.objects.get(action=AuditAction.LOGIN_FAILURE)
    assert (entry.user, entry.username, entry.ip) == (None, "sales1", "10.0.0.1")
    assert not ApiToken.objects.exists()


def test_deactivated_user_gets_no_token(org):
    org.users.sales1.is_active = False
    org.users.sales1.save(update_fields=["is_active"])
    response = post_token("sales1", PASSWORD)
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_missing_fields_are_field_errors(org):
    response = APIClient().post(URL, {"username": "sales1"})
    assert response.status_code == 400
    assert set(response.json()) == {"password"}


def test_eleventh_attempt_after_ten_failures_is_locked_for_that_address_only(org):
    for _ in range(10):
        assert post_token("sales1", "wrong-password", ip="10.0.0.1").status_code == 400

    locked = post_token("sales1", PASSWORD, ip="10.0.0.1")
    assert locked.status_code == 429
    assert locked.json()["detail"]
    assert int(locked["Retry-After"]) > 0
    assert "token" not in locked.json()
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_LOCKED, ip="10.0.0.1").count() == 1

    # The same username from another address is not locked.
    other = post_token("sales1", PASSWORD, ip="10.0.0.2")
    assert other.status_code == 200
    assert other.json()["token"]
    # Nor is another username from the locked address.
    assert post_token("sales2", PASSWORD, ip="10.0.0.1").status_code == 200


def test_bearer_token_authenticates(org, refs):
    token = post_token("sales1", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/customers/")
    assert response.status_code == 200
    assert response.json()["results"] == []
    response = client.get(f"/api/v1/users/{org.users.sales1.pk}/")
    assert response.json()["username"] == "sales1"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer not-a-token", "Token {token}", "Bearer"],
    ids=["none", "unknown-token", "wrong-keyword", "empty"],
)
def test_without_a_valid_bearer_token_the_api_answers_401(org, header):
    _token, token = api_token_create(actor=org.users.sales1, name="cli")
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header.format(token=token))
    for url in ["/api/v1/customers/", "/api/v1/contacts/", "/api/v1/regions/", "/api/v1/users/"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/customers/", {"name": "x"}).status_code == 401


def test_deactivated_users_token_stops_working(org):
    _token, token = api_token_create(actor=org.users.sales1, name="cli")
    org.users.sales1.is_active = False
    org.users.sales1.save(update_fields=["is_active"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/customers/").status_code == 401
