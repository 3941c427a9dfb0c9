"""Personal API tokens: stored as a digest, shown once, listed and revoked by their owner
(or an administrator), with history; expired and revoked tokens stop working; use is noted
at most once a minute; the tokens of DRF's old authtoken table keep working after the move."""

import datetime
import hashlib
import importlib

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.accounts.models import ApiToken
from guanxi.accounts.tokens import api_token_authenticate, api_token_create, token_digest
from guanxi.common.models import AuditAction, AuditLog

URL = "/api/v1/auth/tokens/"


def bearer(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def history(token):
    return list(
        AuditLog.objects.filter(object_id=token.pk, content_type__model="apitoken")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_token_is_shown_once_and_stored_as_a_digest(org, api):
    client = api(org.users.sales1)
    response = client.post(URL, {"name": "ERP 同步"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["token"]
    assert len(secret) >= 40
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:8] == body["prefix"]
    assert secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())
    assert (stored.user, stored.created_by, stored.name) == (
        org.users.sales1,
        org.users.sales1,
        "ERP 同步",
    )
    assert history(stored) == [AuditAction.CREATE]
    # Listed without the secret; the secret works.
    listed = client.get(URL).json()["results"]
    assert [(r["id"], r["prefix"], r["state"]) for r in listed] == [
        (stored.pk, secret[:8], "active")
    ]
    assert "token" not in listed[0] and "digest" not in listed[0]
    assert client.get(f"{URL}{stored.pk}/").json()["name"] == "ERP 同步"
    assert bearer(secret).get("/api/v1/customers/").status_code == 200


def test_revoked_token_stops_working_at_once_with_history(org, api):
    token, secret = api_token_create(actor=org.users.sales1, name="cli")
    client = bearer(secret)
    assert client.get("/api/v1/customers/").status_code == 200
    # Revoked with the token itself.
    assert client.delete(f"{URL}{token.pk}/").status_code == 204
    assert client.get("/api/v1/customers/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == org.users.sales1
    assert history(token) == [AuditAction.CREATE, AuditAction.UPDATE]
    # Listed as revoked; revoking again changes nothing.
    owner = api(org.users.sales1)
    assert owner.get(URL).json()["results"][0]["state"] == "revoked"
    assert owner.delete(f"{URL}{token.pk}/").status_code == 204
    assert history(token) == [AuditAction.CREATE, AuditAction.UPDATE]


def test_only_the_owner_or_an_administrator_sees_and_revokes_a_token(org, api):
    token, secret = api_token_create(actor=org.users.sales2, name="north")
    for intruder in (org.users.sales1, org.users.manager, org.users.manager2):
        client = api(intruder)
        assert client.get(f"{URL}{token.pk}/").status_code == 404
        assert client.delete(f"{URL}{token.pk}/").status_code == 404
        assert client.get(URL, {"user": org.users.sales2.pk}).status_code == 404
        assert client.get(URL).json()["results"] == []
    assert bearer(secret).get("/api/v1/customers/").status_code == 200
    admin = api(org.users.admin)
    listed = admin.get(URL, {"user": org.users.sales2.pk}).json()["results"]
    assert [r["id"] for r in listed] == [token.pk]
    assert admin.delete(f"{URL}{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_by == org.users.admin
    assert bearer(secret).get("/api/v1/customers/").status_code == 401


def test_bad_input_is_a_field_error_and_writes_nothing(org, api):
    client = api(org.users.sales1)
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    cases = [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "expires_at": "not-a-date"}, "expires_at"),
        ({"name": "ok", "expires_at": past}, "expires_at"),
    ]
    for body, field in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    assert not ApiToken.objects.exists()
    assert not AuditLog.objects.filter(content_type__model="apitoken").exists()
    assert client.get(URL, {"user": "abc"}).status_code == 400
    assert APIClient().post(URL, {"name": "anon"}, format="json").status_code == 401


def test_an_expired_token_is_refused(org):
    token, secret = api_token_create(
        actor=org.users.sales1,
        name="short",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert bearer(secret).get("/api/v1/customers/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = bearer(secret).get("/api/v1/customers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_last_used_is_written_at_most_once_a_minute(org):
    token, secret = api_token_create(actor=org.users.sales1, name="busy")
    assert token.last_used_at is None
    first = api_token_authenticate(secret=secret).last_used_at
    assert first is not None
    # Used again within the minute: no write at all.
    recent = timezone.now() - datetime.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    with CaptureQueriesContext(connection) as queries:
        assert bearer(secret).get("/api/v1/regions/").status_code == 200
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == recent
    # A minute later: noted again.
    old = timezone.now() - datetime.timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    bearer(secret).get("/api/v1/regions/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old


def test_lookup_is_by_digest_only(org):
    token, secret = api_token_create(actor=org.users.sales1, name="x")
    assert api_token_authenticate(secret=secret) == token
    assert api_token_authenticate(secret=secret[:-1]) is None
    assert api_token_authenticate(secret=token.digest) is None  # the digest is no password
    assert api_token_authenticate(secret="") is None
    assert token_digest(secret) == token.digest


class _Editor:
    """What the migration uses of a schema editor (the real one cannot open inside the
    test's transaction on SQLite)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_old_plaintext_tokens_are_hashed_into_the_new_table(org):
    """The data migration, run against a table shaped like DRF's authtoken_token."""
    migration = importlib.import_module("guanxi.accounts.migrations.0006_hash_drf_tokens")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - datetime.timedelta(days=300)
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
            if connection.vendor == "postgresql"
            else 'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
            "created datetime NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            'INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
            [old_key, created, org.users.sales1.pk],
        )
    migration.hash_drf_tokens(apps, _Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=org.users.sales1)
    assert (token.prefix, token.digest) == (old_key[:8], token_digest(old_key))
    assert bearer(old_key).get("/api/v1/customers/").status_code == 200
    # Run again (a database that never had the table): nothing happens.
    migration.hash_drf_tokens(apps, _Editor())
    assert ApiToken.objects.count() == 1
