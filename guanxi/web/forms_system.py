"""Forms of the system-management pages: users, departments, roles, reference lists, audit filter.

The forms only parse input. Rules (unique codes, password strength, tree moves, entries in
use) live in the services; their ValidationErrors are put next to the fields with
`guanxi.web.helpers.add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Action, Gender, Module, Scope, perm_code
from guanxi.accounts.models import Department, Role, User
from guanxi.common.models import AuditAction
from guanxi.reference.models import ReferenceEntry, Region
from guanxi.reference.registry import extra_fields

from .forms_base import StyledForm, StyledModelForm


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments as an indented tree in a select."""

    def label_from_instance(self, obj: Department) -> str:
        label = "— " * obj.depth + obj.name
        if not obj.is_active:
            label += " " + str(_("(inactive)"))
        return label


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Role) -> str:
        label = str(obj)
        if not obj.is_active:
            label += " " + str(_("(inactive)"))
        return label


# --- users -------------------------------------------------------------------------------


class UserForm(StyledForm):
    """Edit a user's details and roles. The create form adds the initial password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, required=False)
    department = DepartmentChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    roles = RoleChoiceField(
        label=_("Roles"),
        queryset=Role.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=User._meta.get_field("language").choices,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("path")
        self.fields["roles"].queryset = Role.objects.order_by("id")

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(user, name)
            for name in ("username", "display_name", "gender", "phone", "email", "address")
        }
        initial["language"] = user.language
        initial["department"] = user.department_id
        initial["roles"] = [role.pk for role in user.roles.all()]
        return initial

    def user_fields(self) -> dict[str, Any]:
        """The cleaned values the user services take as keyword arguments (roles apart)."""
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "gender": data["gender"],
            "department": data["department"],
            "phone": data["phone"],
            "email": data["email"],
            "address": data["address"],
            "language": data["language"],
        }


class PasswordPairMixin:
    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))  # type: ignore[attr-defined]
        return data


class UserCreateForm(PasswordPairMixin, UserForm):
    password1 = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, strip=False
    )
    password2 = forms.CharField(
        label=_("Initial password again"), widget=forms.PasswordInput, strip=False
    )


class PasswordResetForm(PasswordPairMixin, StyledForm):
    password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, strip=False
    )


# --- departments -------------------------------------------------------------------------


class DepartmentForm(StyledForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = DepartmentChoiceField(
        label=_("Parent department"), queryset=Department.objects.none(), required=False
    )
    head = forms.ModelChoiceField(label=_("Head"), queryset=User.objects.none(), required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Department.objects.order_by("path")
        heads = User.objects.filter(is_active=True)
        if department is not None:
            # A department cannot move under itself or one of its own sub-departments.
            parents = parents.exclude(path__startswith=department.path)
            if department.head_id:
                heads = User.objects.filter(Q(is_active=True) | Q(pk=department.head_id))
        self.fields["parent"].queryset = parents
        self.fields["head"].queryset = heads.order_by("username")

    @classmethod
    def initial_for(cls, department: Department) -> dict[str, Any]:
        return {
            "code": department.code,
            "name": department.name,
            "parent": department.parent_id,
            "head": department.head_id,
            "sort_order": department.sort_order,
            "is_active": department.is_active,
        }


# --- roles -------------------------------------------------------------------------------


def perm_field_name(module: str, action: str) -> str:
    return f"perm_{module}_{action}"


class RoleForm(StyledForm):
    """A role's details and its permission matrix: one checkbox per module × action."""

    DETAIL_FIELDS = ("code", "name", "name_en", "description", "scope", "is_active")

    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=Scope.choices,
        initial=Scope.OWN,
        help_text=_("Which records of the permitted modules a user with this role sees."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for module in Module:
            for action in Action:
                self.fields[perm_field_name(module.value, action.value)] = forms.BooleanField(
                    label=f"{module.label}: {action.label}",
                    required=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )

    @classmethod
    def initial_for(cls, role: Role) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(role, name) for name in cls.DETAIL_FIELDS}
        for code in role.permissions or []:
            module, _sep, action = code.partition(".")
            initial[perm_field_name(module, action)] = True
        return initial

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DETAIL_FIELDS]

    def matrix(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Rows of (module label, [checkbox per action]) for the template."""
        return [
            (module.label, [self[perm_field_name(module.value, a.value)] for a in Action])
            for module in Module
        ]

    def permission_codes(self) -> list[str]:
        return [
            perm_code(module, action)
            for module in Module.values
            for action in Action.values
            if self.cleaned_data.get(perm_field_name(module, action))
        ]

    def role_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.DETAIL_FIELDS}


# --- reference lists ---------------------------------------------------------------------


class RegionCodeField(forms.ModelChoiceField):
    """The parent of a region, typed as its code: a select of ~3,500 regions is unusable."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(queryset=Region.objects.all(), to_field_name="code", **kwargs)
        self.error_messages["invalid_choice"] = _("No region has this code.")


class ReferenceEntryForm(StyledModelForm):
    """Base of the per-list forms that `reference_form_class` builds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sort_order = self.fields["sort_order"]
        sort_order.required = False
        if self.instance.pk is None:
            sort_order.initial = None
            sort_order.help_text = _("Leave empty to put the entry at the end.")
        if isinstance(self.instance, Region):
            self.fields["parent"] = RegionCodeField(
                label=self.fields["parent"].label,
                required=False,
                help_text=_("Code of the parent region; empty for the top level."),
            )
            self.fields["parent"].widget.attrs["class"] = "form-control"
            if self.instance.pk is not None and self.instance.parent_id:
                self.initial["parent"] = self.instance.parent.code

    def entry_fields(self) -> dict[str, Any]:
        """Cleaned values as service keyword arguments; an empty sort order is left out."""
        fields = {name: self.cleaned_data[name] for name in self._meta.fields}
        if fields.get("sort_order") is None:
            fields.pop("sort_order", None)
        return fields


def reference_form_class(model: type[ReferenceEntry]) -> type[ReferenceEntryForm]:
    names = ["code", "name", "name_en", "sort_order", "is_active", *extra_fields(model)]
    return forms.modelform_factory(model, form=ReferenceEntryForm, fields=names)


# --- audit log ---------------------------------------------------------------------------


class AuditFilterForm(StyledForm):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("All actions")), *AuditAction.choices],
        required=False,
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_("The exact login name."),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
