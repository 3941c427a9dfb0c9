"""Product catalogue pages. A product in use cannot be deleted; it is deactivated instead."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import Action, Module
from guanxi.common.history import history_rows
from guanxi.common.selectors import object_history
from guanxi.common.versioning import Conflict
from guanxi.sales import selectors
from guanxi.sales.services import products as services

from ..conflicts import render_conflict
from ..forms_sales import ProductFilterForm, ProductForm
from ..helpers import add_service_errors, require
from ..pagination import paginate


def get_product(request: HttpRequest, pk: Any) -> Any:
    """403 without the view permission."""
    require(request.user, Module.PRODUCTS, Action.VIEW)
    return selectors.access_product_by_id(reader=request.user, product_id=pk)


@login_required
def product_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.PRODUCTS, Action.VIEW)
    form = ProductFilterForm(request.GET or None, categories=selectors.product_categories())
    search, category, active = "", "", None
    if form.is_valid():
        search = form.cleaned_data.get("q") or ""
        category = form.cleaned_data.get("category") or ""
        active = form.active_value()
    qs = selectors.product_list(
        reader=request.user, search=search, category=category, active=active
    )
    return render(
        request, "web/products/list.html", {"form": form, "page_obj": paginate(request, qs)}
    )


def _save(request: HttpRequest, product: Any = None) -> HttpResponse:
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                saved = services.product_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("Product “%s” created.") % saved)
            else:
                saved = services.product_update(
                    actor=request.user,
                    product=product,
                    expected_version=form.expected_version,
                    **form.cleaned_data,
                )
                messages.success(request, _("Product “%s” saved.") % saved)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            current = get_product(request, product.pk)
            return render_conflict(
                request,
                "web/products/form.html",
                {"product": current, "categories": selectors.product_categories()},
                exc=exc,
                current=current,
                make_form=lambda data: ProductForm(data, instance=current),
            )
        else:
            return redirect("web:product_detail", pk=saved.pk)
    return render(
        request,
        "web/products/form.html",
        {"form": form, "product": product, "categories": selectors.product_categories()},
    )


@login_required
def product_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, Module.PRODUCTS, Action.CREATE)
    return _save(request)


@login_required
def product_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_product(request, pk)
    require(request.user, Module.PRODUCTS, Action.CHANGE)
    return _save(request, product)


def _detail(request: HttpRequest, product: Any, in_use: str = "") -> HttpResponse:
    page = paginate(request, object_history(product), 20)
    return render(
        request,
        "web/products/detail.html",
        {
            "product": product,
            "in_use": in_use,
            "page_obj": page,
            "history_rows": history_rows(page.object_list),
        },
    )


@login_required
def product_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_product(request, pk)
    return _detail(request, product)


@login_required
@require_POST
def product_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_product(request, pk)
    require(request.user, Module.PRODUCTS, Action.DELETE)
    try:
        services.product_delete(actor=request.user, product=product)
    except ValidationError as exc:
        return _detail(request, product, in_use=" ".join(exc.messages))
    messages.success(request, _("Product “%s” deleted.") % product)
    return redirect("web:product_list")


@login_required
@require_POST
def product_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a product out of the catalogue's choices (the way out for one in use)."""
    product = get_product(request, pk)
    require(request.user, Module.PRODUCTS, Action.CHANGE)
    services.product_update(actor=request.user, product=product, is_active=False)
    messages.success(request, _("Product “%s” deactivated.") % product)
    return redirect("web:product_detail", pk=product.pk)
