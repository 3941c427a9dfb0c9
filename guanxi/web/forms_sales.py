"""Forms of the opportunity, task and product pages. They only parse input: choices come from
the scoped selectors, every rule is checked again by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.enums import Scope
from guanxi.accounts.models import User
from guanxi.accounts.rules import scope_of
from guanxi.accounts.selectors import assignable_users
from guanxi.common import clock
from guanxi.customers import selectors as customer_selectors
from guanxi.customers.models import Customer
from guanxi.reference.models import (
    CustomerSource,
    LostReason,
    OpportunityStage,
    ProjectType,
    WorkMethod,
)
from guanxi.sales import selectors
from guanxi.sales.enums import OpportunityStatus, TaskStatus
from guanxi.sales.models import Opportunity, Product, Task

from .conflicts import VersionedFormMixin
from .forms_base import StyledForm, StyledModelForm
from .forms_customers import _active_or_current

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def people_in_scope(reader: Any, module: str, current_id: Any = None) -> QuerySet[User]:
    """The people the reader may assign (`assignable_users`), plus the record's current
    person so that an unchanged form still validates."""
    people = assignable_users(reader=reader, module=module)
    if current_id:
        people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current_id))
    return people.order_by("username")


def wider_than_own(reader: Any, module: str) -> bool:
    return scope_of(reader, module) in {Scope.DEPARTMENT, Scope.ALL}


# --- the customer picker -----------------------------------------------------------------


def customer_label(customer: Customer) -> str:
    return f"{customer.code} · {customer.name}"


class CustomerPickerWidget(forms.Widget):
    """A hidden customer id and a text box to type a code or name in. With JavaScript
    (web/picker.js) the box suggests customers from the autocomplete view and fills the id;
    without it the server finds the customer from the text."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return (data.get(name) or "", data.get(f"{name}_q") or "")

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_q" not in data

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        pk, text = value if isinstance(value, tuple) else ("", "")
        attrs = {**self.attrs, **(attrs or {})}
        field_id = attrs.pop("id", f"id_{name}")
        css = attrs.pop("class", "form-control")
        invalid = attrs.pop("aria-invalid", None)
        return format_html(
            '<input type="hidden" name="{name}" value="{pk}" id="{id}_pk">'
            '<input type="text" name="{name}_q" value="{text}" id="{id}" class="{css}"'
            ' list="{id}_list" autocomplete="off" data-customer-picker="{id}_pk"'
            ' data-url="{url}" placeholder="{placeholder}"{invalid}>'
            '<datalist id="{id}_list"></datalist>',
            name=name,
            pk=pk,
            id=field_id,
            text=text,
            css=css,
            url=reverse("web:customer_autocomplete"),
            placeholder=_("Type a customer code or name"),
            invalid=format_html(' aria-invalid="{}"', invalid) if invalid else "",
        )


class CustomerPickerField(forms.Field):
    """Resolves to a customer in the reader's scope: by the id the picker filled in, else by
    exact code or name, else by a search with exactly one match."""

    widget = CustomerPickerWidget
    default_error_messages = {
        "none": _("No customer you can see matches “%(text)s”."),
        "several": _(
            "Several customers match “%(text)s”; pick one from the list or type its code."
        ),
    }

    def __init__(self, *args: Any, reader: Any = None, **kwargs: Any):
        self.reader = reader
        super().__init__(*args, **kwargs)

    def _visible(self) -> QuerySet[Customer]:
        return customer_selectors.customer_list(reader=self.reader)

    def prepare_value(self, value: Any) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        if isinstance(value, Customer):
            return (str(value.pk), customer_label(value))
        if value in (None, ""):
            return ("", "")
        found = self._visible().filter(pk=value).first() if str(value).isdigit() else None
        return (str(found.pk), customer_label(found)) if found else ("", "")

    def clean(self, value: Any) -> Customer | None:
        pk, text = value if isinstance(value, tuple) else (value, "")
        pk, text = str(pk or "").strip(), str(text or "").strip()
        visible = self._visible()
        if pk.isdigit():
            found = visible.filter(pk=pk).first()
            if found is not None and (not text or text == customer_label(found)):
                return found
        if not text:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        code = text.split(" · ")[0].strip()
        found = visible.filter(code__iexact=code).first() or visible.filter(name=text).first()
        if found is not None:
            return found
        matches = list(customer_selectors.customer_list(reader=self.reader, search=text)[:2])
        if len(matches) == 1:
            return matches[0]
        key = "several" if matches else "none"
        raise ValidationError(self.error_messages[key], code=key, params={"text": text})


