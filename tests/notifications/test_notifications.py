"""The notification centre's domain: notify once per (recipient, key), a reader reads and marks
only their own, every kind renders as a sentence in both languages."""

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.notifications.models import Notification, NotificationKind
from guanxi.notifications.selectors import (
    TARGETS,
    access_notification,
    message,
    notification_list,
    target_url,
    unread_count,
)
from guanxi.notifications.services import Note, mark_read, mark_unread, notify
from tests.service.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def _note(user, key="k:1", kind=NotificationKind.TASK_DUE, **kw):
    return Note(recipient_id=user.pk, kind=kind, key=key, **kw)


def test_notify_is_idempotent(org):
    u = org.users
    assert notify([_note(u.sales1, subject="拜访", params={"id": 1, "customer": "甲"})]) == 1
    assert notify([_note(u.sales1, subject="changed")]) == 0
    stored = Notification.objects.get()
    assert stored.subject == "拜访" and stored.params == {"id": 1, "customer": "甲"}
    assert stored.read_at is None and stored.recipient == u.sales1
    # The same key for someone else is another notification.
    assert notify([_note(u.sales2), _note(u.sales1)]) == 1
    # Twice in one call: once.
    assert notify([_note(u.manager, key="k:2"), _note(u.manager, key="k:2")]) == 1
    assert Notification.objects.count() == 3
    # Nobody to notify: nothing, no query needed.
    assert notify([Note(recipient_id=None, kind="task_due", key="x")]) == 0
    assert notify([]) == 0


def test_notify_also_once_after_being_read(org):
    notify([_note(org.users.sales1)])
    mark_read(reader=org.users.sales1)
    assert notify([_note(org.users.sales1)]) == 0
    assert unread_count(reader=org.users.sales1) == 0


def test_a_long_key_is_stored_cut_and_still_found(org):
    key = "x" * 250
    assert notify([_note(org.users.sales1, key=key, subject="s" * 400)]) == 1
    stored = Notification.objects.get()
    assert len(stored.key) == 200 and len(stored.subject) == 300
    assert notify([_note(org.users.sales1, key=key)]) == 0
    assert Notification.objects.count() == 1


def test_notify_survives_a_row_stored_meanwhile(org, monkeypatch):
    """A concurrent run stored one of the rows after the lookup: the rest still go in, and
    the count is exact."""
    u = org.users
    NotificationFactory(recipient=u.sales1, key="race")
    real_filter = Notification.objects.filter

    class Blind:
        def values_list(self, *args, **kwargs):
            return []

    monkeypatch.setattr(
        Notification.objects,
        "filter",
        lambda *a, **kw: Blind() if "key__in" in kw else real_filter(*a, **kw),
    )
    made = notify([_note(u.sales1, key="race"), _note(u.sales1, key="fresh")])
    monkeypatch.undo()
    assert made == 1
    assert set(Notification.objects.values_list("key", flat=True)) == {"race", "fresh"}


def test_mark_read_only_own(org):
    u = org.users
    mine = [NotificationFactory(recipient=u.sales1) for _ in range(3)]
    theirs = NotificationFactory(recipient=u.sales2)
    assert unread_count(reader=u.sales1) == 3
    assert mark_read(reader=u.sales1, ids=[mine[0].pk, theirs.pk, "junk", None]) == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert unread_count(reader=u.sales1) == 2 and unread_count(reader=u.sales2) == 1
    assert mark_read(reader=u.sales1, ids=[str(mine[0].pk)]) == 0  # already read
    assert mark_read(reader=u.sales1) == 2
    assert unread_count(reader=u.sales1) == 0 and unread_count(reader=u.sales2) == 1
    assert mark_unread(reader=u.sales1, ids=[mine[1].pk, theirs.pk, "x"]) == 1
    assert unread_count(reader=u.sales1) == 1
    assert mark_unread(reader=u.sales2, ids=[mine[2].pk]) == 0
    assert Notification.objects.get(pk=mine[2].pk).read_at is not None


