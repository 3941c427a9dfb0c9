"""Notification centre pages: the bell (a link, its badge loaded by htmx from its own endpoint
so pages run no query for it), the list of one's own notifications (all/unread, paginated),
opening one marks it read and goes to its record, mark one or all read, someone else's
notification is a 404; query counts; Chinese."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.notifications.models import Notification, NotificationKind
from guanxi.notifications.services import Note, notify

from ..factories import CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def send(user, key, *, kind=NotificationKind.CHURN_WARNING, subject="沉睡汽配", **params):
    notify([Note(recipient_id=user.pk, kind=kind, key=key, subject=subject, params=params)])
    return Notification.objects.get(recipient=user, key=key)


def badge(client):
    response = client.get(url("notification_badge"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_bell_is_a_link_and_its_badge_is_loaded_separately(org, login):
    client = login(org.users.sales1)
    html = client.get(url("home")).content.decode()
    assert f'href="{url("notification_list")}"' in html
    assert f'hx-get="{url("notification_badge")}"' in html
    assert 'hx-trigger="load, every 60s, notifications-changed from:body"' in html
    send(org.users.sales1, "k1")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url("home"))
    assert not any("notifications_notification" in q["sql"] for q in ctx.captured_queries)


def test_badge_counts_unread_and_reading_lowers_it(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    client = login(org.users.sales1)
    assert badge(client).strip() == ""
    first = send(org.users.sales1, "k1", id=customer.pk, days=180)
    send(org.users.sales1, "k2", id=customer.pk, days=180)
    send(org.users.sales2, "k3", id=customer.pk, days=180)  # someone else's
    assert 'id="notification-count">2<' in badge(client)
    response = client.get(url("notification_open", first.pk))
    assert response.status_code == 302
    assert response["Location"] == url("customer_detail", customer.pk)
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'id="notification-count">1<' in badge(client)
    assert client.post(url("notification_read_all")).status_code == 302
    assert badge(client).strip() == ""
    assert Notification.objects.filter(recipient=org.users.sales2, read_at__isnull=True).exists()


def test_badge_is_capped(org, login):
    notify(
        Note(recipient_id=org.users.sales1.pk, kind="churn_warning", key=f"k{i}", subject="x")
        for i in range(101)
    )
    assert 'id="notification-count">99+<' in badge(login(org.users.sales1))


def test_badge_signed_out_is_empty(client):
    response = client.get(url("notification_badge"))
    assert response.status_code == 204 and response.content == b""


def test_list_shows_own_notifications_as_sentences_with_unread_filter(org, login):
    task = TaskFactory(customer=CustomerFactory(owner=org.users.sales1), purpose="上门拜访")
    unread = send(
        org.users.sales1,
        "t1",
        kind=NotificationKind.TASK_DUE,
        subject="上门拜访",
        id=task.pk,
        customer="宁波模具厂",
    )
    read = send(org.users.sales1, "c1", days=180)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    send(org.users.sales2, "other", subject="别人的通知", days=180)
    client = login(org.users.sales1)
    response = client.get(url("notification_list"))
    assert response.status_code == 200
    assert [r["n"].pk for r in response.context["rows"]] == [read.pk, unread.pk]
    html = response.content.decode()
    assert "Task due today: 上门拜访 (宁波模具厂)" in html
    assert "沉睡汽配 has had no order and no contact for 180 days." in html
    assert "别人的通知" not in html
    assert url("notification_open", unread.pk) in html
    assert html.count("notification-unread") == 1 and html.count(">Mark read<") == 1
    response = client.get(url("notification_list"), {"show": "unread"})
    assert [r["n"].pk for r in response.context["rows"]] == [unread.pk]
    response = client.get(url("notification_open", unread.pk))
    assert response["Location"] == url("task_detail", task.pk)
    html = client.get(url("notification_list"), {"show": "unread"}).content.decode()
    assert "No unread notifications." in html


def test_open_without_a_target_goes_back_to_the_list(org, login):
    bare = send(org.users.sales1, "bare", kind=NotificationKind.COMPLAINT, subject="SR-1")
    response = login(org.users.sales1).get(url("notification_open", bare.pk))
    assert response.status_code == 302 and response["Location"] == url("notification_list")
    bare.refresh_from_db()
    assert bare.read_at is not None


def test_mark_one_read_plain_and_with_htmx(org, login):
    one = send(org.users.sales1, "a", days=180)
    two = send(org.users.sales1, "b", days=180)
    client = login(org.users.sales1)
    back = url("notification_list") + "?show=unread"
    response = client.post(url("notification_read", one.pk), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    one.refresh_from_db()
    assert one.read_at is not None
    response = client.post(url("notification_read", two.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    html = response.content.decode()
    assert f'id="notification-{two.pk}"' in html and "Mark read" not in html
    assert badge(client).strip() == ""
    assert client.get(url("notification_read", two.pk)).status_code == 405


def test_someone_elses_notification_is_404(org, login):
    theirs = send(org.users.sales2, "theirs", days=180)
    client = login(org.users.sales1)
    assert client.get(url("notification_open", theirs.pk)).status_code == 404
    assert client.post(url("notification_read", theirs.pk)).status_code == 404
    client.post(url("notification_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(url("notification_open", 999999)).status_code == 404


def test_pages_need_a_login(client):
    response = client.get(url("notification_list"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("role", ["sales1", "admin"])
def test_list_query_count_does_not_grow_with_rows(org, login, role):
    user = getattr(org.users, role)
    client = login(user)
    kinds = [k for k, _label in NotificationKind.choices]

    def add(start, n):
        notify(
            Note(
                recipient_id=user.pk,
                kind=kinds[i % len(kinds)],
                key=f"n{i}",
                subject=f"S{i}",
                params={"id": i + 1, "customer": "客户", "days": 180, "score": 4},
            )
            for i in range(start, start + n)
        )

    add(0, 3)
    few = _queries(client, url("notification_list"))
    badge_few = _queries(client, url("notification_badge"))
    add(3, 20)
    assert _queries(client, url("notification_list")) == few
    assert _queries(client, url("notification_badge")) == badge_few


def test_notification_list_in_chinese(org, login):
    send(org.users.sales1, "zh", days=180)
    html = login(org.users.sales1, language="zh-hans").get(url("notification_list")).content
    html = html.decode()
    assert 'lang="zh-Hans"' in html and "沉睡汽配" in html
