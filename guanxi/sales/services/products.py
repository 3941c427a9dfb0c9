"""The product catalogue (产品)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.text import pinyin_full, pinyin_initials
from guanxi.common.versioning import bump_version

from ..models import Product
from ..search import product_search_text
from .common import assign

FIELDS = {
    "code",
    "name",
    "specification",
    "unit",
    "list_price",
    "category",
    "features",
    "is_active",
}


def _derive(product: Product) -> None:
    product.code = (product.code or "").strip()
    product.name = (product.name or "").strip()
    product.category = (product.category or "").strip()
    product.name_pinyin = pinyin_full(product.name)[:600]
    product.name_initials = pinyin_initials(product.name)[:200]
    product.search_text = product_search_text(product)


def _check_code_free(product: Product) -> None:
    clash = Product.objects.filter(code__iexact=product.code)
    if product.pk:
        clash = clash.exclude(pk=product.pk)
    if product.code and clash.exists():
        raise ValidationError({"code": _("Another product already has this code.")})


@transaction.atomic
def product_create(*, actor: Any, **fields: Any) -> Product:
    require(actor, Module.PRODUCTS, Action.CREATE)
    product = Product()
    assign(product, fields, FIELDS)
    _derive(product)
    _check_code_free(product)
    stamp(product, actor, new=True)
    product.full_clean(validate_unique=False)
    product.save()
    log_create(user=actor, instance=product)
    return product


@transaction.atomic
def product_update(
    *, actor: Any, product: Product, expected_version: int | None = None, **fields: Any
) -> Product:
    require(actor, Module.PRODUCTS, Action.CHANGE)
    product = Product.objects.select_for_update().get(pk=product.pk)
    bump_version(product, expected_version)
    before = snapshot(product)
    assign(product, fields, FIELDS)
    _derive(product)
    _check_code_free(product)
    stamp(product, actor, new=False)
    product.full_clean(validate_unique=False)
    product.save()
    log_update(user=actor, instance=product, before=before)
    return product


@transaction.atomic
def product_delete(*, actor: Any, product: Product) -> None:
    """Delete a product nobody has used; a product on a contract or sales record is
    deactivated instead (the caller is told)."""
    require(actor, Module.PRODUCTS, Action.DELETE)
    product = Product.objects.select_for_update().get(pk=product.pk)
    log_event(action=AuditAction.DELETE, user=actor, instance=product)
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError:
        raise ValidationError(
            _("This product is used on contracts or sales records; deactivate it instead.")
        ) from None
