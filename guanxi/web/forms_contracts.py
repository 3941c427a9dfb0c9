"""Forms of the contract, payment, sales-record and sales-settings pages.

They parse input only; the services decide (totals, states, scope). Two pickers are shared:
a customer picker (a hidden id filled by the autocomplete, or a typed code or name that the
server resolves when scripts are off) and a product select of the first active products,
which the search endpoint extends.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Module
from guanxi.accounts.models import User
from guanxi.accounts.selectors import assignable_users, user_list
from guanxi.common import clock
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_list
from guanxi.sales import selectors
from guanxi.sales.enums import ContractStatus, PaymentMethod
from guanxi.sales.models import Opportunity, Product, SalesSettings

from .conflicts import VersionedFormMixin
from .forms_base import StyledForm, StyledModelForm

# How many products a plain <select> offers; the search endpoint finds the others.
PRODUCT_SELECT_CAP = 500
DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


MAX_ID = 2**63 - 1


def as_id(value: Any) -> int | None:
    """A posted or typed record id as an int, or None for anything else (words, huge
    numbers that no database column holds)."""
    text = str(value if value is not None else "").strip()
    if not text.isdecimal() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _date_input() -> forms.DateInput:
    return forms.DateInput(**DATE_WIDGET)


def _people(reader: Any, current_id: Any = None) -> Any:
    """Active users the reader may hand contracts to, plus the record's current person."""
    q = Q(pk__in=assignable_users(reader=reader, module=Module.CONTRACTS).values("pk"))
    if current_id:
        q |= Q(pk=current_id)
    return User.objects.filter(q).order_by("username")


# --- customer picker ---------------------------------------------------------------------


def customer_label(customer: Customer | None) -> str:
    return f"{customer.code} {customer.name}" if customer is not None else ""


class CustomerPickerWidget(forms.Widget):
    """A hidden id plus a visible text box. contract_lines.js turns the text box into an
    autocomplete that fills the id; without scripts the server resolves the typed text."""

    template_name = "web/contracts/widgets/customer_picker.html"
    autocomplete_url = ""
    queryset: Any = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return ((data.get(name) or "").strip(), (data.get(f"{name}_label") or "").strip())

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_label" not in data

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        pk, label = "", ""
        if isinstance(value, tuple):
            pk, label = value
        elif isinstance(value, Customer):
            pk, label = str(value.pk), customer_label(value)
        elif value not in (None, ""):
            pk = str(value)
        if pk and not label and self.queryset is not None and as_id(pk):
            label = customer_label(self.queryset.filter(pk=as_id(pk)).first())
        context["widget"].update(
            {"pk": pk, "label": label, "autocomplete_url": self.autocomplete_url}
        )
        return context


class CustomerPickField(forms.Field):
    widget = CustomerPickerWidget

    queryset: Any = Customer.objects.none()
    reader: Any = None

    def setup(self, reader: Any, autocomplete_url: str = "") -> None:
        """Bind the field (a per-form copy) to the reader's customers and the search URL."""
        self.reader = reader
        self.queryset = customer_list(reader=reader, ordering="name")
        self.widget.queryset = self.queryset
        self.widget.autocomplete_url = autocomplete_url

    def prepare_value(self, value: Any) -> Any:
        return value

    def to_python(self, value: Any) -> Customer | None:
        if isinstance(value, Customer):
            return value
        pk, label = value if isinstance(value, tuple) else (str(value or ""), "")
        if pk:
            found = self.queryset.filter(pk=as_id(pk)).first() if as_id(pk) else None
            if found is None:
                raise forms.ValidationError(_("Choose a customer you can see."))
            return found
        if not label:
            return None
        return self._resolve(label)

    def _resolve(self, text: str) -> Customer:
        """Typed text without a picked id: an exact code, then an exact name, then a single
        search hit."""
        base = self.queryset.order_by()
        code = text.split(" ", 1)[0]
        for q in (Q(code__iexact=code), Q(name=text), Q(short_name=text)):
            hits = list(base.filter(q)[:2])
            if len(hits) == 1:
                return hits[0]
        hits = list(customer_list(reader=self.reader, search=text, ordering="name")[:2])
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise forms.ValidationError(
                _("No customer you can see matches “%(text)s”."), params={"text": text}
            )
        raise forms.ValidationError(
            _("Several customers match “%(text)s”; pick one from the list or type its code."),
            params={"text": text},
        )

    def has_changed(self, initial: Any, data: Any) -> bool:
        initial_pk = str(initial.pk if isinstance(initial, Customer) else (initial or ""))
        pk, label = data if isinstance(data, tuple) else (str(data or ""), "")
        return (pk or label) != initial_pk and bool(pk or label or initial_pk)


