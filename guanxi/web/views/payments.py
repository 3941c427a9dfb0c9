"""Payments received (回款) and receivables by customer and age. Payments are recorded from
the contract page (views.contracts); here they are listed, and deleted by those allowed."""

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
from guanxi.sales import selectors
from guanxi.sales.services.records import payment_delete

from ..forms_contracts import PaymentFilterForm, ReceivablesFilterForm
from ..helpers import require, safe_next
from ..pagination import paginate

AGE_COLUMNS = [
    ("age_0_30", "0–30"),
    ("age_31_90", "31–90"),
    ("age_91_180", "91–180"),
    ("age_181_365", "181–365"),
    ("age_366_plus", "> 365"),
]


@login_required
def payment_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.PAYMENTS, Action.VIEW)
    form = PaymentFilterForm(
        request.GET or None,
        reader=request.user,
        autocomplete_url=reverse("web:customer_autocomplete"),
    )
    filters: dict[str, Any] = form.filters() if form.is_valid() else {}
    contract = None
    if filters.get("contract"):
        contract = selectors.access_contract_by_id(
            reader=request.user, contract_id=filters["contract"]
        )
    qs = selectors.payment_list(reader=request.user, filters=filters)
    return render(
        request,
        "web/payments/list.html",
        {"form": form, "page_obj": paginate(request, qs), "contract": contract},
    )


RECEIVABLES_PAGE = 25


@login_required
def receivables_view(request: HttpRequest) -> HttpResponse:
    """Outstanding amounts per customer and contract owner, the largest first, from the
    summary rows; pages by keyset (?after=), totals over the whole scope."""
    require(request.user, Module.PAYMENTS, Action.VIEW)
    form = ReceivablesFilterForm(
        request.GET or None,
        reader=request.user,
        autocomplete_url=reverse("web:customer_autocomplete"),
    )
    customer = None
    if form.is_valid() and form.cleaned_data.get("customer"):
        customer = form.cleaned_data["customer"].pk
    after = None
    if request.GET.get("after"):
        try:
            after = selectors.parse_receivable_cursor(request.GET["after"])
        except ValueError:
            messages.error(
                request, _("That page of receivables no longer exists; here is the first.")
            )
    qs = selectors.receivables(reader=request.user, customer=customer, after=after)
    found = list(qs[: RECEIVABLES_PAGE + 1])
    page = selectors.receivable_ages(reader=request.user, rows=found[:RECEIVABLES_PAGE])
    rows = [{"row": row, "ages": [row[key] for key, _label in AGE_COLUMNS]} for row in page]
    next_url = ""
    if len(found) > RECEIVABLES_PAGE:
        params = request.GET.copy()
        params["after"] = selectors.receivable_cursor(page[-1])
        next_url = f"{request.path}?{params.urlencode()}"
    first_url = ""
    if after is not None:
        params = request.GET.copy()
        params.pop("after", None)
        first_url = f"{request.path}?{params.urlencode()}" if params else request.path
    return render(
        request,
        "web/payments/receivables.html",
        {
            "form": form,
            "rows": rows,
            "age_columns": AGE_COLUMNS,
            "totals": selectors.receivable_totals(reader=request.user, customer=customer),
            "next_url": next_url,
            "first_url": first_url,
        },
    )


@login_required
@require_POST
def payment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.access_payment_by_id(reader=request.user, payment_id=pk)
    require(request.user, Module.PAYMENTS, Action.DELETE)
    contract_url = reverse("web:contract_detail", args=[payment.contract_id]) + "#payments"
    try:
        payment_delete(actor=request.user, payment=payment)
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    else:
        messages.success(
            request,
            _("Payment of %(amount)s on %(number)s deleted.")
            % {"amount": f"{payment.amount:,.2f}", "number": payment.contract.number},
        )
    return redirect(safe_next(request, contract_url))
