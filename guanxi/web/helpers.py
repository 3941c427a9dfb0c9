"""What every page view shares: the permission gate, service errors onto forms, safe `next`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from guanxi.accounts.rules import can


def require(user: Any, module: str, action: str) -> None:
    """403 unless the user may do `action` in `module` (scope is the selectors' business)."""
    if not can(user, module, action):
        raise PermissionDenied


def add_service_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    default_field: str | None = None,
    field_map: dict[str, str] | None = None,
) -> None:
    """Show a service's ValidationError on the form: per field where the field exists,
    otherwise on `default_field`, otherwise above the form."""
    field_map = field_map or {}

    def target(name: str | None) -> str | None:
        name = field_map.get(name or "", name)
        if name and name in form.fields:
            return name
        return default_field

    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(target(None if name == "__all__" else name), messages)
    else:
        form.add_error(default_field, exc.messages)


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` field when it points to this site, otherwise `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
