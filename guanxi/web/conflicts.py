"""Edit forms of records with a version: the form carries the version it was filled from, and
a save over a newer version is re-shown with what changed meanwhile, the user's own entries
kept, instead of overwriting (see guanxi.common.versioning)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.common.versioning import Conflict, changes_since, parse_version


class VersionField(forms.Field):
    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": gettext_lazy(
            "This form is out of date. Reload the page and enter your changes again."
        )
    }

    def to_python(self, value: Any) -> int | None:
        try:
            return parse_version(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid")


class VersionedFormMixin:
    """A hidden `version`, the record's version when the form was shown. After cleaning it is
    `expected_version`, not part of `cleaned_data` (the services take it separately)."""

    expected_version: int | None = None

    def __init__(self, *args: Any, version_of: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        record = version_of if version_of is not None else getattr(self, "instance", None)
        field = VersionField(required=False)
        if record is not None and record.pk:
            field.initial = record.version
        self.fields["version"] = field  # type: ignore[attr-defined]

    def clean(self) -> Any:
        data = super().clean()  # type: ignore[misc]
        errors = self._errors  # type: ignore[attr-defined]
        if "version" in errors:  # a hidden field: its message goes above the form
            messages = errors.pop("version")
            self.add_error(None, messages)  # type: ignore[attr-defined]
        self.expected_version = self.cleaned_data.pop("version", None)  # type: ignore[attr-defined]
        return data


def conflict_info(record: Any, expected: int) -> dict[str, Any]:
    """Who changed the record after `expected`, when, and which fields differ since."""
    since = changes_since(record, expected)
    entries = since["entries"]
    latest = entries[0] if entries else None
    return {
        "by": (latest.user or latest.username) if latest else record.updated_by,
        "at": latest.at if latest else record.updated_at,
        "entries": entries[:10],
        "fields": since["fields"],
        "expected": expected,
        "current": record.version,
    }


def conflict_form(
    request: HttpRequest,
    *,
    exc: Conflict,
    current: Any,
    make_form: Callable[[QueryDict], forms.BaseForm],
) -> forms.BaseForm:
    """The form again with what the user typed, its hidden version moved to the current one
    (saving again is a deliberate choice over the changes listed), and `conflict`: who
    changed the record, when and what, shown on top of the form."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = make_form(data)
    form.is_valid()
    info = conflict_info(current, exc.expected)
    for row in info["fields"]:
        if row["name"] in form.fields:
            form.add_error(
                row["name"],
                _("Changed meanwhile to “%(now)s” (it was “%(then)s”).")
                % {"now": row["now"] or "—", "then": row["then"] or "—"},
            )
    info["reload_url"] = request.get_full_path()
    form.conflict = info  # type: ignore[attr-defined]  # shown by partials/form_fields.html
    return form


def render_conflict(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    exc: Conflict,
    current: Any,
    make_form: Callable[[QueryDict], forms.BaseForm],
    form_key: str = "form",
) -> HttpResponse:
    """The edit page again after a Conflict (status 409; nothing was written)."""
    form = conflict_form(request, exc=exc, current=current, make_form=make_form)
    return render(request, template, {**context, form_key: form}, status=409)


# --- one-click actions on a record's page (approve, resolve, win, move on the board…) --------


def posted_version(request: HttpRequest) -> int | None:
    """The version the page showed when its action button was pressed (the hidden `version`
    every action form carries), None when the form sent none. A malformed one can match no
    record, so the action is refused as out of date."""
    try:
        return parse_version(request.POST.get("version"))
    except ValueError:
        return 0  # versions start at 1: the service raises Conflict


def stale_action_message(exc: Conflict, record: Any) -> str:
    """Nothing was done: who changed the record after the page was opened, and when."""
    current = type(record)._base_manager.filter(pk=record.pk).first() or record
    info = conflict_info(current, exc.expected)
    return _(
        "Nothing was done: %(by)s changed this record at %(at)s, after you opened the page. "
        "Look at it again and repeat the action if it still applies."
    ) % {
        "by": info["by"] or _("someone"),
        "at": formats.date_format(timezone.localtime(info["at"]), "DATETIME_FORMAT"),
    }
