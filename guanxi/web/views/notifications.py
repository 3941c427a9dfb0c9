"""The notification centre (通知): a user's own notifications, read one by opening it, mark one
or all read, and the bell's unread badge. The badge is its own small endpoint that the bell
loads with htmx, so that no page spends a query on it. Someone else's notification is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from guanxi.notifications import selectors, services

from ..helpers import safe_next
from ..pagination import paginate

# The badge counts up to this and shows "99+" beyond: it is asked for every minute on every
# open page, so it never counts a whole inbox.
BADGE_CAP = 99
# htmx event the bell listens to, sent when notifications were marked read.
CHANGED_EVENT = "notifications-changed"
SHOWS = ("all", "unread")


def _rows(notifications: object) -> list[dict[str, object]]:
    return [{"n": n, "message": selectors.message(n)} for n in notifications]


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show") or "all"
    if show not in SHOWS:
        show = "all"
    qs = selectors.notification_list(reader=request.user, unread=True if show == "unread" else None)
    page = paginate(request, qs)
    return render(
        request,
        "web/notifications/list.html",
        {"page_obj": page, "rows": _rows(page.object_list), "show": show},
    )


@login_required
@require_GET
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: mark it read and go to the record it is about."""
    notification = selectors.access_notification(reader=request.user, pk=pk)
    services.mark_read(reader=request.user, ids=[notification.pk])
    return redirect(selectors.target_url(notification) or reverse("web:notification_list"))


@login_required
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.access_notification(reader=request.user, pk=pk)
    services.mark_read(reader=request.user, ids=[notification.pk])
    if request.headers.get("HX-Request"):
        notification.refresh_from_db()
        response = render(
            request,
            "web/notifications/row.html",
            {"row": _rows([notification])[0]},
        )
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect(safe_next(request, reverse("web:notification_list")))


@login_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(reader=request.user)
    if count:
        messages.success(request, _("All notifications marked read."))
    return redirect(safe_next(request, reverse("web:notification_list")))


@never_cache
@require_GET
def notification_badge_view(request: HttpRequest) -> HttpResponse:
    """The bell's unread count as an HTML fragment (empty when none). Signed out: nothing to
    swap in (204) rather than a redirect to the login page."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    unread = selectors.notification_list(reader=request.user, unread=True).order_by()
    count = unread[: BADGE_CAP + 1].count()
    return render(
        request,
        "web/notifications/badge.html",
        {"count": count, "capped": count > BADGE_CAP, "cap": BADGE_CAP},
    )
