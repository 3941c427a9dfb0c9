"""Forms for sign-in and own password. Domain forms live beside their views' module."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_base import StyledForm


class LoginForm(StyledForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class PasswordChangeForm(StyledForm):
    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput, strip=False
    )
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, strip=False
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords differ."))
        return data