def test_list_filters_and_access(org):
    u = org.users
    old = NotificationFactory(recipient=u.sales1, kind="care_due", read_at=timezone.now())
    new = NotificationFactory(recipient=u.sales1, kind="task_due")
    theirs = NotificationFactory(recipient=u.sales2)
    assert list(notification_list(reader=u.sales1)) == [new, old]
    assert list(notification_list(reader=u.sales1, unread=True)) == [new]
    assert list(notification_list(reader=u.sales1, unread=False)) == [old]
    assert list(notification_list(reader=u.sales1, kind="care_due")) == [old]
    assert list(notification_list(reader=u.sales1, kind="bogus")) == [new, old]
    assert access_notification(reader=u.sales1, pk=str(new.pk)) == new
    for pk in (theirs.pk, "abc", None, 10**9):
        with pytest.raises(Http404):
            access_notification(reader=u.sales1, pk=pk)


# Each kind with the parameters its sender gives it.
SENT = {
    NotificationKind.TASK_DUE: ("拜访", {"id": 1, "customer": "甲公司"}),
    NotificationKind.APPROVAL_WAITING: ("HT-2026-001", {"id": 1, "customer": "甲公司"}),
    NotificationKind.REQUEST_ASSIGNED: ("SR-2026-00001", {"id": 1, "customer": "甲公司"}),
    NotificationKind.REQUEST_AT_RISK: ("SR-2026-00001", {"id": 1, "customer": "甲公司"}),
    NotificationKind.REQUEST_BREACHED: ("SR-2026-00001", {"id": 1, "customer": "甲公司"}),
    NotificationKind.COMPLAINT: ("SR-2026-00001", {"id": 1, "customer": "甲公司"}),
    NotificationKind.REQUEST_CLOSED: (
        "SR-2026-00001",
        {"id": 1, "customer": "甲公司", "score": 4},
    ),
    NotificationKind.CARE_DUE: ("甲公司", {"id": 1, "care": "birthday", "due": "2026-06-10"}),
    NotificationKind.CHURN_WARNING: ("甲公司", {"id": 1, "days": 180}),
}


def test_every_kind_has_a_sender_shape_and_a_target():
    assert set(SENT) == set(NotificationKind)
    assert set(TARGETS) == set(NotificationKind)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_message_renders_every_kind(org, kind, language):
    subject, params = SENT[kind]
    notification = NotificationFactory(
        recipient=org.users.sales1, kind=kind, subject=subject, params=params
    )
    with translation.override(language):
        text = message(notification)
        fallback = f"{notification.get_kind_display()}: {subject}"
    assert subject in text
    assert text != fallback  # the sentence, not the fallback
    assert "%(" not in text


def test_message_examples_in_english(org):
    def say(kind):
        subject, params = SENT[kind]
        with translation.override("en"):
            return message(Notification(kind=kind, subject=subject, params=params))

    assert say("request_closed") == ("Request SR-2026-00001 (甲公司) was closed; satisfaction 4/5.")
    assert say("care_due") == "Birthday greeting for 甲公司 is due on 2026-06-10."
    assert say("churn_warning") == "甲公司 has had no order and no contact for 180 days."


@pytest.mark.parametrize(
    "params", [{}, {"id": 1}, {"care": "bogus", "due": "x"}, {"customer": None}]
)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_message_with_missing_params_falls_back(kind, params):
    text = message(Notification(kind=kind, subject="S", params=params))
    assert "S" in text


def test_target_url_of_each_kind(org):
    for kind, name in TARGETS.items():
        notification = Notification(kind=kind, params={"id": 7})
        assert target_url(notification) == reverse(name, args=[7]), kind
    assert target_url(Notification(kind="task_due", params={})) == ""
    assert target_url(Notification(kind="bogus", params={"id": 1})) == ""


def test_notify_reads_a_generator_in_chunks(org):
    """The scheduled work hands notify a generator over a large table: it is read a chunk at
    a time, and a repeat in a later chunk is still stored once."""
    u = org.users
    notes = (_note(u.sales1, key=f"k:{i % 700}") for i in range(1400))
    assert notify(notes) == 700
    assert Notification.objects.filter(recipient=u.sales1).count() == 700
