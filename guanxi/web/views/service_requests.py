"""Service request pages: list, open, detail with the moves valid for the status (assign,
start, resolve, close, reopen), edit, delete; the agent's queue and the team queue. Thin
views over guanxi.service selectors (scoped reads) and services (writes and every rule)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common import clock
from guanxi.common.history import history_rows
from guanxi.common.versioning import Conflict
from guanxi.customers import selectors as customer_selectors
from guanxi.service import selectors
from guanxi.service.enums import OPEN_STATUSES, RequestStatus
from guanxi.service.services import requests as services

from ..conflicts import posted_version, render_conflict, stale_action_message
from ..forms_service import (
    AssignForm,
    CloseForm,
    ReopenForm,
    RequestFilterForm,
    RequestForm,
    ResolveForm,
)
from ..helpers import add_service_errors, require
from ..pagination import paginate
from .opportunities import check_customer_param


def get_request(request: HttpRequest, pk: Any) -> Any:
    """403 without the view permission, 404 outside the reader's scope."""
    require(request.user, Module.SERVICE_REQUESTS, Action.VIEW)
    return selectors.access_request(reader=request.user, pk=pk)


def with_sla(page: Any, now: Any = None) -> Any:
    """Give each request of the page its SLA state (`row.sla`), computed in Python."""
    now = now or clock.now()
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row.sla = row.sla_state(now)
    return page


# --- lists -------------------------------------------------------------------------------


@login_required
def request_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.SERVICE_REQUESTS, Action.VIEW)
    check_customer_param(request)
    form = RequestFilterForm(request.GET or None, reader=user)
    search, filters, ordering = "", {}, "-id"
    if form.is_valid():
        search, filters = form.cleaned_data.get("q") or "", form.filters()
        ordering = form.cleaned_data.get("ordering") or "-id"
    now = clock.now()
    qs = selectors.request_list(
        reader=user, search=search, filters=filters, ordering=ordering, now=now
    )
    return render(
        request,
        "web/service_requests/list.html",
        {"form": form, "page_obj": with_sla(paginate(request, qs), now)},
    )


@login_required
def my_queue_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.SERVICE_REQUESTS, Action.VIEW)
    page = with_sla(paginate(request, selectors.my_queue(reader=request.user)))
    return render(request, "web/service_requests/my_queue.html", {"page_obj": page})


@login_required
def team_queue_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.SERVICE_REQUESTS, Action.VIEW)
    if not selectors.can_dispatch(user):
        raise PermissionDenied
    assignee = (request.GET.get("assignee") or "").strip()
    qs = selectors.team_queue(reader=user, assignee=assignee or None)
    load = selectors.team_load(reader=user)
    totals = {key: sum(row[key] for row in load) for key in ("open", "at_risk", "breached")}
    return render(
        request,
        "web/service_requests/team_queue.html",
        {
            "page_obj": with_sla(paginate(request, qs)),
            "load": load,
            "totals": totals,
            "assignee": assignee,
        },
    )


# --- create and edit ---------------------------------------------------------------------


def _save(request: HttpRequest, sr: Any = None) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {}
    if sr is None:
        customer_id = (request.GET.get("customer") or "").strip()
        if customer_id:
            initial["customer"] = customer_selectors.access_customer_by_id(
                reader=user, customer_id=customer_id
            )
    form = RequestForm(
        request.POST or None,
        instance=sr,
        initial=initial,
        reader=user,
        dispatcher=selectors.can_dispatch(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if sr is None:
                saved = services.request_create(
                    actor=user,
                    assignee=form.cleaned_data.get("assignee"),
                    **form.service_fields(),
                )
                messages.success(request, _("Service request %s opened.") % saved.number)
            else:
                saved = services.request_update(
                    actor=user,
                    request=sr,
                    expected_version=form.expected_version,
                    **form.service_fields(),
                )
                messages.success(request, _("Service request %s saved.") % saved.number)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = get_request(request, sr.pk)
            return render_conflict(
                request,
                "web/service_requests/form.html",
                {"sr": current},
                exc=exc,
                current=current,
                make_form=lambda data: RequestForm(
                    data,
                    instance=current,
                    reader=user,
                    dispatcher=selectors.can_dispatch(user),
                ),
            )
        else:
            return redirect("web:service_request_detail", pk=saved.pk)
    return render(request, "web/service_requests/form.html", {"form": form, "sr": sr})


@login_required
def request_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.SERVICE_REQUESTS, Action.CREATE)
    return _save(request)


@login_required
def request_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    sr = get_request(request, pk)
    require(request.user, Module.SERVICE_REQUESTS, Action.CHANGE)
    if sr.status == RequestStatus.CLOSED:
        messages.error(request, _("A closed request cannot be edited; reopen it first."))
        return redirect("web:service_request_detail", pk=sr.pk)
    return _save(request, sr)


# --- detail and moves --------------------------------------------------------------------


def _moves(user: Any, sr: Any) -> dict[str, bool]:
    """Which action forms the detail page offers for the request's status and the user."""
    change = can(user, Module.SERVICE_REQUESTS, Action.CHANGE)
    dispatcher = selectors.can_dispatch(user)
    worker = sr.assignee_id == user.pk or dispatcher
    is_open = sr.status in OPEN_STATUSES
    mine = sr.assignee_id == user.pk
    return {
        "assign": change and dispatcher and is_open,
        "take": change
        and not dispatcher
        and is_open
        and (sr.assignee_id is None or (mine and sr.status == RequestStatus.NEW)),
        "start": change and worker and sr.status == RequestStatus.ASSIGNED,
        "resolve": change and worker and sr.status == RequestStatus.IN_PROGRESS,
        "close": change and sr.status == RequestStatus.RESOLVED,
        "reopen": change and sr.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED),
        "edit": change and sr.status != RequestStatus.CLOSED,
        "delete": can(user, Module.SERVICE_REQUESTS, Action.DELETE)
        and sr.status == RequestStatus.NEW,
    }


