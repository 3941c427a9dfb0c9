"""Forms of the market pages: competitors and industry news. They only parse input; the
services check every rule again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.common import clock
from guanxi.market.models import Competitor, IndustryNews, PriceLevel
from guanxi.reference.models import Industry

from .forms_base import StyledForm, StyledModelForm
from .forms_customers import _active_or_current
from .forms_sales import DATE


class CompetitorForm(StyledModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Competitor
        fields = ["name", "website", "price_level", "products", "strengths", "weaknesses", "notes"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("products", "strengths", "weaknesses", "notes")
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["price_level"].choices = PriceLevel.choices

    def _post_clean(self) -> None:
        """The service validates the model (and the name being free); the form only parses."""


class CompetitorFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    price_level = forms.ChoiceField(
        label=_("Price level"),
        choices=[("", _("Any price level")), *[c for c in PriceLevel.choices if c[0]]],
        required=False,
    )


class NewsForm(StyledModelForm):
    url = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=500)
    competitors = forms.ModelMultipleChoiceField(
        label=_("Competitors"),
        queryset=Competitor.objects.order_by("name", "id"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("The competitors this news is about."),
    )

    class Meta:
        model = IndustryNews
        fields = [
            "title",
            "published_on",
            "source",
            "url",
            "industry",
            "tags",
            "competitors",
            "content",
        ]
        widgets = {"published_on": DATE, "content": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"tags": _("Separate tags with commas.")}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = _active_or_current(
            Industry, getattr(self.instance, "industry_id", None)
        )
        if not self.instance.pk:
            self.fields["published_on"].initial = clock.localdate
        else:
            self.initial["competitors"] = list(self.instance.competitors.all())

    def _post_clean(self) -> None:
        """The service validates the model; the form only parses."""

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["competitors"] = list(data.get("competitors") or [])
        return data


class NewsFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.none(), required=False
    )
    competitor = forms.ModelChoiceField(
        label=_("Competitor"), queryset=Competitor.objects.none(), required=False
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.order_by("sort_order", "code")
        self.fields["industry"].empty_label = _("Any industry")
        self.fields["competitor"].queryset = Competitor.objects.order_by("name", "id")
        self.fields["competitor"].empty_label = _("Any competitor")
        self.fields["tag"].widget.attrs["placeholder"] = _("Tag")

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("industry", "competitor", "tag", "date_from", "date_to")
            if data.get(name) not in (None, "")
        }
