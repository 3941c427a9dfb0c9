"""Reference-data pages (基础配置): one set of views serves every list in the registry.

Reading a list is open to every signed-in user (the lists fill the selects of other pages);
creating, changing, reordering and deleting need the `reference` permissions.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.reference.models import ReferenceEntry, Region
from guanxi.reference.registry import REFERENCE_LISTS, extra_fields
from guanxi.reference.services import (
    reference_create,
    reference_delete,
    reference_move,
    reference_update,
)

from ..forms_system import reference_form_class
from ..helpers import add_service_errors, require, safe_next
from ..pagination import paginate
from .system import indent_class


def _model_for(slug: str) -> type[ReferenceEntry]:
    model = REFERENCE_LISTS.get(slug)
    if model is None:
        raise Http404
    return model


def _region_depth(region: Region) -> int:
    return max(region.path.count("/") - 2, 0)


def _display(entry: models.Model, field: models.Field) -> str:
    """A cell of an extra column: choices by label, booleans by yes/no, relations by name."""
    if field.is_relation:
        related = getattr(entry, field.name)
        return str(related) if related is not None else ""
    value = getattr(entry, field.attname)
    if getattr(field, "choices", None):
        return str(getattr(entry, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


@login_required
def reference_index_view(request: HttpRequest) -> HttpResponse:
    lists = [
        {"slug": slug, "title": model._meta.verbose_name_plural}
        for slug, model in REFERENCE_LISTS.items()
    ]
    return render(request, "web/system/reference_index.html", {"lists": lists})


@login_required
def reference_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    model = _model_for(slug)
    extras = [model._meta.get_field(name) for name in extra_fields(model)]
    search = request.GET.get("q", "").strip()
    entries = model.objects.all()
    related = [f.name for f in extras if f.is_relation]
    if related:
        entries = entries.select_related(*related)

    context: dict[str, Any] = {}
    base_depth = 0
    if model is Region:
        parent = None
        if request.GET.get("parent", "").isdigit():
            parent = get_object_or_404(Region, pk=int(request.GET["parent"]))
        entries = entries.annotate(
            has_children=Exists(Region.objects.filter(parent_id=OuterRef("pk")))
        )
        if search:
            # Search the whole subtree and show the hits as a tree.
            if parent is not None:
                entries = entries.filter(path__startswith=parent.path).exclude(pk=parent.pk)
            entries = entries.filter(
                Q(code__icontains=search) | Q(name__icontains=search) | Q(name_en__icontains=search)
            ).order_by("path")
        else:
            # One level at a time, in the order the ↑/↓ buttons set.
            entries = entries.filter(parent=parent).order_by("sort_order", "code")
        ancestors: list[Region] = []
        if parent is not None:
            ids = [int(part) for part in parent.path.strip("/").split("/") if part.isdigit()]
            ancestors = list(Region.objects.filter(pk__in=ids).order_by("path"))
            base_depth = len(ancestors)
        context.update(
            parent=parent,
            ancestors=[{"region": r, "indent": indent_class(i)} for i, r in enumerate(ancestors)],
        )
    elif search:
        entries = entries.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(name_en__icontains=search)
        )

    page_obj = paginate(request, entries, per_page=50)
    rows = []
    for entry in page_obj.object_list:
        if model is Region and search:
            indent = indent_class(_region_depth(entry))  # type: ignore[arg-type]
        else:
            indent = indent_class(base_depth)
        rows.append(
            {"entry": entry, "indent": indent, "extras": [_display(entry, f) for f in extras]}
        )
    context.update(
        slug=slug,
        model=model,
        title=model._meta.verbose_name_plural,
        is_region=model is Region,
        extra_labels=[f.verbose_name for f in extras],
        page_obj=page_obj,
        rows=rows,
        search=search,
        can_reorder=not search,
    )
    return render(request, "web/system/reference_list.html", context)


def _list_url(slug: str, entry: ReferenceEntry | None = None) -> str:
    url = reverse("web:reference_list", args=[slug])
    parent_id = getattr(entry, "parent_id", None)
    if parent_id:
        url += f"?parent={parent_id}"
    return url


def _form_response(
    request: HttpRequest,
    slug: str,
    model: type[ReferenceEntry],
    form: Any,
    entry: ReferenceEntry | None,
) -> HttpResponse:
    return render(
        request,
        "web/system/reference_form.html",
        {
            "slug": slug,
            "title": model._meta.verbose_name_plural,
            "verbose_name": model._meta.verbose_name,
            "form": form,
            "entry": entry,
            "list_url": _list_url(slug, entry),
        },
    )


@login_required
def reference_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    model = _model_for(slug)
    require(request.user, Module.REFERENCE, Action.CREATE)
    form_class = reference_form_class(model)
    initial = {}
    if model is Region and request.GET.get("parent", "").isdigit():
        parent = Region.objects.filter(pk=int(request.GET["parent"])).first()
        if parent is not None:
            initial["parent"] = parent.code
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = reference_create(actor=request.user, model=model, **form.entry_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” created.") % {"name": entry})
            return redirect(_list_url(slug, entry))
    return _form_response(request, slug, model, form, None)


@login_required
def reference_edit_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = _model_for(slug)
    require(request.user, Module.REFERENCE, Action.CHANGE)
    entry = get_object_or_404(model, pk=pk)
    form_class = reference_form_class(model)
    # The form validates a copy, so the service still sees the values before the edit and
    # logs the right old → new.
    form = form_class(request.POST or None, instance=copy.copy(entry))
    if request.method == "POST" and form.is_valid():
        try:
            reference_update(actor=request.user, entry=entry, **form.entry_fields())
        except ValidationError as exc:
            entry.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” saved.") % {"name": entry})
            return redirect(_list_url(slug, entry))
    return _form_response(request, slug, model, form, entry)


@require_POST
@login_required
def reference_move_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = _model_for(slug)
    require(request.user, Module.REFERENCE, Action.CHANGE)
    entry = get_object_or_404(model, pk=pk)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        return HttpResponse(status=400)
    reference_move(actor=request.user, entry=entry, direction=direction)
    return redirect(safe_next(request, _list_url(slug, entry)))


@require_POST
@login_required
def reference_delete_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = _model_for(slug)
    require(request.user, Module.REFERENCE, Action.DELETE)
    entry = get_object_or_404(model, pk=pk)
    name = str(entry)
    back = _list_url(slug, entry)
    try:
        reference_delete(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” deleted.") % {"name": name})
    return redirect(safe_next(request, back))
