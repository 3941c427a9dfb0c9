"""Sales settings (参数设置): the contract number pattern and the approval rule. They belong
to whoever may change reference data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.common import clock
from guanxi.sales import selectors
from guanxi.sales.services.contracts import render_number
from guanxi.sales.services.records import sales_settings_update

from ..forms_contracts import SalesSettingsForm
from ..helpers import add_service_errors, require

EXAMPLE_SEQ = 42


@login_required
def sales_settings_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.REFERENCE, Action.CHANGE)
    current = selectors.sales_settings()
    form = SalesSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            sales_settings_update(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sales settings saved."))
            return redirect("web:sales_settings")
    current = selectors.sales_settings()  # as saved, not as typed
    example = render_number(current.contract_number_pattern, EXAMPLE_SEQ, clock.localdate())
    return render(
        request,
        "web/contracts/sales_settings.html",
        {"form": form, "settings_row": current, "example": example},
    )