def _customer_or_none(form: forms.BaseForm, name: str = "customer") -> Any:
    """The customer of a bound form's data without raising (to fill dependent choices)."""
    field = form.fields[name]
    try:
        return field.clean(field.widget.value_from_datadict(form.data, form.files, name))
    except ValidationError:
        return None


# --- opportunities -----------------------------------------------------------------------


class OpportunityForm(VersionedFormMixin, StyledModelForm):
    customer = CustomerPickerField(label=_("Customer"))

    class Meta:
        model = Opportunity
        fields = [
            "customer",
            "name",
            "project_type",
            "stage",
            "amount",
            "probability",
            "expected_close_date",
            "source",
            "competitors",
            "competitor_notes",
            "owner",
            "notes",
        ]
        widgets = {
            "expected_close_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "competitors": forms.SelectMultiple(attrs={"size": 5}),
        }
        help_texts = {"probability": _("Leave empty to take the stage's default.")}

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].reader = reader
        instance = self.instance
        for name, model in (
            ("project_type", ProjectType),
            ("stage", OpportunityStage),
            ("source", CustomerSource),
        ):
            self.fields[name].queryset = _active_or_current(
                model, getattr(instance, f"{name}_id", None)
            )
        self.fields["stage"].required = False
        self.fields["stage"].empty_label = _("First stage")
        self.fields["probability"] = forms.IntegerField(
            label=self.fields["probability"].label,
            help_text=self.fields["probability"].help_text,
            min_value=0,
            max_value=100,
            required=False,
        )
        self.fields["amount"].required = False
        self.fields["owner"].queryset = people_in_scope(
            reader, "opportunities", getattr(instance, "owner_id", None)
        )
        if instance.pk:
            self.fields["stage"].required = True
            if not instance.is_open:
                self.fields["stage"].disabled = True
                self.fields["stage"].help_text = _("A closed opportunity keeps its stage.")
        else:
            self.fields["owner"].initial = reader.pk
            self.fields["probability"].initial = None

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("amount") is None:
            data.pop("amount", None)
        if self.instance.pk and self.fields["stage"].disabled:
            data.pop("stage", None)
        return data


class OpportunityFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=OpportunityStage.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Any outcome")), *OpportunityStatus.choices],
        required=False,
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    customer = CustomerPickerField(label=_("Customer"), required=False)
    closing_from = forms.DateField(label=_("Signing from"), required=False, widget=DATE)
    closing_to = forms.DateField(label=_("Signing to"), required=False, widget=DATE)

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = OpportunityStage.objects.order_by("sort_order", "code")
        self.fields["owner"].queryset = people_in_scope(reader, "opportunities")
        self.fields["customer"].reader = reader
        for name in ("stage", "owner"):
            self.fields[name].empty_label = self.fields[name].label
        if not wider_than_own(reader, "opportunities"):
            del self.fields["owner"]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("stage", "status", "owner", "customer", "closing_from", "closing_to")
            if data.get(name) not in (None, "")
        }


