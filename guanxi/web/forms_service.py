"""Forms of the feedback, service request and service settings pages. They only parse input:
choices come from the scoped selectors, every rule is checked again by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.enums import Action, Module, perm_code
from guanxi.accounts.models import Role, User
from guanxi.accounts.rules import can
from guanxi.common import clock
from guanxi.customers.models import Contact, Customer
from guanxi.reference.models import ComplaintCategory, ServiceRequestType, WorkMethod
from guanxi.sales import selectors as sales_selectors
from guanxi.sales.models import Contract, Product
from guanxi.service.enums import Priority, RequestStatus, SlaState
from guanxi.service.models import Feedback, ServiceRequest, ServiceSettings

from .conflicts import VersionedFormMixin
from .forms_base import StyledForm, StyledModelForm
from .forms_customers import _active_or_current
from .forms_sales import (
    DATE,
    CustomerPickerField,
    _customer_or_none,
    people_in_scope,
    wider_than_own,
)

# --- shared ------------------------------------------------------------------------------


def request_workers(current_id: Any = None, reader: Any = None) -> QuerySet[User]:
    """Active users who work on service requests (view and change them): the people a request
    can be assigned to — by `reader`, only those inside the reader's scope. Roles are few, so
    their codes are read here rather than in SQL (a JSON list lookup is not portable)."""
    roles = list(Role.objects.filter(is_active=True).values_list("pk", "permissions"))
    change = perm_code(Module.SERVICE_REQUESTS, Action.CHANGE)
    view = perm_code(Module.SERVICE_REQUESTS, Action.VIEW)
    changers = [pk for pk, codes in roles if change in (codes or [])]
    viewers = [pk for pk, codes in roles if view in (codes or [])]
    q = Q(
        is_active=True,
        pk__in=User.objects.filter(roles__in=changers).values("pk"),
    ) & Q(pk__in=User.objects.filter(roles__in=viewers).values("pk"))
    if reader is not None:
        q &= Q(pk__in=people_in_scope(reader, Module.SERVICE_REQUESTS).values("pk"))
    if current_id:
        q |= Q(pk=current_id)
    return User.objects.filter(q).order_by("username")


def customer_contacts(customer: Any, current_id: Any = None) -> QuerySet[Contact]:
    """The contacts of the chosen customer (none without one), plus the record's current."""
    q = Q(customer=customer) if customer is not None else Q(pk__in=[])
    if current_id:
        q |= Q(pk=current_id)
    return Contact.objects.filter(q).order_by("-is_primary", "name", "id")


def customer_contracts(reader: Any, customer: Any, current_id: Any = None) -> QuerySet[Contract]:
    """The chosen customer's contracts the reader may see, plus the record's current one."""
    if customer is None:
        q = Q(pk__in=[])
    else:
        visible = sales_selectors.contract_list(reader=reader, filters={"customer": customer.pk})
        q = Q(pk__in=visible.values("pk"))
    if current_id:
        q |= Q(pk=current_id)
    return Contract.objects.filter(q).order_by("-id")


def options_attrs(field: str) -> dict[str, str]:
    """htmx: reload a select's options when the customer picker changes."""
    return {
        "hx-get": f"{reverse('web:service_customer_options')}?field={field}",
        "hx-trigger": "change from:#id_customer, input changed delay:600ms from:#id_customer",
        "hx-include": "#id_customer_pk, #id_customer",
        "hx-sync": "this:replace",
    }


def _form_customer(form: forms.BaseForm, instance: Any) -> Customer | None:
    """The customer the form is about: typed in (bound), preselected, or the record's."""
    if "customer" in form.fields and form.is_bound:
        return _customer_or_none(form)
    customer = form.initial.get("customer")
    if customer is None and getattr(instance, "customer_id", None):
        customer = instance.customer
    if customer is not None and not isinstance(customer, Customer):
        customer = form.fields["customer"]._visible().filter(pk=customer).first()
    return customer


# --- feedback ----------------------------------------------------------------------------


class FeedbackForm(StyledModelForm):
    customer = CustomerPickerField(label=_("Customer"))

    class Meta:
        model = Feedback
        fields = ["customer", "contact", "date", "channel", "reported_by", "content"]
        widgets = {"date": DATE, "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["customer"].reader = reader
        self.fields["channel"].queryset = _active_or_current(
            WorkMethod, getattr(instance, "channel_id", None)
        )
        self.fields["reported_by"].queryset = people_in_scope(
            reader, Module.FEEDBACK, getattr(instance, "reported_by_id", None)
        )
        self.fields["reported_by"].help_text = _(
            "Who had the contact, when you record what someone else reported."
        )
        customer = _form_customer(self, instance)
        self.fields["contact"].queryset = customer_contacts(
            customer, getattr(instance, "contact_id", None)
        )
        self.fields["contact"].widget.attrs.update(options_attrs("contact"))
        self.fields["contact"].help_text = _("Only contacts of the chosen customer are offered.")
        self.fields["date"].widget.attrs["max"] = clock.localdate().isoformat()
        if not instance.pk:
            self.fields["reported_by"].initial = reader.pk
            self.fields["date"].initial = clock.localdate

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""


class FeedbackFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    customer = CustomerPickerField(label=_("Customer"), required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=WorkMethod.objects.none(), required=False
    )
    reported_by = forms.ModelChoiceField(
        label=_("Reported by"), queryset=User.objects.none(), required=False
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].reader = reader
        self.fields["channel"].queryset = WorkMethod.objects.order_by("sort_order", "code")
        self.fields["channel"].empty_label = _("Any channel")
        self.fields["reported_by"].queryset = people_in_scope(reader, Module.FEEDBACK)
        self.fields["reported_by"].empty_label = _("Anyone")
        if not wider_than_own(reader, Module.FEEDBACK):
            del self.fields["reported_by"]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("customer", "channel", "reported_by", "date_from", "date_to")
            if data.get(name) not in (None, "")
        }


