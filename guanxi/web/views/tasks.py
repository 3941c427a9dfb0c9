"""Task progress pages: my tasks by period, a customer's tasks, complete and reopen."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.common import clock
from guanxi.common.history import history_rows
from guanxi.common.selectors import object_history
from guanxi.common.versioning import Conflict
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors
from guanxi.sales.services import tasks as services

from ..conflicts import posted_version, render_conflict, stale_action_message
from ..forms_sales import TASK_PERIODS, CompleteTaskForm, TaskFilterForm, TaskForm, wider_than_own
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate
from .opportunities import check_customer_param

PERIOD_KEYS = {key for key, _label in TASK_PERIODS}


def get_task(request: HttpRequest, pk: Any) -> Any:
    """403 without the view permission, 404 outside the reader's scope."""
    require(request.user, Module.TASKS, Action.VIEW)
    return selectors.access_task_by_id(reader=request.user, task_id=pk)


@login_required
def task_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Module.TASKS, Action.VIEW)
    check_customer_param(request)
    period = request.GET.get("period") or "today"
    if period not in PERIOD_KEYS:
        period = "today"
    team_toggle = wider_than_own(user, Module.TASKS)
    mine = not team_toggle or request.GET.get("mine", "1") != "0"
    form = TaskFilterForm(request.GET or None, reader=user)
    search, filters = "", {}
    if form.is_valid():
        search, filters = form.cleaned_data.get("q") or "", form.filters()
    today = clock.localdate()
    qs = selectors.task_list(
        reader=user,
        search=search,
        filters=filters,
        period="" if period == "all" else period,
        mine=mine and team_toggle,
        today=today,
    )
    return render(
        request,
        "web/tasks/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "period": period,
            "periods": TASK_PERIODS,
            "mine": mine,
            "team_toggle": team_toggle,
            "today": today,
        },
    )


def _save(request: HttpRequest, task: Any = None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if task is None:
        opportunity_id = (request.GET.get("opportunity") or "").strip()
        customer_id = (request.GET.get("customer") or "").strip()
        if opportunity_id:
            opportunity = selectors.access_opportunity_by_id(
                reader=request.user, opportunity_id=opportunity_id
            )
            initial.update(customer=opportunity.customer, opportunity=opportunity.pk)
        elif customer_id:
            initial["customer"] = customer_selectors.access_customer_by_id(
                reader=request.user, customer_id=customer_id
            )
    form = TaskForm(request.POST or None, instance=task, initial=initial, reader=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if task is None:
                saved = services.task_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Task “%s” created.") % saved)
            else:
                saved = services.task_update(
                    actor=request.user,
                    task=task,
                    expected_version=form.expected_version,
                    **form.cleaned_data,
                )
                messages.success(request, _("Task “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = get_task(request, task.pk)
            return render_conflict(
                request,
                "web/tasks/form.html",
                {"task": current, "next": safe_next(request, "")},
                exc=exc,
                current=current,
                make_form=lambda data: TaskForm(data, instance=current, reader=request.user),
            )
        else:
            return redirect(safe_next(request, reverse("web:task_detail", args=[saved.pk])))
    return render(
        request,
        "web/tasks/form.html",
        {"form": form, "task": task, "next": safe_next(request, "")},
    )


@login_required
def task_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.TASKS, Action.CREATE)
    return _save(request)


@login_required
def task_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request, pk)
    require(request.user, Module.TASKS, Action.CHANGE)
    return _save(request, task)


def _detail(request: HttpRequest, task: Any, complete_form: Any = None) -> HttpResponse:
    page = paginate(request, object_history(task), 20)
    return render(
        request,
        "web/tasks/detail.html",
        {
            "task": task,
            "complete_form": complete_form or CompleteTaskForm(),
            "today": clock.localdate(),
            "page_obj": page,
            "history_rows": history_rows(page.object_list),
        },
    )


@login_required
def task_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request, pk)
    return _detail(request, task)


@login_required
@require_POST
def task_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request, pk)
    require(request.user, Module.TASKS, Action.CHANGE)
    form = CompleteTaskForm(request.POST)
    if form.is_valid():
        try:
            services.task_complete(
                actor=request.user,
                task=task,
                result=form.cleaned_data["result"],
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, task))
            return redirect("web:task_detail", pk=task.pk)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect("web:task_detail", pk=task.pk)
            add_service_errors(form, exc, default_field="result")
        else:
            messages.success(request, _("Task done."))
            return redirect(safe_next(request, reverse("web:task_detail", args=[task.pk])))
    return _detail(request, task, complete_form=form)


@login_required
@require_POST
def task_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request, pk)
    require(request.user, Module.TASKS, Action.CHANGE)
    try:
        services.task_reopen(
            actor=request.user, task=task, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, task))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Task reopened."))
    return redirect("web:task_detail", pk=task.pk)


@login_required
@require_POST
def task_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request, pk)
    require(request.user, Module.TASKS, Action.DELETE)
    try:
        services.task_delete(
            actor=request.user, task=task, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, task))
        return redirect("web:task_detail", pk=task.pk)
    messages.success(request, _("Task “%s” deleted.") % task)
    return redirect(safe_next(request, reverse("web:task_list")))