def _detail(request: HttpRequest, sr: Any, **forms: Any) -> HttpResponse:
    moves = _moves(request.user, sr)
    page = paginate(request, selectors.request_history(request=sr), 20)
    context: dict[str, Any] = {
        "sr": sr,
        "sla": sr.sla_state(clock.now()),
        "moves": moves,
        "any_move": any(
            moves[k] for k in ("assign", "take", "start", "resolve", "close", "reopen")
        ),
        "assign_form": forms.get("assign_form")
        or (
            AssignForm(initial={"assignee": sr.assignee_id}, reader=request.user)
            if moves["assign"]
            else None
        ),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "page_obj": page,
        "history_rows": history_rows(page.object_list),
    }
    return render(request, "web/service_requests/detail.html", context)


@login_required
def request_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_request(request, pk))


def _move(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[BaseForm] | None,
    form_name: str,
    default_field: str | None,
    call: Callable[[Any, dict[str, Any], int | None], Any],
    done: str,
) -> HttpResponse:
    """Run one move: its form parses, the service decides (from the version the page showed:
    a move over a newer one is refused with who changed it). A field error is shown next to
    the field on the detail page; any other refusal as a message. PermissionDenied (403) and
    Http404 pass through."""
    sr = get_request(request, pk)
    require(request.user, Module.SERVICE_REQUESTS, Action.CHANGE)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            call(sr, form.cleaned_data if form is not None else {}, posted_version(request))
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, sr))
            return redirect("web:service_request_detail", pk=sr.pk)
        except ValidationError as exc:
            if form is None or not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("web:service_request_detail", pk=sr.pk)
            add_service_errors(form, exc, default_field=default_field)
        else:
            messages.success(request, done)
            return redirect("web:service_request_detail", pk=sr.pk)
    return _detail(request, sr, **{form_name: form})


@login_required
@require_POST
def request_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _move(
        request,
        pk,
        form_class=partial(AssignForm, reader=user),
        form_name="assign_form",
        default_field="assignee",
        call=lambda sr, data, version: services.request_assign(
            actor=user, request=sr, expected_version=version, assignee=data["assignee"]
        ),
        done=_("Request assigned."),
    )


@login_required
@require_POST
def request_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _move(
        request,
        pk,
        form_class=None,
        form_name="",
        default_field=None,
        call=lambda sr, data, version: services.request_start(
            actor=user, request=sr, expected_version=version
        ),
        done=_("Work on the request started."),
    )


@login_required
@require_POST
def request_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _move(
        request,
        pk,
        form_class=ResolveForm,
        form_name="resolve_form",
        default_field="resolution",
        call=lambda sr, data, version: services.request_resolve(
            actor=user, request=sr, expected_version=version, resolution=data["resolution"]
        ),
        done=_("Request resolved."),
    )


@login_required
@require_POST
def request_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _move(
        request,
        pk,
        form_class=CloseForm,
        form_name="close_form",
        default_field="satisfaction",
        call=lambda sr, data, version: services.request_close(
            actor=user,
            request=sr,
            expected_version=version,
            satisfaction=data["satisfaction"],
            comment=data["comment"],
        ),
        done=_("Request closed."),
    )


@login_required
@require_POST
def request_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _move(
        request,
        pk,
        form_class=ReopenForm,
        form_name="reopen_form",
        default_field="reason",
        call=lambda sr, data, version: services.request_reopen(
            actor=user, request=sr, expected_version=version, reason=data["reason"]
        ),
        done=_("Request reopened."),
    )


@login_required
@require_POST
def request_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    sr = get_request(request, pk)
    require(request.user, Module.SERVICE_REQUESTS, Action.DELETE)
    try:
        services.request_delete(
            actor=request.user, request=sr, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, sr))
        return redirect("web:service_request_detail", pk=sr.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:service_request_detail", pk=sr.pk)
    messages.success(request, _("Service request %s deleted.") % sr.number)
    return redirect("web:service_request_list")