# --- product choices ---------------------------------------------------------------------


def product_label(product: Product) -> str:
    text = f"{product.code} {product.name}"
    if product.specification:
        text += f" · {product.specification}"
    return text


def product_choices(reader: Any, extra_ids: set[int] | None = None) -> list[tuple[Any, str]]:
    """The first active products by code, plus `extra_ids` (lines already on the record and
    products picked through the search): two queries, whatever the number of lines."""
    products = list(selectors.product_list(reader=reader, active=True)[:PRODUCT_SELECT_CAP])
    seen = {p.pk for p in products}
    missing = {pk for pk in (extra_ids or set()) if pk not in seen}
    if missing:
        products += list(Product.objects.filter(pk__in=missing).order_by("code"))
    return [("", "---------"), *[(p.pk, product_label(p)) for p in products]]


def posted_ids(data: Any, suffix: str) -> set[int]:
    """Integer values of every posted key ending in `suffix` (e.g. lines-3-product)."""
    ids = set()
    for key in data or {}:
        if key == suffix or key.endswith("-" + suffix):
            value = as_id(data.get(key))
            if value is not None:
                ids.add(value)
    return ids


class ProductSelect(forms.Select):
    """A product <select> whose line in the page the picker script can fill."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.attrs.setdefault("data-product-select", "")


# --- contracts ---------------------------------------------------------------------------


class ContractForm(VersionedFormMixin, StyledForm):
    customer = CustomerPickField(label=_("Customer"))
    opportunity = forms.ModelChoiceField(
        label=_("Opportunity"), queryset=Opportunity.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    signed_on = forms.DateField(label=_("Signing date"), required=False, widget=_date_input())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        reader: Any,
        customer_id: Any = None,
        owner_id: Any = None,
        opportunity_url: str = "",
        autocomplete_url: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["customer"].setup(reader, autocomplete_url)
        self.fields["owner"].queryset = _people(reader, owner_id)
        customer_pk = as_id(customer_id)
        opportunities = Opportunity.objects.none()
        if customer_pk is not None:
            opportunities = selectors.opportunity_list(
                reader=reader, filters={"customer": customer_pk}
            )
        self.fields["opportunity"].queryset = opportunities
        self.fields["opportunity"].widget.attrs.update(
            {"data-opportunity-select": "", "data-options-url": opportunity_url}
        )

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ContractNotesForm(VersionedFormMixin, StyledForm):
    """What stays editable after a contract was submitted."""

    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class LineForm(StyledForm):
    product = forms.TypedChoiceField(
        label=_("Product"), coerce=int, choices=(), widget=ProductSelect
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        initial=Decimal("1"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, product_choices: list | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = product_choices or [("", "---------")]

    def line(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "product": data["product"],
            "quantity": data["quantity"],
            "unit_price": data.get("unit_price"),
        }


LineFormSet = forms.formset_factory(LineForm, extra=0, can_delete=True, max_num=200)


class ContractFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ContractStatus.choices], required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    customer = CustomerPickField(label=_("Customer"), required=False)
    signed_from = forms.DateField(label=_("Signed from"), required=False, widget=_date_input())
    signed_to = forms.DateField(label=_("Signed to"), required=False, widget=_date_input())
    outstanding = forms.BooleanField(label=_("With outstanding amount"), required=False)

    def __init__(self, *args: Any, reader: Any, autocomplete_url: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = user_list(reader=reader).filter(is_active=True)
        self.fields["owner"].empty_label = _("Any owner")
        self.fields["customer"].setup(reader, autocomplete_url)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data.get("status") or None,
            "owner": data["owner"].pk if data.get("owner") else None,
            "customer": data["customer"].pk if data.get("customer") else None,
            "signed_from": data.get("signed_from"),
            "signed_to": data.get("signed_to"),
            "outstanding": bool(data.get("outstanding")),
        }


class DecisionForm(StyledForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TerminateForm(StyledForm):
    comment = forms.CharField(
        label=_("Reason for terminating"), widget=forms.Textarea(attrs={"rows": 2})
    )


# --- payments ----------------------------------------------------------------------------


class PaymentForm(StyledForm):
    date = forms.DateField(label=_("Date received"), widget=_date_input())
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = clock.localdate()


class PaymentFilterForm(StyledForm):
    customer = CustomerPickField(label=_("Customer"), required=False)
    contract = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())

    def __init__(self, *args: Any, reader: Any, autocomplete_url: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].setup(reader, autocomplete_url)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "customer": data["customer"].pk if data.get("customer") else None,
            "contract": data.get("contract"),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


class ReceivablesFilterForm(StyledForm):
    customer = CustomerPickField(label=_("Customer"), required=False)

    def __init__(self, *args: Any, reader: Any, autocomplete_url: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].setup(reader, autocomplete_url)


# --- sales records -----------------------------------------------------------------------


class SalesRecordForm(StyledForm):
    customer = CustomerPickField(label=_("Customer"))
    product = forms.TypedChoiceField(
        label=_("Product"), coerce=int, choices=(), widget=ProductSelect
    )
    salesperson = forms.ModelChoiceField(label=_("Salesperson"), queryset=None)
    date = forms.DateField(label=_("Date"), widget=_date_input())
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    notes = forms.CharField(label=_("Notes"), max_length=255, required=False)

    def __init__(
        self,
        *args: Any,
        reader: Any,
        product_choices: list,
        salesperson_id: Any = None,
        autocomplete_url: str = "",
        new: bool = True,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["customer"].setup(reader, autocomplete_url)
        self.fields["product"].choices = product_choices
        self.fields["salesperson"].queryset = _people(reader, salesperson_id)
        if new:
            self.fields["unit_price"].required = False
            self.fields["unit_price"].help_text = _("Empty: the product's list price.")
            self.fields["date"].initial = clock.localdate()
            self.fields["salesperson"].initial = reader.pk

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["product"] = Product.objects.get(pk=data["product"])
        if data.get("unit_price") is None:
            data.pop("unit_price", None)
        return data


class SalesRecordFilterForm(StyledForm):
    customer = CustomerPickField(label=_("Customer"), required=False)
    product = forms.TypedChoiceField(
        label=_("Product"), coerce=int, choices=(), required=False, empty_value=None
    )
    salesperson = forms.ModelChoiceField(label=_("Salesperson"), queryset=None, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    contract = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )

    def __init__(
        self, *args: Any, reader: Any, product_choices: list, autocomplete_url: str = "", **kw: Any
    ):
        super().__init__(*args, **kw)
        self.fields["customer"].setup(reader, autocomplete_url)
        choices = [("", _("Any product")), *product_choices[1:]]
        self.fields["product"].choices = choices
        self.fields["salesperson"].queryset = user_list(reader=reader)
        self.fields["salesperson"].empty_label = _("Any salesperson")

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "customer": data["customer"].pk if data.get("customer") else None,
            "product": data.get("product"),
            "salesperson": data["salesperson"].pk if data.get("salesperson") else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "contract": data.get("contract"),
        }


# --- settings ----------------------------------------------------------------------------


class SalesSettingsForm(StyledModelForm):
    class Meta:
        model = SalesSettings
        fields = ["contract_number_pattern", "approval_rule", "approval_threshold"]

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
