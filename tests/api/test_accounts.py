"""Users (read-only, scoped), departments (readable by all) and roles (roles.view)."""

import pytest

from guanxi.accounts.models import Department

from .helpers import ids


def test_users_are_scoped(org, api):
    users = org.users
    assert ids(api(users.sales1).get("/api/v1/users/")) == [users.sales1.pk]
    team = ids(api(users.manager).get("/api/v1/users/"))
    assert set(team) == {users.manager.pk, users.sales1.pk, users.sales1b.pk}
    everyone = ids(api(users.admin).get("/api/v1/users/", {"page_size": 200}))
    assert {u.pk for u in vars(users).values()} <= set(everyone)
    assert api(users.sales1).get(f"/api/v1/users/{users.sales2.pk}/").status_code == 404
    assert api(users.manager).get(f"/api/v1/users/{users.sales1b.pk}/").status_code == 200


def test_users_without_users_view_are_refused(org, api):
    for role in ("researcher", "service"):
        client = api(getattr(org.users, role))
        assert client.get("/api/v1/users/").status_code == 403
        assert client.get(f"/api/v1/users/{org.users.admin.pk}/").status_code == 403


def test_user_fields_never_include_the_password(org, api):
    body = api(org.users.admin).get(f"/api/v1/users/{org.users.manager.pk}/").json()
    assert set(body) == {
        "id", "username", "display_name", "department", "email", "phone", "is_active", "roles",
    }  # fmt: skip
    assert body["roles"] == ["sales_manager"]
    assert body["department"] == org.east.pk
    listing = api(org.users.admin).get("/api/v1/users/").content.decode()
    assert "password" not in listing and "md5$" not in listing


def test_user_search_and_read_only(org, api):
    admin = api(org.users.admin)
    assert ids(admin.get("/api/v1/users/", {"search": "sales1b"})) == [org.users.sales1b.pk]
    assert admin.post("/api/v1/users/", {"username": "x"}).status_code == 405
    assert admin.patch(f"/api/v1/users/{org.users.sales1.pk}/", {"phone": "1"}).status_code == 405


def test_departments_read_by_anyone_written_by_admins(org, api):
    reader = api(org.users.researcher)
    rows = reader.get("/api/v1/departments/").json()["results"]
    assert [r["code"] for r in rows] == ["HQ", "EAST", "EAST-SH", "NORTH"]
    east = next(r for r in rows if r["code"] == "EAST")
    assert east["head"] == org.users.manager.pk and east["parent"] == org.hq.pk
    assert reader.get(f"/api/v1/departments/{org.north.pk}/").json()["name"] == "华北销售部"

    payload = {"code": "SOUTH", "name": "华南销售部", "parent": org.hq.pk}
    assert reader.post("/api/v1/departments/", payload).status_code == 403
    assert api(org.users.manager).post("/api/v1/departments/", payload).status_code == 403
    admin = api(org.users.admin)
    response = admin.post("/api/v1/departments/", payload)
    assert response.status_code == 201, response.content
    south = Department.objects.get(code="SOUTH")
    assert response.json()["path"] == south.path == f"{org.hq.path}{south.pk}/"
    assert south.created_by == org.users.admin

    response = admin.patch(f"/api/v1/departments/{south.pk}/", {"head": org.users.sales2.pk})
    assert response.status_code == 200
    assert response.json()["head"] == org.users.sales2.pk
    response = admin.patch(f"/api/v1/departments/{org.east.pk}/", {"parent": org.east_sub.pk})
    assert response.status_code == 400
    assert "parent" in response.json()

    # Still has members / children: refused.
    response = admin.delete(f"/api/v1/departments/{org.east.pk}/")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert admin.delete(f"/api/v1/departments/{south.pk}/").status_code == 204
    assert admin.get(f"/api/v1/departments/{south.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["manager", "sales1", "clerk", "researcher", "service", "exec"])
def test_roles_need_roles_view(org, api, role):
    assert api(getattr(org.users, role)).get("/api/v1/roles/").status_code == 403


def test_roles_for_admins(org, api):
    body = api(org.users.admin).get("/api/v1/roles/").json()
    codes = [r["code"] for r in body["results"]]
    assert codes[:7] == [
        "admin", "sales_manager", "salesperson", "clerk", "researcher", "service", "executive",
    ]  # fmt: skip
    salesperson = body["results"][2]
    assert salesperson["scope"] == "own"
    assert "customers.view" in salesperson["permissions"]
    assert "customers.delete" not in salesperson["permissions"]
