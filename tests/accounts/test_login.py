"""Sign-in on the page: lockout per (username, address), audit of successes and failures,
own password change, language choice."""

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.common.models import AuditLog

pytestmark = pytest.mark.django_db


def post_login(client, username, password, addr="10.0.0.1"):
    return client.post(
        reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=addr
    )


def test_login_success_and_failure_are_audited(org):
    client = Client(headers={"accept-language": "en"})
    assert post_login(client, "sales1", "wrong").status_code == 200
    assert post_login(client, "sales1", "demo12345").status_code == 302
    actions = list(
        AuditLog.objects.filter(username="sales1").order_by("id").values_list("action", "ip")
    )
    assert actions == [("login_failure", "10.0.0.1"), ("login_success", "10.0.0.1")]


def test_ten_failures_lock_the_pair_not_the_user_elsewhere(org):
    client = Client(headers={"accept-language": "en"})
    for _ in range(10):
        response = post_login(client, "sales1", "wrong")
        assert response.status_code == 200
        assert "Wrong username or password" in response.content.decode()
    locked = post_login(client, "sales1", "demo12345")
    assert locked.status_code == 429
    assert "locked" in locked.content.decode()
    assert AuditLog.objects.filter(action="login_locked", username="sales1").count() == 1
    # The real user on another address still gets in; another user from the same address too.
    assert (
        post_login(
            Client(headers={"accept-language": "en"}), "sales1", "demo12345", addr="10.0.0.2"
        ).status_code
        == 302
    )
    assert (
        post_login(Client(headers={"accept-language": "en"}), "sales2", "demo12345").status_code
        == 302
    )


def test_lock_ends_after_fifteen_minutes(org, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    client = Client(headers={"accept-language": "en"})
    for _ in range(10):
        post_login(client, "sales1", "wrong")
    assert post_login(client, "sales1", "demo12345").status_code == 429
    later = timezone.now() + timedelta(minutes=15, seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert post_login(client, "sales1", "demo12345").status_code == 302


def test_nine_failures_then_success_resets(org):
    client = Client(headers={"accept-language": "en"})
    for _ in range(9):
        post_login(client, "sales1", "wrong")
    assert post_login(client, "sales1", "demo12345").status_code == 302
    client = Client(headers={"accept-language": "en"})
    for _ in range(9):
        post_login(client, "sales1", "wrong")
    assert post_login(client, "sales1", "demo12345").status_code == 302


def test_deactivated_user_cannot_sign_in(org):
    org.users.sales1.is_active = False
    org.users.sales1.save()
    assert (
        post_login(Client(headers={"accept-language": "en"}), "sales1", "demo12345").status_code
        == 200
    )


def test_logout_requires_post_and_is_audited(org, login):
    client = login(org.users.sales1)
    assert client.get(reverse("web:logout")).status_code == 405
    assert client.post(reverse("web:logout")).status_code == 302
    assert AuditLog.objects.filter(action="logout", user=org.users.sales1).exists()
    assert client.get(reverse("web:home")).status_code == 302


def test_change_own_password(org, login):
    client = login(org.users.sales1)
    url = reverse("web:password_change")
    response = client.post(
        url,
        {"old_password": "nope", "new_password": "Guanxi-2026!", "new_password2": "Guanxi-2026!"},
    )
    assert "old_password" in response.context["form"].errors
    response = client.post(
        url,
        {
            "old_password": "demo12345",
            "new_password": "Guanxi-2026!",
            "new_password2": "Guanxi-2026!",
        },
    )
    assert response.status_code == 302
    org.users.sales1.refresh_from_db()
    assert org.users.sales1.check_password("Guanxi-2026!")
    assert AuditLog.objects.filter(action="password_change", object_id=org.users.sales1.pk).exists()


def test_language_follows_browser_then_user_choice(org, login):
    client = login(org.users.sales1)
    page = client.get(reverse("web:customer_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.headers["Content-Language"] == "en"
    client.post(reverse("web:set_language"), {"language": "zh-hans", "next": "/customers/"})
    org.users.sales1.refresh_from_db()
    assert org.users.sales1.language == "zh-hans"
    page = client.get(reverse("web:customer_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.headers["Content-Language"] == "zh-hans"
    assert "客户" in page.content.decode()


def test_healthz(db):
    response = Client(headers={"accept-language": "en"}).get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_pages_require_login(db):
    response = Client(headers={"accept-language": "en"}).get(reverse("web:customer_list"))
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_pages_carry_a_strict_content_security_policy(org, login):
    response = login(org.users.sales1).get(reverse("web:home"))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "http" not in response.headers["Content-Security-Policy"]


def test_last_administrator_cannot_be_removed(org):
    from django.core.exceptions import PermissionDenied, ValidationError

    from guanxi.accounts.models import Role
    from guanxi.accounts.services import role_update, user_deactivate, user_update

    admin_role = Role.objects.get(code="admin")
    with pytest.raises(ValidationError):
        user_update(actor=org.users.admin, user=org.users.admin, roles=[])
    with pytest.raises(ValidationError):
        user_deactivate(actor=org.users.manager, user=org.users.admin)
    with pytest.raises(ValidationError):
        role_update(actor=org.users.admin, role=admin_role, permissions=["customers.view"])
    org.users.admin.refresh_from_db()
    assert org.users.admin.is_active and list(org.users.admin.roles.all()) == [admin_role]
    # someone who may edit users but not roles cannot hand out roles
    clerk_role = Role.objects.get(code="clerk")
    role_update(
        actor=org.users.admin,
        role=clerk_role,
        permissions=[*clerk_role.permissions, "users.change"],
    )
    org.users.clerk.refresh_from_db()
    with pytest.raises(PermissionDenied):
        user_update(actor=org.users.clerk, user=org.users.sales1, roles=[admin_role])
