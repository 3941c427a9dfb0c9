"""Care actions, the churn warning and the lost list through the API: the four views and the
filters, entering an action by hand (win-back only for a lost customer), editing and
deleting only what may be, done and skipped with a note, keyset pages over many actions due
on one day."""

import datetime

import pytest
from django.utils import timezone, translation

from guanxi.service.enums import CareKind, CareStatus
from guanxi.service.models import CareAction, Feedback
from guanxi.service.services import care as cs
from tests.factories import ContactFactory, CustomerFactory

from .helpers import collect_pages, ids
from .test_service_api import service_state

CARE = "/api/v1/care-actions/"
D = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def make_care(org, customer, *, due=None, kind=CareKind.FOLLOW_UP, key=None, **fields):
    """A pending care action: entered by the administrator, or generated (`key` set)."""
    if key is not None:
        return CareAction.objects.create(
            customer=customer,
            kind=kind,
            due_date=due or today(),
            assignee=fields.pop("assignee", customer.owner),
            key=key,
            **fields,
        )
    return cs.care_create(
        actor=org.users.admin,
        customer=customer,
        kind=kind,
        due_date=due or today(),
        title=fields.pop("title", "回访"),
        **fields,
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1, status="active", name="华东精密机械")


def test_views_and_filters(org, api, customer):
    users = org.users
    other = CustomerFactory(owner=users.sales1)
    overdue = make_care(org, customer, due=today() - 3 * D)
    due_today = make_care(org, other, due=today(), kind=CareKind.BIRTHDAY, key="birthday:x")
    later = make_care(org, customer, due=today() + 5 * D)
    done = make_care(org, customer, due=today() - 10 * D)
    cs.care_done(actor=users.sales1, action=done, note="已电话回访")
    skipped = make_care(org, other, due=today() - 1 * D)
    cs.care_skip(actor=users.sales1, action=skipped, note="客户出差")
    client = api(users.sales1)

    def listed(**params):
        response = client.get(CARE, params)
        assert response.status_code == 200, response.content
        return ids(response)

    assert listed(view="due") == [overdue.pk, due_today.pk]
    assert listed(view="upcoming") == [later.pk]
    assert listed(view="done") == [skipped.pk, done.pk]
    assert listed() == [later.pk, due_today.pk, skipped.pk, overdue.pk, done.pk]
    assert listed(kind="birthday") == [due_today.pk]
    assert listed(status="skipped") == [skipped.pk]
    assert listed(customer=other.pk) == [due_today.pk, skipped.pk]
    assert listed(assignee=users.sales2.pk) == []
    assert listed(search="出差") == [skipped.pk]
    for bad in ({"view": "soon"}, {"kind": "party"}, {"assignee": "me"}):
        assert client.get(CARE, bad).status_code == 400, bad
    row = client.get(f"{CARE}{due_today.pk}/").json()
    assert row["generated"] is True and row["kind"] == "birthday"
    assert row["status"] == "pending" and row["assignee"] == users.sales1.pk
    assert row["label"].startswith("Birthday greeting")