class BoardFilterForm(StyledForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    customer = CustomerPickerField(label=_("Customer"), required=False)

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_in_scope(reader, "opportunities")
        self.fields["owner"].empty_label = _("Everyone")
        self.fields["customer"].reader = reader
        if not wider_than_own(reader, "opportunities"):
            del self.fields["owner"]


class WinForm(StyledForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LoseForm(StyledForm):
    lost_reason = forms.ModelChoiceField(
        label=_("Lost reason"), queryset=LostReason.objects.none(), required=True
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = LostReason.objects.filter(is_active=True).order_by(
            "sort_order", "code"
        )


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=OpportunityStage.objects.filter(is_active=True))


# --- tasks -------------------------------------------------------------------------------


class TaskForm(VersionedFormMixin, StyledModelForm):
    customer = CustomerPickerField(label=_("Customer"))

    class Meta:
        model = Task
        fields = [
            "customer",
            "opportunity",
            "salesperson",
            "date",
            "time",
            "work_method",
            "purpose",
            "location",
            "result",
        ]
        widgets = {"date": DATE, "time": TIME, "result": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["customer"].reader = reader
        self.fields["work_method"].queryset = _active_or_current(
            WorkMethod, getattr(instance, "work_method_id", None)
        )
        self.fields["salesperson"].queryset = people_in_scope(
            reader, "tasks", getattr(instance, "salesperson_id", None)
        )
        if self.is_bound:
            customer = _customer_or_none(self)
        else:
            customer = self.initial.get("customer") or (
                instance.customer if instance.customer_id else None
            )
            if customer is not None and not isinstance(customer, Customer):
                customer = self.fields["customer"]._visible().filter(pk=customer).first()
        self.fields["opportunity"].queryset = self._opportunities(reader, customer)
        self.fields["opportunity"].help_text = _(
            "Only opportunities of the chosen customer are offered."
        )
        if not instance.pk:
            self.fields["salesperson"].initial = reader.pk
            self.fields["date"].initial = clock.localdate
            del self.fields["result"]

    def _opportunities(self, reader: Any, customer: Any) -> QuerySet[Opportunity]:
        if customer is None:
            return Opportunity.objects.none()
        current = getattr(self.instance, "opportunity_id", None)
        visible = selectors.opportunity_list(reader=reader, filters={"customer": customer.pk})
        q = Q(pk__in=visible.values("pk"))
        if current:
            q |= Q(pk=current)
        return Opportunity.objects.filter(q).order_by("-id")

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""


TASK_PERIODS = [
    ("today", _("Today")),
    ("week", _("This week")),
    ("overdue", _("Overdue")),
    ("upcoming", _("Upcoming")),
    ("done", pgettext_lazy("tasks", "Done")),
    ("all", _("All")),
]


class TaskFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    customer = CustomerPickerField(label=_("Customer"), required=False)
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"), queryset=User.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *TaskStatus.choices], required=False
    )
    opportunity = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].reader = reader
        self.fields["salesperson"].queryset = people_in_scope(reader, "tasks")
        self.fields["salesperson"].empty_label = self.fields["salesperson"].label
        if not wider_than_own(reader, "tasks"):
            del self.fields["salesperson"]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("customer", "salesperson", "status", "opportunity")
            if data.get(name) not in (None, "")
        }


class CompleteTaskForm(StyledForm):
    result = forms.CharField(
        label=_("Result"), required=True, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- products ----------------------------------------------------------------------------


class ProductForm(VersionedFormMixin, StyledModelForm):
    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "specification",
            "unit",
            "list_price",
            "category",
            "features",
            "is_active",
        ]
        widgets = {"features": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, categories: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.attrs["list"] = "product-categories"
        self.categories = categories or []

    def validate_unique(self) -> None:
        """The service checks the code."""

    def _get_validation_exclusions(self) -> set[str]:
        # The case-blind unique constraint on the code is the service's check, which puts
        # its message on the field rather than above the form.
        return {*super()._get_validation_exclusions(), "code"}


class ProductFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any category"))] + [(c, c) for c in categories]

    def active_value(self) -> bool | None:
        value = self.cleaned_data.get("active")
        return None if value in (None, "") else value == "1"
