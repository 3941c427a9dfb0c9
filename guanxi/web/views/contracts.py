"""Contract pages (合同) and their approval (审批): thin views over guanxi.sales selectors
(reads, already scoped) and services (writes, states, totals).

A contract outside the reader's scope is 404; a missing permission is 403; a refused or stale
action (someone else acted first, wrong status) comes back as a message on the contract page,
never as a server error.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import formset_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common.history import history_rows
from guanxi.common.versioning import Conflict
from guanxi.customers.selectors import access_customer_by_id
from guanxi.sales import selectors
from guanxi.sales.enums import (
    EDITABLE_STATUSES,
    PAYABLE_STATUSES,
    ContractStatus,
    OpportunityStatus,
)
from guanxi.sales.models import Contract, Opportunity
from guanxi.sales.services import contracts as services
from guanxi.sales.services.records import payment_create

from ..conflicts import conflict_form, posted_version, render_conflict, stale_action_message
from ..forms_contracts import (
    ContractFilterForm,
    ContractForm,
    ContractNotesForm,
    DecisionForm,
    LineForm,
    PaymentForm,
    TerminateForm,
    as_id,
    posted_ids,
    product_choices,
    product_label,
)
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate

LINES_PREFIX = "lines"
# Related rows shown on the contract page; the lists behind the links have the rest.
DETAIL_ROWS = 50


def _autocomplete_url() -> str:
    return reverse("web:customer_autocomplete")


# --- list and queue ----------------------------------------------------------------------


@login_required
def contract_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CONTRACTS, Action.VIEW)
    form = ContractFilterForm(
        request.GET or None, reader=request.user, autocomplete_url=_autocomplete_url()
    )
    search, filters = "", {}
    if form.is_valid():
        search = form.cleaned_data.get("q") or ""
        filters = form.filters()
    ordering = request.GET.get("ordering") or "-id"
    qs = selectors.contract_list(
        reader=request.user, search=search, filters=filters, ordering=ordering
    )
    return render(
        request,
        "web/contracts/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "ordering": ordering,
        },
    )


@login_required
def approval_queue_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.CONTRACTS, Action.APPROVE)
    page = paginate(request, selectors.approval_queue(reader=request.user))
    return render(request, "web/contracts/approval_queue.html", {"page_obj": page})


# --- create and edit ---------------------------------------------------------------------


def _plain_decimal(value: Any) -> Any:
    """2.000 → 2, 0.500 → 0.5 for the inputs; never scientific notation."""
    if not isinstance(value, Decimal):
        return value
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _line_formset(
    request: HttpRequest,
    *,
    data: Any = None,
    initial: list[dict[str, Any]] | None = None,
    extra: int = 0,
    keep_ids: set[int] | None = None,
) -> Any:
    ids = set(keep_ids or set())
    ids |= posted_ids(data, "product")
    ids |= {pk for row in initial or [] if (pk := as_id(row.get("product"))) is not None}
    formset_class = _formset_class(extra)
    return formset_class(
        data,
        initial=initial,
        prefix=LINES_PREFIX,
        form_kwargs={"product_choices": product_choices(request.user, ids)},
    )


def _formset_class(extra: int) -> Any:
    return formset_factory(
        LineForm, extra=extra, can_delete=True, max_num=200, validate_max=True, absolute_max=200
    )


def _posted_rows(data: Any) -> list[dict[str, Any]]:
    """The lines as typed, for re-showing the form with one more empty line (no script)."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS") or 0), 200)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        key = f"{LINES_PREFIX}-{i}-"
        if data.get(key + "DELETE"):
            continue
        row = {name: data.get(key + name, "") for name in ("product", "quantity", "unit_price")}
        if row["product"] or row["unit_price"]:
            rows.append(row)
    return rows


def _service_errors(form: Any, exc: ValidationError) -> list[str]:
    """Put a service's errors next to the header fields; return those about the lines."""
    if not hasattr(exc, "error_dict"):
        add_service_errors(form, exc)
        return []
    errors = exc.message_dict
    line_errors = errors.pop("lines", [])
    if errors:
        add_service_errors(form, ValidationError(errors))
    return line_errors


def _header_initial(data: Any) -> dict[str, Any]:
    initial = {name: data.get(name) for name in ("opportunity", "owner", "signed_on", "title")}
    initial["notes"] = data.get("notes", "")
    initial["customer"] = ((data.get("customer") or "").strip(), data.get("customer_label", ""))
    return initial