def test_create_by_hand_and_win_back(org, api, customer):
    users = org.users
    contact = ContactFactory(customer=customer)
    client = api(users.sales1)
    response = client.post(
        CARE,
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "kind": "follow_up",
            "due_date": (today() + 2 * D).isoformat(),
            "title": "投诉后回访",
            "status": "done",  # read-only: ignored
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignee"] == users.sales1.pk and body["status"] == "pending"
    assert body["generated"] is False and body["created_by"] == users.sales1.pk
    # Win-back only for a lost customer.
    before = service_state()
    payload = {"customer": customer.pk, "kind": "win_back", "due_date": today().isoformat()}
    response = client.post(CARE, payload)
    assert response.status_code == 400
    assert response.json() == {"kind": ["Win-back actions are for lost customers."]}
    for bad, field in [
        ({**payload, "kind": "party"}, "kind"),
        ({**payload, "due_date": "soon"}, "due_date"),
        ({**payload, "assignee": users.sales2.pk}, "assignee"),
        ({**payload, "customer": CustomerFactory(owner=users.sales2).pk}, "customer"),
    ]:
        response = client.post(CARE, bad)
        assert response.status_code == 400 and field in response.json(), (bad, response.json())
    assert CareAction.objects.count() == 1
    assert service_state()["care"] == before["care"]

    response = client.post(f"/api/v1/customers/{customer.pk}/mark-lost/", {"reason": "倒闭"})
    assert response.status_code == 200
    response = client.post(CARE, payload)
    assert response.status_code == 201, response.content
    assert response.json()["title"] == f"Win back {customer.name}"
    lost = client.get("/api/v1/lost-customers/").json()["results"]
    assert [(c["id"], c["open_win_back"]) for c in lost] == [(customer.pk, 1)]


def test_edit_only_pending_delete_only_by_hand(org, api, customer):
    users = org.users
    client = api(users.manager)  # care: view, create, change, delete in East
    manual = make_care(org, customer)
    response = client.patch(
        f"{CARE}{manual.pk}/",
        {"title": "改期回访", "due_date": (today() + 3 * D).isoformat(), "kind": "birthday"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "改期回访"
    assert response.json()["kind"] == "follow_up"  # read-only on update
    generated = make_care(org, customer, key="follow_up:1")
    finished = make_care(org, customer)
    cs.care_done(actor=users.sales1, action=finished, note="好")
    before = service_state()
    response = client.patch(f"{CARE}{finished.pk}/", {"title": "改"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This care action is finished."]}
    for action in (generated, finished):
        response = client.delete(f"{CARE}{action.pk}/")
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["Skip this care action instead, with a note."]
        }
    assert service_state() == before
    assert client.delete(f"{CARE}{manual.pk}/").status_code == 204
    assert not CareAction.objects.filter(pk=manual.pk).exists()
    # A salesperson may change but not delete.
    assert api(users.sales1).delete(f"{CARE}{generated.pk}/").status_code == 403


def test_done_and_skip(org, api, customer):
    users = org.users
    action = make_care(org, customer, key="birthday:1:2026", kind=CareKind.BIRTHDAY)
    client = api(users.sales1)
    before = service_state()
    response = client.post(f"{CARE}{action.pk}/done/", {"note": " "})
    assert response.status_code == 400
    assert response.json() == {"note": ["Write a note on what was done, or why not."]}
    assert client.post(f"{CARE}{action.pk}/done/", {}).status_code == 400
    assert service_state() == before
    response = client.post(f"{CARE}{action.pk}/done/", {"note": "送了贺卡"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done" and response.json()["finished_at"]
    before = service_state()
    for name in ("done", "skip"):
        response = client.post(f"{CARE}{action.pk}/{name}/", {"note": "again"})
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["This care action is finished already."]}
    assert service_state() == before
    other = make_care(org, customer)
    response = client.post(f"{CARE}{other.pk}/skip/", {"note": "客户不需要"})
    assert response.status_code == 200 and response.json()["status"] == CareStatus.SKIPPED
    assert api(users.clerk).post(f"{CARE}{other.pk}/skip/", {"note": "x"}).status_code == 403


def test_pages_over_many_actions_due_on_one_day(org, api, customer):
    """A holiday greeting for every customer falls on one day: pages keyed on the due date
    and the id list each once."""
    actions = [
        make_care(org, customer, kind=CareKind.HOLIDAY, key=f"holiday:1:2026:{i}") for i in range(9)
    ]
    client = api(org.users.sales1)
    for view, expected in (
        ("due", sorted(a.pk for a in actions)),
        ("all", sorted((a.pk for a in actions), reverse=True)),
    ):
        rows, pages = collect_pages(client, CARE, {"view": view, "page_size": 2})
        assert [r["id"] for r in rows] == expected
        assert pages == 5
    for action in actions[:5]:
        cs.care_skip(actor=org.users.sales1, action=action, note="跳过")
    rows, _pages = collect_pages(client, CARE, {"view": "done", "page_size": 2})
    assert sorted(r["id"] for r in rows) == sorted(a.pk for a in actions[:5])


def _old_customer(owner, days=400, **fields):
    created = timezone.now() - datetime.timedelta(days=days)
    return CustomerFactory(owner=owner, status="active", created_at=created, **fields)


def test_churn_warnings(org, api):
    users = org.users
    silent = _old_customer(users.sales1, name="沉默客户")
    talked = _old_customer(users.sales1, name="最近联系")
    Feedback.objects.create(
        customer=talked, content="回访", date=today() - 10 * D, reported_by=users.sales1
    )
    long_ago = _old_customer(users.sales1, name="很久以前联系")
    Feedback.objects.create(
        customer=long_ago, content="回访", date=today() - 300 * D, reported_by=users.sales1
    )
    _old_customer(users.sales2, name="华北沉默客户")
    CustomerFactory(owner=users.sales1, status="active")  # new: not yet warned
    client = api(users.sales1)
    response = client.get("/api/v1/churn-warnings/")
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()["results"]}
    assert set(rows) == {silent.pk, long_ago.pk}
    assert rows[long_ago.pk]["last_contact"] == (today() - 300 * D).isoformat()
    assert rows[silent.pk]["last_contact"] is None and rows[silent.pk]["last_order"] is None
    assert ids(client.get("/api/v1/churn-warnings/", {"search": "沉默"})) == [silent.pk]
    assert len(api(users.admin).get("/api/v1/churn-warnings/").json()["results"]) == 3
    # The threshold is the configured one.
    response = api(users.admin).patch("/api/v1/service-settings/", {"churn_days": 500})
    assert response.status_code == 200
    assert client.get("/api/v1/churn-warnings/").json()["results"] == []
    assert api(users.researcher).get("/api/v1/churn-warnings/").status_code == 403
