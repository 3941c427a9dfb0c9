"""Sales records (销售情况): produced by contracts when they start executing, or entered by
hand (history from before the system). Records from a contract are read-only here; their
contract is the place to change them."""

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
from guanxi.sales.models import SalesRecord
from guanxi.sales.services import records as services

from ..forms_contracts import (
    SalesRecordFilterForm,
    SalesRecordForm,
    posted_ids,
    product_choices,
)
from ..helpers import add_service_errors, require
from ..pagination import paginate


@login_required
def sales_record_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.SALES_RECORDS, Action.VIEW)
    chosen = posted_ids(request.GET, "product")
    form = SalesRecordFilterForm(
        request.GET or None,
        reader=request.user,
        product_choices=product_choices(request.user, chosen),
        autocomplete_url=reverse("web:customer_autocomplete"),
    )
    filters: dict[str, Any] = form.filters() if form.is_valid() else {}
    qs = selectors.sales_record_list(reader=request.user, filters=filters)
    return render(
        request,
        "web/sales_records/list.html",
        {
            "form": form,
            "page_obj": paginate(request, qs),
            "totals": selectors.sales_record_totals(qs),
        },
    )


def _save_record(request: HttpRequest, record: SalesRecord | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    chosen = posted_ids(data, "product") | ({record.product_id} if record else set())
    initial: dict[str, Any] = {}
    if record is not None:
        initial = {
            "customer": record.customer,
            "product": record.product_id,
            "salesperson": record.salesperson_id,
            "date": record.date,
            "quantity": record.quantity,
            "unit_price": record.unit_price,
            "notes": record.notes,
        }
    form = SalesRecordForm(
        data,
        initial=initial,
        reader=request.user,
        product_choices=product_choices(request.user, chosen),
        salesperson_id=record.salesperson_id if record else None,
        autocomplete_url=reverse("web:customer_autocomplete"),
        new=record is None,
    )
    if data is not None and form.is_valid():
        try:
            if record is None:
                saved = services.sales_record_create(actor=request.user, **form.service_fields())
                messages.success(request, _("Sales record added."))
            else:
                saved = services.sales_record_update(
                    actor=request.user, record=record, **form.service_fields()
                )
                messages.success(request, _("Sales record saved."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(reverse("web:sales_record_list") + f"?customer={saved.customer_id}")
    return render(request, "web/sales_records/form.html", {"form": form, "record": record})


@login_required
def sales_record_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.SALES_RECORDS, Action.CREATE)
    return _save_record(request, None)


@login_required
def sales_record_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_sales_record_by_id(reader=request.user, record_id=pk)
    require(request.user, Module.SALES_RECORDS, Action.CHANGE)
    if record.contract_id:
        messages.info(
            request,
            _("This sales record comes from contract %s; change the contract instead.")
            % record.contract.number,
        )
        return redirect("web:contract_detail", pk=record.contract_id)
    return _save_record(request, record)


@login_required
@require_POST
def sales_record_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.access_sales_record_by_id(reader=request.user, record_id=pk)
    require(request.user, Module.SALES_RECORDS, Action.DELETE)
    try:
        services.sales_record_delete(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(str(m) for m in exc.messages))
    else:
        messages.success(request, _("Sales record deleted."))
    return redirect("web:sales_record_list")
