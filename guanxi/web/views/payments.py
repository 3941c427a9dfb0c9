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


@login_required
def receivables_view(request: HttpRequest) -> HttpResponse:
    """Outstanding amounts grouped by customer; the grouped query is paginated as it is."""
    require(request.user, Module.PAYMENTS, Action.VIEW)
    form = ReceivablesFilterForm(
        request.GET or None,
        reader=request.user,
        autocomplete_url=reverse("web:customer_autocomplete"),
    )
    customer = None
    if form.is_valid() and form.cleaned_data.get("customer"):
        customer = form.cleaned_data["customer"].pk
    qs = selectors.receivables(reader=request.user, customer=customer)
    page = paginate(request, qs)
    rows = [
        {"row": row, "ages": [row.get(key) for key, _label in AGE_COLUMNS]}
        for row in page.object_list
    ]
    return render(
        request,
        "web/payments/receivables.html",
        {"form": form, "page_obj": page, "rows": rows, "age_columns": AGE_COLUMNS},
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
