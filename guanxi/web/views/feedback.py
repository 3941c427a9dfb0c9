"""Interaction feedback pages (交往反馈): list, record, detail with history, edit, delete; and
the options of the customer-dependent selects shared with the service request form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common.history import history_rows
from guanxi.common.selectors import object_history
from guanxi.customers import selectors as customer_selectors
from guanxi.service import selectors
from guanxi.service.services import feedback as services

from ..forms_service import (
    FeedbackFilterForm,
    FeedbackForm,
    customer_contacts,
    customer_contracts,
    customer_from_params,
)
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate
from .opportunities import check_customer_param


def get_feedback(request: HttpRequest, pk: Any) -> Any:
    """403 without the view permission, 404 outside the reader's scope."""
    require(request.user, Module.FEEDBACK, Action.VIEW)
    return selectors.access_feedback(reader=request.user, pk=pk)


@login_required
def feedback_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.FEEDBACK, Action.VIEW)
    check_customer_param(request)
    form = FeedbackFilterForm(request.GET or None, reader=user)
    search, filters = "", {}
    if form.is_valid():
        search, filters = form.cleaned_data.get("q") or "", form.filters()
    qs = selectors.feedback_list(reader=user, search=search, filters=filters)
    return render(
        request, "web/feedback/list.html", {"form": form, "page_obj": paginate(request, qs)}
    )


def _save(request: HttpRequest, feedback: Any = None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if feedback is None:
        customer_id = (request.GET.get("customer") or "").strip()
        if customer_id:
            initial["customer"] = customer_selectors.access_customer_by_id(
                reader=request.user, customer_id=customer_id
            )
    form = FeedbackForm(
        request.POST or None, instance=feedback, initial=initial, reader=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            if feedback is None:
                saved = services.feedback_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Feedback recorded."))
            else:
                saved = services.feedback_update(
                    actor=request.user, feedback=feedback, **form.cleaned_data
                )
                messages.success(request, _("Feedback saved."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(safe_next(request, reverse("web:feedback_detail", args=[saved.pk])))
    return render(
        request,
        "web/feedback/form.html",
        {"form": form, "feedback": feedback, "next": safe_next(request, "")},
    )


@login_required
def feedback_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.FEEDBACK, Action.CREATE)
    return _save(request)


@login_required
def feedback_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request, pk)
    require(request.user, Module.FEEDBACK, Action.CHANGE)
    return _save(request, feedback)


@login_required
def feedback_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request, pk)
    page = paginate(request, object_history(feedback), 20)
    return render(
        request,
        "web/feedback/detail.html",
        {"feedback": feedback, "page_obj": page, "history_rows": history_rows(page.object_list)},
    )


@login_required
@require_POST
def feedback_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_feedback(request, pk)
    require(request.user, Module.FEEDBACK, Action.DELETE)
    try:
        services.feedback_delete(actor=request.user, feedback=feedback)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("web:feedback_detail", pk=feedback.pk)
    messages.success(request, _("Feedback deleted."))
    return redirect(safe_next(request, reverse("web:feedback_list")))


# --- the customer's contacts and contracts for the forms' selects (htmx) -----------------


@login_required
@require_GET
def customer_options_view(request: HttpRequest) -> HttpResponse:
    """<option>s of the customer's contacts (field=contact) or the contracts the reader may
    see (field=contract), for a form whose customer picker changed."""
    user = request.user
    if not any(
        can(user, module, action)
        for module in (Module.FEEDBACK, Module.SERVICE_REQUESTS)
        for action in (Action.CREATE, Action.CHANGE)
    ):
        raise PermissionDenied
    customer = customer_from_params(user, request.GET)
    field = request.GET.get("field")
    if field == "contract" and can(user, Module.CONTRACTS, Action.VIEW):
        options = customer_contracts(user, customer)[:200]
    elif field == "contact":
        options = customer_contacts(customer)[:200]
    else:
        options = []
    return render(request, "web/feedback/options.html", {"options": options})