# --- service requests --------------------------------------------------------------------


class RequestForm(VersionedFormMixin, StyledModelForm):
    """Create (with the customer and, for a dispatcher, an assignee) and edit (the customer
    stays)."""

    customer = CustomerPickerField(label=_("Customer"))
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = ServiceRequest
        fields = [
            "customer",
            "type",
            "complaint_category",
            "priority",
            "subject",
            "description",
            "contact",
            "contract",
            "product",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, reader: Any, dispatcher: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["customer"].reader = reader
        types = _active_or_current(ServiceRequestType, getattr(instance, "type_id", None))
        self.fields["type"].queryset = types
        complaint_ids = [str(t.pk) for t in types if t.is_complaint]
        self.fields["type"].widget.attrs["data-complaint-types"] = " ".join(complaint_ids)
        self.fields["complaint_category"].queryset = _active_or_current(
            ComplaintCategory, getattr(instance, "complaint_category_id", None)
        )
        self.fields["complaint_category"].help_text = _("Required for a complaint.")
        if instance.pk:
            del self.fields["customer"]
            del self.fields["assignee"]
            customer = instance.customer
        else:
            customer = _form_customer(self, instance)
            if dispatcher:
                self.fields["assignee"].queryset = request_workers(reader=reader)
                self.fields["assignee"].empty_label = _("Not yet")
                self.fields["assignee"].help_text = _("Leave empty to assign it later.")
            else:
                del self.fields["assignee"]
        self.fields["contact"].queryset = customer_contacts(
            customer, getattr(instance, "contact_id", None)
        )
        if can(reader, Module.CONTRACTS, Action.VIEW):
            self.fields["contract"].queryset = customer_contracts(
                reader, customer, getattr(instance, "contract_id", None)
            )
            self.fields["contract"].help_text = _(
                "Only contracts of the chosen customer are offered."
            )
        else:
            del self.fields["contract"]
        current_product = getattr(instance, "product_id", None)
        self.fields["product"].queryset = Product.objects.filter(
            Q(is_active=True) | Q(pk=current_product or 0)
        ).order_by("code")
        if not instance.pk:
            self.fields["contact"].widget.attrs.update(options_attrs("contact"))
            if "contract" in self.fields:
                self.fields["contract"].widget.attrs.update(options_attrs("contract"))

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("assignee", None)
        return data


REQUEST_ORDERINGS = [
    ("-id", _("Newest first")),
    ("id", _("Oldest first")),
    ("due_at", _("Due soonest")),
    ("-due_at", _("Due latest")),
    ("priority", _("Most urgent")),
    ("-updated_at", _("Recently changed")),
]


class RequestFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=ServiceRequestType.objects.none(), required=False
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    complaint = forms.ChoiceField(
        label=_("Complaint"),
        required=False,
        choices=[
            ("", _("Complaints and others")),
            ("yes", _("Complaints only")),
            ("no", _("No complaints")),
        ],
    )
    sla = forms.ChoiceField(label=_("Due time"), required=False)
    customer = CustomerPickerField(label=_("Customer"), required=False)
    ordering = forms.ChoiceField(
        label=_("Order"), required=False, choices=REQUEST_ORDERINGS, initial="-id"
    )

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].reader = reader
        self.fields["status"].choices = [
            ("", _("Any status")),
            ("open", pgettext_lazy("service requests", "Open")),
            *RequestStatus.choices,
        ]
        self.fields["priority"].choices = [("", _("Any priority")), *Priority.choices]
        self.fields["type"].queryset = ServiceRequestType.objects.order_by("sort_order", "code")
        self.fields["type"].empty_label = _("Any type")
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("none", _("Unassigned")),
            *((str(u.pk), str(u)) for u in request_workers()),
        ]
        self.fields["sla"].choices = [("", _("Any due state")), *SlaState.choices]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("status", "priority", "type", "assignee", "complaint", "sla", "customer")
            if data.get(name) not in (None, "")
        }


class AssignForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, reader: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = request_workers(reader=reader)


class ResolveForm(StyledForm):
    resolution = forms.CharField(
        label=_("Resolution"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the request was resolved."),
    )


SCORES = [(str(n), str(n)) for n in range(1, 6)]


class CloseForm(StyledForm):
    # Parsed as text: the score (1–5) is the service's rule and its message.
    satisfaction = forms.CharField(
        label=_("Customer satisfaction (1–5)"), widget=forms.RadioSelect(choices=SCORES)
    )
    comment = forms.CharField(
        label=_("Customer's comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- settings ----------------------------------------------------------------------------


class ServiceSettingsForm(StyledModelForm):
    class Meta:
        model = ServiceSettings
        fields = [
            "hours_urgent",
            "hours_high",
            "hours_normal",
            "hours_low",
            "at_risk_percent",
            "follow_up_days",
            "care_lead_days",
            "churn_days",
        ]

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def customer_from_params(reader: Any, data: Any) -> Customer | None:
    """The customer named by a picker's `customer` / `customer_q` values, or None."""
    field = CustomerPickerField(required=False, reader=reader)
    try:
        return field.clean((data.get("customer") or "", data.get("customer_q") or ""))
    except ValidationError:
        return None
