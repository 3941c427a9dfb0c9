"""Customer care pages (客户关怀): care actions (due, upcoming, finished), the churn warning
list, lost customers with win-back actions, and marking a customer lost. Thin views over
guanxi.service selectors (scoped reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.common import clock
from guanxi.common.history import history_rows
from guanxi.common.selectors import object_history
from guanxi.common.versioning import Conflict
from guanxi.customers import selectors as customer_selectors
from guanxi.customers import services as customer_services
from guanxi.customers.enums import CustomerStatus
from guanxi.service import selectors
from guanxi.service.enums import CareStatus
from guanxi.service.services import care as services

from ..conflicts import posted_version, render_conflict, stale_action_message
from ..forms_care import (
    CARE_VIEWS,
    CareFilterForm,
    CareForm,
    FinishCareForm,
    MarkLostForm,
    SearchForm,
    WinBackForm,
)
from ..forms_sales import wider_than_own
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate
from .opportunities import check_customer_param

VIEW_KEYS = {key for key, _label in CARE_VIEWS}


def get_care(request: HttpRequest, pk: Any) -> Any:
    """403 without the view permission, 404 outside the reader's scope."""
    require(request.user, Module.CARE, Action.VIEW)
    return selectors.access_care(reader=request.user, pk=pk)


def _url_with(name: str, **params: Any) -> str:
    """The page's address with a query, or "" when the page does not exist (yet)."""
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode(params)}" if params else base


# --- care actions ------------------------------------------------------------------------


@login_required
def care_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.CARE, Action.VIEW)
    check_customer_param(request)
    view = request.GET.get("view") or "due"
    if view not in VIEW_KEYS:
        view = "due"
    team_toggle = wider_than_own(user, Module.CARE)
    mine = team_toggle and request.GET.get("mine", "1") != "0"
    form = CareFilterForm(request.GET or None, reader=user, mine=mine)
    search, filters = "", {}
    if form.is_valid():
        search, filters = form.cleaned_data.get("q") or "", form.filters()
    if mine:
        filters["assignee"] = user.pk
    today = clock.localdate()
    qs = selectors.care_list(reader=user, view=view, filters=filters, today=today, search=search)
    return render(
        request,
        "web/care/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "view": view,
            "views": CARE_VIEWS,
            "mine": mine,
            "team_toggle": team_toggle,
            "today": today,
        },
    )


