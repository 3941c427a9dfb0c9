"""Service settings (参数设置): hours to resolve a request per priority, when it counts as at
risk, and the care and churn parameters. They belong to whoever may change reference data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.service import selectors
from guanxi.service.services.care import service_settings_update

from ..forms_service import ServiceSettingsForm
from ..helpers import add_service_errors, require


@login_required
def service_settings_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.REFERENCE, Action.CHANGE)
    current = selectors.service_settings()
    form = ServiceSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            service_settings_update(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service settings saved."))
            return redirect("web:service_settings")
    return render(
        request,
        "web/service_settings/form.html",
        {"form": form, "settings_row": selectors.service_settings()},
    )
