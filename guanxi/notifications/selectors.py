"""Reading notifications: a user reads their own, nobody else's (another's id is a 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Notification, NotificationKind


def notification_list(*, reader: Any, unread: bool | None = None, kind: str = "") -> QuerySet:
    qs = Notification.objects.filter(recipient=reader)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    if kind in NotificationKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def unread_count(*, reader: Any) -> int:
    return Notification.objects.filter(recipient=reader, read_at__isnull=True).count()


def access_notification(*, reader: Any, pk: Any) -> Notification:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = Notification.objects.filter(recipient=reader, pk=pk).first()
    if found is None:
        raise Http404
    return found


# The page each kind links to, and the parameter holding the record's id.
TARGETS = {
    NotificationKind.TASK_DUE: "web:task_detail",
    NotificationKind.APPROVAL_WAITING: "web:contract_detail",
    NotificationKind.REQUEST_ASSIGNED: "web:service_request_detail",
    NotificationKind.REQUEST_AT_RISK: "web:service_request_detail",
    NotificationKind.REQUEST_BREACHED: "web:service_request_detail",
    NotificationKind.COMPLAINT: "web:service_request_detail",
    NotificationKind.REQUEST_CLOSED: "web:service_request_detail",
    NotificationKind.CARE_DUE: "web:care_detail",
    NotificationKind.CHURN_WARNING: "web:customer_detail",
}


def target_url(notification: Notification) -> str:
    """The page of the record the notification is about ("" when it has none)."""
    from django.urls import NoReverseMatch, reverse

    name = TARGETS.get(notification.kind)
    params = notification.params or {}
    pk = params.get("id")
    if notification.kind == NotificationKind.CARE_DUE and "count" in params:
        try:
            return reverse("web:care_list") + f"?view=due&kind={params.get('care', '')}&mine=1"
        except NoReverseMatch:
            return ""
    if not name or pk is None:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def message(notification: Notification) -> str:
    """The notification as a sentence in the reader's language."""
    p = {"subject": notification.subject, **(notification.params or {})}
    kind = notification.kind
    try:
        if kind == NotificationKind.TASK_DUE:
            return _("Task due today: %(subject)s (%(customer)s)") % p
        if kind == NotificationKind.APPROVAL_WAITING:
            return _("Contract %(subject)s for %(customer)s is waiting for your approval.") % p
        if kind == NotificationKind.REQUEST_ASSIGNED:
            return _("Service request %(subject)s (%(customer)s) was assigned to you.") % p
        if kind == NotificationKind.REQUEST_AT_RISK:
            return _("Service request %(subject)s (%(customer)s) is close to its due time.") % p
        if kind == NotificationKind.REQUEST_BREACHED:
            return _("Service request %(subject)s (%(customer)s) is past its due time.") % p
        if kind == NotificationKind.COMPLAINT:
            return _("Your customer %(customer)s filed complaint %(subject)s.") % p
        if kind == NotificationKind.REQUEST_CLOSED:
            return _("Request %(subject)s (%(customer)s) was closed; satisfaction %(score)s/5.") % p
        if kind == NotificationKind.CARE_DUE:
            from guanxi.service.enums import CareKind

            if "count" in p:  # the holiday greetings of one day, together
                return _("%(count)s holiday greetings for %(subject)s are due on %(due)s.") % p

            p["care"] = CareKind(p.get("care", CareKind.FOLLOW_UP)).label
            return _("%(care)s for %(subject)s is due on %(due)s.") % p
        if kind == NotificationKind.CHURN_WARNING:
            return _("%(subject)s has had no order and no contact for %(days)s days.") % p
    except (KeyError, ValueError, TypeError):
        pass
    return f"{notification.get_kind_display()}: {notification.subject}"
