"""Notifications through the API: only the caller's own, read or unread, one or all at once,
the sentence in the request's language and the link to the record."""

import pytest
from django.utils import translation

from guanxi.notifications.models import Notification, NotificationKind
from guanxi.notifications.services import Note, notify

from .helpers import ids

URL = "/api/v1/notifications/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    def _api(user=None, language="en"):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return client

    return _api


def send(user, kind, key, subject="SR-2026-00001", **params):
    notify([Note(recipient_id=user.pk, kind=kind, key=key, subject=subject, params=params)])
    return Notification.objects.get(recipient=user, key=key)


@pytest.fixture
def inbox(org):
    users = org.users
    return {
        "complaint": send(
            users.sales1, NotificationKind.COMPLAINT, "c1", id=7, customer="华东精密机械"
        ),
        "churn": send(
            users.sales1,
            NotificationKind.CHURN_WARNING,
            "churn1",
            subject="华东精密机械",
            id=3,
            days=180,
        ),
        "other": send(users.sales2, NotificationKind.COMPLAINT, "c2", id=8, customer="华北"),
    }


def test_own_only(org, api, inbox):
    client = api(org.users.sales1)
    response = client.get(URL)
    assert response.status_code == 200
    assert ids(response) == [inbox["churn"].pk, inbox["complaint"].pk]
    assert client.get(f"{URL}{inbox['other'].pk}/").status_code == 404
    assert client.patch(f"{URL}{inbox['other'].pk}/", {"read": True}).status_code == 404
    assert Notification.objects.get(pk=inbox["other"].pk).read_at is None
    assert ids(api(org.users.sales2).get(URL)) == [inbox["other"].pk]
    assert api(org.users.researcher).get(URL).json()["results"] == []
    assert api().get(URL).status_code in (401, 403)


def test_item_shape_and_language(org, api, inbox):
    row = api(org.users.sales1).get(f"{URL}{inbox['complaint'].pk}/").json()
    assert row["kind"] == "complaint" and row["kind_label"] == "Complaint received"
    assert row["subject"] == "SR-2026-00001"
    assert row["message"] == "Your customer 华东精密机械 filed complaint SR-2026-00001."
    assert row["link"].endswith("/7/") and row["read"] is False and row["read_at"] is None
    assert row["created_at"]
    churn = api(org.users.sales1).get(f"{URL}{inbox['churn'].pk}/").json()
    assert churn["message"] == "华东精密机械 has had no order and no contact for 180 days."
    # The kind's label follows the request's language (the sentences are translated last).
    chinese = api(org.users.sales1, language="zh-hans").get(f"{URL}{inbox['churn'].pk}/").json()
    assert chinese["subject"] == "华东精密机械" and chinese["message"]


def test_mark_read_unread_and_all(org, api, inbox):
    client = api(org.users.sales1)
    pk = inbox["complaint"].pk
    response = client.patch(f"{URL}{pk}/", {"read": True})
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"]
    assert ids(client.get(URL, {"read": "true"})) == [pk]
    assert ids(client.get(URL, {"read": "false"})) == [inbox["churn"].pk]
    assert client.get(f"{URL}unread-count/").json() == {"unread": 1}
    response = client.patch(f"{URL}{pk}/", {"read": False})
    assert response.json()["read"] is False and response.json()["read_at"] is None
    assert client.patch(f"{URL}{pk}/", {"read": "maybe"}).status_code == 400
    assert client.patch(f"{URL}{pk}/", {}).status_code == 400
    assert ids(client.get(URL, {"kind": "churn_warning"})) == [inbox["churn"].pk]
    assert client.get(URL, {"kind": "party"}).status_code == 400
    assert client.put(f"{URL}{pk}/", {"read": True}).status_code == 405
    assert client.delete(f"{URL}{pk}/").status_code == 405

    response = client.post(f"{URL}mark-all-read/")
    assert response.status_code == 200
    assert response.json() == {"marked": 2, "unread": 0}
    assert not Notification.objects.filter(recipient=org.users.sales1, read_at=None).exists()
    # Someone else's stay unread.
    assert Notification.objects.get(pk=inbox["other"].pk).read_at is None
    assert client.post(f"{URL}mark-all-read/").json() == {"marked": 0, "unread": 0}


def test_pages_of_one_batch(org, api):
    """Notifications stored in one run share their time: pages still list each once."""
    notify(
        [
            Note(recipient_id=org.users.sales1.pk, kind=NotificationKind.TASK_DUE, key=f"t{i}")
            for i in range(7)
        ]
    )
    client = api(org.users.sales1)
    seen, url, params = [], URL, {"page_size": 3}
    while url:
        body = client.get(url, params).json()
        seen += [r["id"] for r in body["results"]]
        url, params = body["next"], None
    assert seen == sorted(
        Notification.objects.filter(recipient=org.users.sales1).values_list("pk", flat=True),
        reverse=True,
    )