def _save(request: HttpRequest, action: Any = None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if action is None:
        customer_id = (request.GET.get("customer") or "").strip()
        if customer_id:
            initial["customer"] = customer_selectors.access_customer_by_id(
                reader=request.user, customer_id=customer_id
            )
    form = CareForm(request.POST or None, instance=action, initial=initial, reader=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if action is None:
                saved = services.care_create(actor=request.user, **form.service_fields())
                messages.success(request, _("Care action “%s” created.") % saved)
            else:
                saved = services.care_update(
                    actor=request.user,
                    action=action,
                    expected_version=form.expected_version,
                    **form.service_fields(),
                )
                messages.success(request, _("Care action “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = get_care(request, action.pk)
            return render_conflict(
                request,
                "web/care/form.html",
                {"action": current, "next": safe_next(request, "")},
                exc=exc,
                current=current,
                make_form=lambda data: CareForm(data, instance=current, reader=request.user),
            )
        else:
            return redirect(safe_next(request, reverse("web:care_detail", args=[saved.pk])))
    return render(
        request,
        "web/care/form.html",
        {"form": form, "action": action, "next": safe_next(request, "")},
    )


@login_required
def care_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CARE, Action.CREATE)
    return _save(request)


@login_required
def care_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_care(request, pk)
    require(request.user, Module.CARE, Action.CHANGE)
    if action.status != CareStatus.PENDING:
        messages.error(request, _("This care action is finished."))
        return redirect("web:care_detail", pk=action.pk)
    return _save(request, action)


def _detail(request: HttpRequest, action: Any, finish_form: Any = None) -> HttpResponse:
    page = paginate(request, object_history(action), 20)
    return render(
        request,
        "web/care/detail.html",
        {
            "action": action,
            "finish_form": finish_form or FinishCareForm(),
            "today": clock.localdate(),
            "page_obj": page,
            "history_rows": history_rows(page.object_list),
        },
    )


@login_required
def care_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_care(request, pk))


def _finish(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    action = get_care(request, pk)
    require(request.user, Module.CARE, Action.CHANGE)
    form = FinishCareForm(request.POST)
    if form.is_valid():
        try:
            service(
                actor=request.user,
                action=action,
                note=form.cleaned_data["note"],
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, action))
            return redirect("web:care_detail", pk=action.pk)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("web:care_detail", pk=action.pk)
            add_service_errors(form, exc, default_field="note")
        else:
            messages.success(request, done)
            return redirect(safe_next(request, reverse("web:care_detail", args=[action.pk])))
    return _detail(request, action, finish_form=form)


@login_required
@require_POST
def care_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, services.care_done, _("Care action done."))


@login_required
@require_POST
def care_skip_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _finish(request, pk, services.care_skip, _("Care action skipped."))


@login_required
@require_POST
def care_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_care(request, pk)
    require(request.user, Module.CARE, Action.DELETE)
    try:
        services.care_delete(
            actor=request.user, action=action, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, action))
        return redirect("web:care_detail", pk=action.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:care_detail", pk=action.pk)
    messages.success(request, _("Care action “%s” deleted.") % action)
    return redirect(safe_next(request, reverse("web:care_list")))


# --- churn warning and lost customers ----------------------------------------------------


def _search(form: SearchForm) -> str:
    return (form.cleaned_data.get("q") or "") if form.is_valid() else ""


@login_required
def churn_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.CARE, Action.VIEW)
    form = SearchForm(request.GET or None)
    search = _search(form)
    days = selectors.service_settings().churn_days
    page = paginate(request, selectors.churn_list(reader=user, days=days, search=search))
    rows = [(customer, selectors.last_activity(customer)) for customer in page.object_list]
    return render(
        request,
        "web/care/churn.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "days": days,
            "feedback_url": _url_with("web:feedback_create"),
            "task_url": _url_with("web:task_create"),
        },
    )


@login_required
def lost_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.CARE, Action.VIEW)
    form = SearchForm(request.GET or None)
    search = _search(form)
    page = paginate(request, selectors.lost_list(reader=user, search=search))
    return render(
        request,
        "web/care/lost.html",
        {"form": form, "page_obj": page, "today": clock.localdate()},
    )


def _get_customer(request: HttpRequest, pk: Any) -> Any:
    require(request.user, Module.CUSTOMERS, Action.VIEW)
    return customer_selectors.access_customer_by_id(reader=request.user, customer_id=pk)


@login_required
def customer_mark_lost_view(request: HttpRequest, pk: int) -> HttpResponse:
    """流失: POST the reason; a GET (or a refused POST) shows the form on its own page."""
    customer = _get_customer(request, pk)
    require(request.user, Module.CUSTOMERS, Action.CHANGE)
    back = reverse("web:customer_detail", args=[customer.pk])
    if customer.status == CustomerStatus.LOST:
        messages.info(request, _("This customer is already marked lost."))
        return redirect(safe_next(request, back))
    form = MarkLostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            customer_services.customer_mark_lost(
                actor=request.user,
                customer=customer,
                reason=form.cleaned_data["reason"],
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, customer))
            return redirect(back)
        except ValidationError as exc:
            add_service_errors(form, exc, default_field="reason")
        else:
            messages.success(request, _("“%s” is marked lost.") % customer.name)
            return redirect(safe_next(request, back))
    return render(
        request,
        "web/care/mark_lost.html",
        {"form": form, "customer": customer, "next": safe_next(request, "")},
    )


@login_required
def care_win_back_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A win-back action for a lost customer: POST due date and note; a GET (or a refused
    POST) shows the form on its own page."""
    customer = _get_customer(request, pk)
    require(request.user, Module.CARE, Action.CREATE)
    form = WinBackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.win_back_create(
                actor=request.user,
                customer=customer,
                due_date=form.cleaned_data["due_date"],
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)  # "not lost", "no owner": above the form
        else:
            messages.success(request, _("Win-back action “%s” created.") % action)
            return redirect(safe_next(request, reverse("web:care_detail", args=[action.pk])))
    return render(
        request,
        "web/care/win_back.html",
        {"form": form, "customer": customer, "next": safe_next(request, "")},
    )