def _contract_form(request: HttpRequest, contract: Contract | None, **kwargs: Any) -> ContractForm:
    data = kwargs.pop("data", None)
    customer_id = kwargs.pop("customer_id", None)
    if data is not None:
        customer_id = data.get("customer") or None
    return ContractForm(
        data,
        reader=request.user,
        customer_id=customer_id,
        owner_id=contract.owner_id if contract else None,
        opportunity_url=reverse("web:contract_opportunity_options"),
        autocomplete_url=_autocomplete_url(),
        **kwargs,
    )


def _save_contract(
    request: HttpRequest,
    contract: Contract | None,
    initial: dict[str, Any],
    lines_initial: list[dict[str, Any]],
    extra: int,
) -> HttpResponse:
    keep_ids = {int(row["product"]) for row in lines_initial if row.get("product")}
    line_errors: list[str] = []
    if request.method == "POST" and "add_line" in request.POST:
        # Without scripts "Add line" posts the form; show it again with one more empty line.
        data = request.POST
        form = _contract_form(
            request,
            contract,
            initial={**_header_initial(data), "version": data.get("version")},
            customer_id=data.get("customer"),
            version_of=contract,
        )
        formset = _line_formset(
            request,
            initial=_posted_rows(data),
            extra=1,
            keep_ids=keep_ids | posted_ids(data, "product"),
        )
    elif request.method == "POST":
        form = _contract_form(request, contract, data=request.POST, version_of=contract)
        formset = _line_formset(request, data=request.POST, keep_ids=keep_ids)
        if form.is_valid() and formset.is_valid():
            lines = [
                f.line()
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            try:
                if contract is None:
                    saved = services.contract_create(
                        actor=request.user, lines=lines, **form.service_fields()
                    )
                    messages.success(request, _("Contract %s created.") % saved.number)
                else:
                    saved = services.contract_update(
                        actor=request.user,
                        contract=contract,
                        lines=lines,
                        expected_version=form.expected_version,
                        **form.service_fields(),
                    )
                    messages.success(request, _("Contract %s saved.") % saved.number)
            except ValidationError as exc:
                line_errors = _service_errors(form, exc)
            except Conflict as exc:
                current = selectors.access_contract_by_id(
                    reader=request.user, contract_id=contract.pk
                )
                form = conflict_form(
                    request,
                    exc=exc,
                    current=current,
                    make_form=lambda data: _contract_form(
                        request, current, data=data, version_of=current
                    ),
                )
                context = {"form": form, "formset": formset, "contract": current}
                return render(request, "web/contracts/form.html", context, status=409)
            else:
                return redirect("web:contract_detail", pk=saved.pk)
    else:
        form = _contract_form(
            request,
            contract,
            initial=initial,
            customer_id=_pk_of(initial.get("customer")),
            version_of=contract,
        )
        formset = _line_formset(request, initial=lines_initial, extra=extra, keep_ids=keep_ids)
    return render(
        request,
        "web/contracts/form.html",
        {
            "form": form,
            "formset": formset,
            "line_errors": line_errors,
            "contract": contract,
        },
    )


def _pk_of(value: Any) -> Any:
    return getattr(value, "pk", value)


def _opportunities(request: HttpRequest, customer_id: Any) -> Any:
    pk = as_id(customer_id)
    if pk is None:
        return Opportunity.objects.none()
    return selectors.opportunity_list(reader=request.user, filters={"customer": pk})


@login_required
def contract_create_view(request: HttpRequest) -> HttpResponse:
    """A new draft. ?opportunity=<id> starts from a won opportunity (its customer, title and
    one line at its expected amount, the product to be chosen); ?customer=<id> from a
    customer."""
    require(request.user, Module.CONTRACTS, Action.CREATE)
    initial: dict[str, Any] = {"owner": request.user.pk}
    lines_initial: list[dict[str, Any]] = []
    extra = 1
    if request.method == "GET" and request.GET.get("opportunity"):
        opportunity = selectors.access_opportunity_by_id(
            reader=request.user, opportunity_id=request.GET["opportunity"]
        )
        if opportunity.status == OpportunityStatus.WON:
            initial.update(
                customer=opportunity.customer, opportunity=opportunity.pk, title=opportunity.name
            )
            lines_initial = [{"quantity": 1, "unit_price": opportunity.amount}]
            extra = 0
        else:
            messages.warning(request, _("Only a won opportunity becomes a contract."))
            initial["customer"] = opportunity.customer
    elif request.method == "GET" and request.GET.get("customer"):
        initial["customer"] = access_customer_by_id(
            reader=request.user, customer_id=request.GET["customer"]
        )
    return _save_contract(request, None, initial, lines_initial, extra)


@login_required
def contract_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Header and lines while the contract is a draft or rejected; afterwards only notes."""
    contract = selectors.access_contract_by_id(reader=request.user, contract_id=pk)
    require(request.user, Module.CONTRACTS, Action.CHANGE)
    if not contract.lines_editable:
        return _edit_notes(request, contract)
    initial = {
        "customer": contract.customer,
        "opportunity": contract.opportunity_id,
        "owner": contract.owner_id,
        "signed_on": contract.signed_on,
        "title": contract.title,
        "notes": contract.notes,
    }
    lines_initial = [
        {
            "product": line.product_id,
            "quantity": _plain_decimal(line.quantity),
            "unit_price": line.unit_price,
            "amount": line.amount,
        }
        for line in selectors.contract_lines(contract=contract)
    ]
    return _save_contract(request, contract, initial, lines_initial, 0 if lines_initial else 1)


def _edit_notes(request: HttpRequest, contract: Contract) -> HttpResponse:
    form = ContractNotesForm(
        request.POST or None, initial={"notes": contract.notes}, version_of=contract
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(
                actor=request.user,
                contract=contract,
                notes=form.cleaned_data["notes"],
                expected_version=form.expected_version,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = selectors.access_contract_by_id(reader=request.user, contract_id=contract.pk)
            return render_conflict(
                request,
                "web/contracts/notes_form.html",
                {"contract": current},
                exc=exc,
                current=current,
                make_form=lambda data: ContractNotesForm(data, version_of=current),
            )
        else:
            messages.success(request, _("Contract %s saved.") % contract.number)
            return redirect("web:contract_detail", pk=contract.pk)
    return render(request, "web/contracts/notes_form.html", {"form": form, "contract": contract})


@login_required
def contract_opportunity_options_view(request: HttpRequest) -> HttpResponse:
    """<option>s of the opportunities of ?customer=, for the contract form's select."""
    if not (
        can(request.user, Module.CONTRACTS, Action.CREATE)
        or can(request.user, Module.CONTRACTS, Action.CHANGE)
    ):
        raise PermissionDenied
    options = _opportunities(request, request.GET.get("customer"))[:200]
    return render(request, "web/contracts/opportunity_options.html", {"options": options})


# --- detail and actions ------------------------------------------------------------------


def _first_rows(qs: Any) -> tuple[list[Any], bool]:
    rows = list(qs[: DETAIL_ROWS + 1])
    return rows[:DETAIL_ROWS], len(rows) > DETAIL_ROWS


def _detail_context(
    request: HttpRequest, contract: Contract, *, payment_form: PaymentForm | None = None
) -> dict[str, Any]:
    user = request.user
    status = contract.status
    change = can(user, Module.CONTRACTS, Action.CHANGE)
    tab = request.GET.get("tab", "details")
    context: dict[str, Any] = {
        "contract": contract,
        "tab": tab,
        "can_edit": change,
        "can_submit": change and status in EDITABLE_STATUSES,
        "can_decide": status == ContractStatus.PENDING and services.may_decide(user, contract),
        "can_start": change and status == ContractStatus.APPROVED,
        "can_complete": change and status == ContractStatus.EXECUTING,
        "can_terminate": change and status in services.TERMINABLE,
        "can_delete": can(user, Module.CONTRACTS, Action.DELETE) and status in EDITABLE_STATUSES,
        "can_delete_payment": can(user, Module.PAYMENTS, Action.DELETE),
    }
    if tab == "history":
        page = paginate(request, selectors.contract_history(contract=contract), 20)
        context["page_obj"] = page
        context["history_rows"] = history_rows(page.object_list)
        return context
    context["lines"] = list(selectors.contract_lines(contract=contract))
    context["decisions"] = list(selectors.contract_decisions(contract=contract))
    if context["can_decide"]:
        context["decision_form"] = DecisionForm(auto_id="decision_%s")
    if context["can_terminate"]:
        context["terminate_form"] = TerminateForm(auto_id="terminate_%s")
    # Money moves only once a contract is in force; a terminated one keeps what was paid.
    in_force = status in PAYABLE_STATUSES or status == ContractStatus.TERMINATED
    context["show_payments"] = in_force and can(user, Module.PAYMENTS, Action.VIEW)
    if context["show_payments"]:
        context["payments"], context["more_payments"] = _first_rows(
            selectors.payment_list(reader=user, filters={"contract": contract.pk})
        )
    if (
        status in PAYABLE_STATUSES
        and contract.outstanding > 0
        and can(user, Module.PAYMENTS, Action.CREATE)
    ):
        context["payment_form"] = payment_form or PaymentForm(
            initial={"amount": contract.outstanding}
        )
    context["show_records"] = contract.started_on is not None and can(
        user, Module.SALES_RECORDS, Action.VIEW
    )
    if context["show_records"]:
        context["records"], context["more_records"] = _first_rows(
            selectors.sales_record_list(reader=user, filters={"contract": contract.pk})
        )
    return context


@login_required
def contract_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.access_contract_by_id(reader=request.user, contract_id=pk)
    return render(request, "web/contracts/detail.html", _detail_context(request, contract))


ACTIONS: dict[str, tuple[str, str, Any, Any]] = {
    "submit": (
        Module.CONTRACTS,
        Action.CHANGE,
        services.contract_submit,
        gettext_lazy("Contract %(number)s submitted: now “%(status)s”."),
    ),
    "approve": (
        Module.CONTRACTS,
        Action.APPROVE,
        services.contract_approve,
        gettext_lazy("Contract %(number)s approved."),
    ),
    "reject": (
        Module.CONTRACTS,
        Action.APPROVE,
        services.contract_reject,
        gettext_lazy("Contract %(number)s rejected."),
    ),
    "start": (
        Module.CONTRACTS,
        Action.CHANGE,
        services.contract_start,
        gettext_lazy("Contract %(number)s is executing; its sales records were created."),
    ),
    "complete": (
        Module.CONTRACTS,
        Action.CHANGE,
        services.contract_complete,
        gettext_lazy("Contract %(number)s completed."),
    ),
    "terminate": (
        Module.CONTRACTS,
        Action.CHANGE,
        services.contract_terminate,
        gettext_lazy("Contract %(number)s terminated."),
    ),
    "delete": (
        Module.CONTRACTS,
        Action.DELETE,
        services.contract_delete,
        gettext_lazy("Contract %(number)s deleted."),
    ),
}
WITH_COMMENT = {"submit", "approve", "reject", "terminate"}


@login_required
@require_POST
def contract_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One POST per transition. The service decides; a refusal becomes a message."""
    if action not in ACTIONS:
        raise Http404
    contract = selectors.access_contract_by_id(reader=request.user, contract_id=pk)
    module, permission, service, done = ACTIONS[action]
    require(request.user, module, permission)
    detail_url = reverse("web:contract_detail", args=[contract.pk])
    kwargs = {"comment": request.POST.get("comment", "")} if action in WITH_COMMENT else {}
    try:
        result = service(
            actor=request.user,
            contract=contract,
            expected_version=posted_version(request),
            **kwargs,
        )
    except Conflict as exc:
        messages.error(request, stale_action_message(exc, contract))
        return redirect(detail_url)
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
        return redirect(detail_url)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this with this contract."))
        return redirect(detail_url)
    status = result.get_status_display() if isinstance(result, Contract) else ""
    messages.success(request, done % {"number": contract.number, "status": status})
    if action == "delete":
        return redirect("web:contract_list")
    return redirect(safe_next(request, detail_url))


@login_required
@require_POST
def contract_payment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Record payment" form on the contract page; errors come back next to the fields."""
    contract = selectors.access_contract_by_id(reader=request.user, contract_id=pk)
    require(request.user, Module.PAYMENTS, Action.CREATE)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = payment_create(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Payment of %(amount)s recorded on %(number)s.")
                % {"amount": f"{payment.amount:,.2f}", "number": contract.number},
            )
            return redirect(reverse("web:contract_detail", args=[contract.pk]) + "#payments")
    context = _detail_context(request, contract, payment_form=form)
    if "payment_form" not in context:
        context["payment_form"] = form
    return render(request, "web/contracts/detail.html", context)


@login_required
def product_pick_view(request: HttpRequest) -> HttpResponse:
    """Up to 20 active products matching ?q= (code, name, specification, pinyin) as a small
    HTML list the line pickers insert; each entry carries its id, label and list price."""
    require(request.user, Module.PRODUCTS, Action.VIEW)
    q = (request.GET.get("q") or "").strip()
    products = (
        list(selectors.product_list(reader=request.user, search=q, active=True)[:20]) if q else []
    )
    rows = [{"product": p, "label": product_label(p)} for p in products]
    return render(request, "web/contracts/product_pick.html", {"rows": rows, "q": q})
