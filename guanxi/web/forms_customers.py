from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Module
from guanxi.accounts.models import User
from guanxi.accounts.selectors import assignable_users, user_list
from guanxi.customers.enums import CustomerStatus, ReviewStatus
from guanxi.customers.models import Contact, Customer
from guanxi.reference.models import (
    CustomerCategory,
    CustomerLevel,
    CustomerSource,
    Industry,
    JobTitle,
    Region,
)

from .conflicts import VersionedFormMixin
from .forms_base import StyledForm, StyledModelForm


def _active_or_current(model: Any, current_id: Any) -> Any:
    """Active entries, plus the record's current one even if it was deactivated since."""
    q = Q(is_active=True)
    if current_id:
        q |= Q(pk=current_id)
    qs = model.objects.filter(q)
    if model is Region:
        return qs.order_by("path")
    return qs.order_by("sort_order", "code")


class CustomerForm(VersionedFormMixin, StyledModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    confirm_duplicates = forms.BooleanField(
        label=_("Save anyway: this is not a duplicate"), required=False
    )

    class Meta:
        model = Customer
        fields = [
            "name",
            "short_name",
            "code",
            "credit_code",
            "region",
            "category",
            "industry",
            "level",
            "source",
            "status",
            "owner",
            "phone",
            "website",
            "address",
            "tags",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("Leave empty to number automatically."),
            "tags": _("Separate tags with commas."),
        }

    def __init__(self, *args: Any, reader: Any, show_confirm: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        for name, model in (
            ("region", Region),
            ("category", CustomerCategory),
            ("industry", Industry),
            ("level", CustomerLevel),
            ("source", CustomerSource),
        ):
            current = getattr(self.instance, f"{name}_id", None)
            self.fields[name].queryset = _active_or_current(model, current)
        assignable = assignable_users(reader=reader, module=Module.CUSTOMERS)
        owners = User.objects.filter(
            Q(pk__in=assignable.values("pk")) | Q(pk=self.instance.owner_id or 0)
        ).order_by("username")
        self.fields["owner"].queryset = owners
        self.fields["owner"].required = True
        if not self.instance.pk:
            self.fields["owner"].initial = reader.pk
        if not show_confirm:
            del self.fields["confirm_duplicates"]

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip()

    def validate_unique(self) -> None:
        """The service checks the code, across the recycle bin too."""

    def service_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm_duplicates"}


class CustomerFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=CustomerCategory.objects.filter(is_active=True),
        required=False,
    )
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.filter(is_active=True), required=False
    )
    level = forms.ModelChoiceField(
        label=_("Level"), queryset=CustomerLevel.objects.filter(is_active=True), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *CustomerStatus.choices], required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    review_status = forms.ChoiceField(
        label=_("Review"),
        choices=[("", _("Any review status")), *ReviewStatus.choices],
        required=False,
    )

    def __init__(self, *args: Any, reader: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Provinces and cities: the subtree filter takes in everything below them.
        self.fields["region"].queryset = Region.objects.filter(
            Q(parent__isnull=True) | Q(parent__parent__isnull=True), is_active=True
        ).order_by("path")
        self.fields["owner"].queryset = user_list(reader=reader).filter(is_active=True)
        for name in ("region", "category", "industry", "level", "owner"):
            self.fields[name].empty_label = self.fields[name].label


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the customer is rejected."))
        return data


class ContactForm(VersionedFormMixin, StyledModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "gender",
            "job_title",
            "department",
            "mobile",
            "phone",
            "email",
            "wechat",
            "birthday",
            "is_primary",
            "notes",
        ]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["job_title"].queryset = _active_or_current(
            JobTitle, getattr(self.instance, "job_title_id", None)
        )
