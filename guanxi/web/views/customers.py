"""Customer pages: thin views over guanxi.customers selectors (reads, scoped) and services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module, Scope
from guanxi.accounts.rules import can, scope_of
from guanxi.common import clock
from guanxi.common.history import history_rows
from guanxi.common.versioning import Conflict
from guanxi.customers import selectors, services, timeline
from guanxi.customers.enums import ReviewStatus
from guanxi.sales import selectors as sales_selectors

from ..conflicts import posted_version, render_conflict, stale_action_message
from ..forms_customers import CustomerFilterForm, CustomerForm, ReviewForm
from ..helpers import add_service_errors, require
from ..pagination import paginate

SORTABLE = [
    ("code", gettext_lazy("Code")),
    ("name", gettext_lazy("Name")),
    ("status", gettext_lazy("Status")),
    ("owner", gettext_lazy("Owner")),
    ("updated_at", gettext_lazy("Updated")),
]


@login_required
def customer_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CUSTOMERS, Action.VIEW)
    form = CustomerFilterForm(request.GET or None, reader=request.user)
    filters: dict[str, Any] = {}
    search = ""
    if form.is_valid():
        data = form.cleaned_data
        search = data.get("q") or ""
        filters = {name: data.get(name) for name in selectors.CUSTOMER_FILTERS}
    ordering = request.GET.get("ordering") or "-id"
    qs = selectors.customer_list(
        reader=request.user, search=search, filters=filters, ordering=ordering
    )
    page = paginate(request, qs)
    return render(
        request,
        "web/customers/list.html",
        {"form": form, "page_obj": page, "ordering": ordering, "sortable": SORTABLE},
    )


def _duplicate_context(request: HttpRequest, form: CustomerForm, exclude_pk: Any = None) -> dict:
    visible, hidden = selectors.customer_duplicates(
        reader=request.user,
        name=form.cleaned_data.get("name", ""),
        credit_code=form.cleaned_data.get("credit_code", ""),
        phone=form.cleaned_data.get("phone", ""),
        exclude_pk=exclude_pk,
    )
    return {"duplicates": visible, "hidden_duplicates": hidden}


def _save_customer(request: HttpRequest, customer: Any = None) -> HttpResponse:
    confirming = bool(request.POST.get("confirm_duplicates"))
    form = CustomerForm(
        request.POST or None, instance=customer, reader=request.user, show_confirm=confirming
    )
    context: dict[str, Any] = {"form": form, "customer": customer}
    if request.method == "POST" and form.is_valid():
        dup = _duplicate_context(request, form, exclude_pk=customer.pk if customer else None)
        if (dup["duplicates"] or dup["hidden_duplicates"]) and not form.cleaned_data.get(
            "confirm_duplicates"
        ):
            form = CustomerForm(
                request.POST, instance=customer, reader=request.user, show_confirm=True
            )
            form.is_valid()
            context.update(dup, form=form)
            return render(request, "web/customers/form.html", context)
        try:
            if customer is None:
                saved = services.customer_create(actor=request.user, **form.service_fields())
                messages.success(request, _("Customer “%s” created.") % saved)
            else:
                saved = services.customer_update(
                    actor=request.user,
                    customer=customer,
                    expected_version=form.expected_version,
                    **form.service_fields(),
                )
                messages.success(request, _("Customer “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = selectors.access_customer_by_id(reader=request.user, customer_id=customer.pk)
            return render_conflict(
                request,
                "web/customers/form.html",
                {**context, "customer": current},
                exc=exc,
                current=current,
                make_form=lambda data: CustomerForm(
                    data, instance=current, reader=request.user, show_confirm=confirming
                ),
            )
        else:
            return redirect("web:customer_detail", pk=saved.pk)
    return render(request, "web/customers/form.html", context)


@login_required
def customer_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CUSTOMERS, Action.CREATE)
    return _save_customer(request)


@login_required
def customer_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer_by_id(reader=request.user, customer_id=pk)
    require(request.user, Module.CUSTOMERS, Action.CHANGE)
    return _save_customer(request, customer)


@login_required
def customer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer_by_id(reader=request.user, customer_id=pk)
    tab = request.GET.get("tab", "details")
    context: dict[str, Any] = {"customer": customer, "tab": tab}
    if tab == "contacts":
        context["page_obj"] = paginate(
            request, selectors.contact_list(reader=request.user, customer_id=customer.pk), 20
        )
    elif tab == "history":
        page = paginate(request, selectors.customer_history(customer=customer), 20)
        context["page_obj"] = page
        context["history_rows"] = history_rows(page.object_list)
    elif tab in SALES_TABS:
        context.update(SALES_TABS[tab](request, customer))
    else:
        context["primary_contacts"] = list(
            selectors.contact_list(reader=request.user, customer_id=customer.pk)[:3]
        )
    if customer.review_status == ReviewStatus.PENDING and can(
        request.user, Module.CUSTOMERS, Action.APPROVE
    ):
        context["review_form"] = ReviewForm()
    return render(request, "web/customers/detail.html", context)


def _opportunities_tab(request: HttpRequest, customer: Any) -> dict[str, Any]:
    require(request.user, Module.OPPORTUNITIES, Action.VIEW)
    qs = sales_selectors.opportunity_list(reader=request.user, filters={"customer": customer.pk})
    return {"page_obj": paginate(request, qs, 20)}


def _tasks_tab(request: HttpRequest, customer: Any) -> dict[str, Any]:
    require(request.user, Module.TASKS, Action.VIEW)
    qs = sales_selectors.task_list(reader=request.user, filters={"customer": customer.pk})
    return {"page_obj": paginate(request, qs, 20), "today": clock.localdate()}


TIMELINE_LINKS = {
    "task": "web:task_detail",
    "opportunity": "web:opportunity_detail",
    "stage_change": "web:opportunity_detail",
    "contract": "web:contract_detail",
    "payment": "web:contract_detail",
    "feedback": "web:feedback_detail",
    "service_request": "web:service_request_detail",
    "care_action": "web:care_detail",
}
# Kinds that link to a tab of the customer page itself (`link` is the customer's id).
TIMELINE_TABS = {"contact": "contacts", "change": "history"}


def _timeline_tab(request: HttpRequest, customer: Any) -> dict[str, Any]:
    available = timeline.visible_kinds(reader=request.user, customer=customer)
    chosen = [k for k in request.GET.getlist("kind") if k in available]
    qs = timeline.customer_timeline(reader=request.user, customer=customer, kinds=chosen)
    page = paginate(request, qs, 20)
    rows = timeline.describe(page.object_list)
    for row in rows:
        if row["kind"] in TIMELINE_TABS:
            row["url"] = f"?tab={TIMELINE_TABS[row['kind']]}"
            continue
        try:
            row["url"] = reverse(TIMELINE_LINKS[row["kind"]], args=[row["link"]])
        except (KeyError, NoReverseMatch):
            row["url"] = ""
    return {
        "page_obj": page,
        "timeline_rows": rows,
        "timeline_kinds": [(k, timeline.TIMELINE_KINDS[k].label) for k in available],
        "chosen_kinds": chosen,
    }


SALES_TABS = {
    "opportunities": _opportunities_tab,
    "tasks": _tasks_tab,
    "timeline": _timeline_tab,
}


@login_required
def customer_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.access_customer_by_id(reader=request.user, customer_id=pk)
    return redirect(reverse("web:customer_detail", args=[pk]) + "?tab=history")


@login_required
@require_POST
def customer_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer_by_id(reader=request.user, customer_id=pk)
    require(request.user, Module.CUSTOMERS, Action.APPROVE)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.customer_review(
                actor=request.user,
                customer=customer,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data.get("comment", ""),
                expected_version=posted_version(request),
            )
        except Conflict as exc:
            messages.error(request, stale_action_message(exc, customer))
            return redirect("web:customer_detail", pk=customer.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Review saved."))
            return redirect("web:customer_detail", pk=customer.pk)
    context = {"customer": customer, "tab": "details", "review_form": form}
    return render(request, "web/customers/detail.html", context, status=400)


@login_required
@require_POST
def customer_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer_by_id(reader=request.user, customer_id=pk)
    require(request.user, Module.CUSTOMERS, Action.DELETE)
    try:
        services.customer_delete(
            actor=request.user, customer=customer, expected_version=posted_version(request)
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, customer))
        return redirect("web:customer_detail", pk=customer.pk)
    messages.success(request, _("Customer “%s” moved to the recycle bin.") % customer)
    return redirect("web:customer_list")


@login_required
def customer_bin_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CUSTOMERS, Action.DELETE)
    page = paginate(request, selectors.customer_recycle_bin(reader=request.user))
    can_restore = scope_of(request.user, Module.CUSTOMERS) == Scope.ALL
    return render(request, "web/customers/bin.html", {"page_obj": page, "can_restore": can_restore})


@login_required
@require_POST
def customer_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_deleted_customer_by_id(reader=request.user, customer_id=pk)
    services.customer_restore(actor=request.user, customer=customer)
    messages.success(request, _("Customer “%s” restored.") % customer)
    return redirect("web:customer_detail", pk=customer.pk)


@login_required
def customer_autocomplete_view(request: HttpRequest) -> HttpResponse:
    """Up to 20 customers in the reader's scope matching ?q=, as JSON."""
    require(request.user, Module.CUSTOMERS, Action.VIEW)
    q = (request.GET.get("q") or "").strip()
    if not q:
        return JsonResponse({"results": []})
    qs = selectors.customer_list(reader=request.user, search=q, ordering="name")
    results = [
        {"id": c["pk"], "code": c["code"], "name": c["name"]}
        for c in qs.values("pk", "code", "name")[:20]
    ]
    return JsonResponse({"results": results})
