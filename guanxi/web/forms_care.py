"""Forms of the customer care pages: care actions (list filters, create, edit, finish), the
churn and lost lists (mark lost, win back). They only parse input: choices come from the scoped
selectors, every rule is checked again by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Module
from guanxi.accounts.models import User
from guanxi.common import clock
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Contact, Customer
from guanxi.service.enums import CareKind
from guanxi.service.models import CareAction

from .conflicts import VersionedFormMixin
from .forms_base import StyledForm, StyledModelForm
from .forms_sales import DATE, CustomerPickerField, _customer_or_none, people_in_scope

CARE_VIEWS = [
    ("due", _("Due")),
    ("upcoming", _("Upcoming")),
    ("done", _("Finished")),
    ("all", _("All")),
]


def _contacts(reader: Any, customer: Any, current_id: Any = None) -> QuerySet[Contact]:
    """The chosen customer's contacts the reader may see (plus the record's current one)."""
    if customer is None:
        return Contact.objects.none()
    visible = customer_selectors.contact_list(reader=reader, customer_id=customer.pk)
    q = Q(pk__in=visible.order_by().values("pk"))
    if current_id:
        q |= Q(pk=current_id)
    return Contact.objects.filter(q).order_by("name", "id")


class CareFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *CareKind.choices], required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )
    customer = CustomerPickerField(label=_("Customer"), required=False)

    def __init__(self, *args: Any, reader: Any, mine: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].reader = reader
        self.fields["assignee"].queryset = people_in_scope(reader, Module.CARE)
        self.fields["assignee"].empty_label = _("Any assignee")
        if mine:
            del self.fields["assignee"]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("kind", "assignee", "customer")
            if data.get(name) not in (None, "")
        }


class CareForm(VersionedFormMixin, StyledModelForm):
    """Create (with customer and kind) or edit (the editable fields of a pending action)."""

    customer = CustomerPickerField(label=_("Customer"))

    class Meta:
        model = CareAction
        fields = ["customer", "kind", "contact", "title", "due_date", "assignee", "note"]
        widgets = {"due_date": DATE, "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "assignee": _("Leave empty to give it to the customer's owner."),
            "title": _("Leave empty for a title made from the kind."),
        }

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["customer"].reader = reader
        self.fields["assignee"].queryset = people_in_scope(
            reader, Module.CARE, getattr(instance, "assignee_id", None)
        )
        self.fields["title"].required = False
        if instance.pk:
            self.fields["assignee"].help_text = ""
            del self.fields["customer"]
            del self.fields["kind"]
            customer = instance.customer
        else:
            self.fields["kind"].choices = CareKind.choices
            self.fields["assignee"].required = False
            self.fields["assignee"].empty_label = _("The customer's owner")
            self.fields["due_date"].initial = clock.localdate
            del self.fields["note"]
            if self.is_bound:
                customer = _customer_or_none(self)
            else:
                customer = self.initial.get("customer")
                if customer is not None and not isinstance(customer, Customer):
                    customer = self.fields["customer"]._visible().filter(pk=customer).first()
                if customer is not None and customer.status == CustomerStatus.LOST:
                    self.fields["kind"].initial = CareKind.WIN_BACK
        self.fields["contact"].queryset = _contacts(
            reader, customer, getattr(instance, "contact_id", None)
        )
        self.fields["contact"].help_text = _("Only contacts of the chosen customer are offered.")

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("assignee") is None:
            data.pop("assignee", None)
        return data


class FinishCareForm(StyledForm):
    """The note a care action is done or skipped with (required by the service too)."""

    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done, or why it was skipped."),
        error_messages={"required": _("Write a note on what was done, or why not.")},
    )


class MarkLostForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for loss"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the customer was lost.")},
    )


class WinBackForm(StyledForm):
    due_date = forms.DateField(label=_("Due date"), widget=DATE, initial=clock.localdate)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
