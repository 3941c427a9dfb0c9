"""Form base that styles widgets with Bootstrap classes and marks invalid fields."""

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A select box's rows read in one plain query: Django's iterator() opens a server-side
    cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips per box) to stream rows
    that a page renders whole anyway."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class StyledFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[misc]
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ListedChoiceIterator
                field.widget.choices = field.choices  # the widget holds its own iterator
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass


def _attrs_html(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html in Python."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _label_html(label: Any) -> str:
    return conditional_escape(str(localize(label)))


def _select_html(widget: dict[str, Any]) -> str:
    """django/forms/widgets/select.html (with select_option.html per option) in Python, the
    same markup character for character."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_label_html(group_name)}">')
        for option in group_choices:
            out.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{_label_html(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(DjangoTemplates):
    """Django's template form renderer, except that select boxes are written in Python: a
    filter bar's selects rendered through the widget templates (an include per option and
    per attribute list) took about half of a list page's time."""

    fast = {"django/forms/widgets/select.html": _select_html}

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = self.fast.get(template_name)
        widget = context.get("widget")
        if fast is not None and widget is not None and _is_plain_select(widget):
            # every name, value and label in it went through conditional_escape
            return mark_safe(fast(widget))  # noqa: S308
        return super().render(template_name, context, request=request)


def _is_plain_select(widget: dict[str, Any]) -> bool:
    return all(
        option.get("template_name") == "django/forms/widgets/select_option.html"
        for _name, choices, _index in widget.get("optgroups", ())
        for option in choices
    )
