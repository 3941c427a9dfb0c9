"""Reads of customers and contacts, already limited to the reader's scope.

Every page, search, export, report and API call about customers goes through
`customer_scope_q`; a record outside it is simply not there (404, never 403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from guanxi.accounts.enums import Module
from guanxi.accounts.rules import scope_of
from guanxi.accounts.scoping import NOTHING, owner_scope_q
from guanxi.common.models import AuditLog
from guanxi.common.search import search_q
from guanxi.common.selectors import object_history
from guanxi.common.text import normalize_name, normalize_phone
from guanxi.reference.models import Region

from .models import Contact, Customer

CUSTOMER_ORDERINGS = {
    "name",
    "-name",
    "code",
    "-code",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "status",
    "-status",
    "owner",
    "-owner",
    "id",
    "-id",
}
CUSTOMER_FILTERS = ("region", "category", "industry", "level", "status", "owner", "review_status")


def customer_scope_q(reader: Any) -> Q:
    return owner_scope_q(reader, Module.CUSTOMERS)


def _search_q(search: str) -> Q:
    if not search.strip():
        return Q()
    return search_q(Customer, search)


def customer_list(
    *,
    reader: Any,
    search: str = "",
    filters: dict[str, Any] | None = None,
    ordering: str = "-id",
) -> QuerySet[Customer]:
    qs = Customer.objects.filter(customer_scope_q(reader)).select_related(
        "region", "category", "industry", "level", "owner"
    )
    qs = qs.filter(_search_q(search))
    for name, value in (filters or {}).items():
        if value in (None, "") or name not in CUSTOMER_FILTERS:
            continue
        if name == "region":
            region = value if isinstance(value, Region) else Region.objects.filter(pk=value).first()
            qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
        else:
            qs = qs.filter(**{name: value})
    if ordering not in CUSTOMER_ORDERINGS:
        ordering = "-id"
    tie = "-id" if ordering.startswith("-") else "id"
    return qs.order_by(ordering, tie) if ordering.lstrip("-") != "id" else qs.order_by(ordering)


def access_customer_by_id(*, reader: Any, customer_id: Any) -> Customer:
    """Fetch a customer the reader may see; anything else is 404."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (
        Customer.objects.filter(customer_scope_q(reader))
        .select_related(
            "region",
            "category",
            "industry",
            "level",
            "source",
            "owner",
            "reviewed_by",
            "created_by",
            "updated_by",
        )
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise Http404
    return customer


def customer_recycle_bin(*, reader: Any) -> QuerySet[Customer]:
    return (
        Customer.all_objects.filter(deleted_at__isnull=False)
        .filter(customer_scope_q(reader))
        .select_related("owner", "deleted_by")
        .order_by("-deleted_at", "-id")
    )


def access_deleted_customer_by_id(*, reader: Any, customer_id: Any) -> Customer:
    try:
        return customer_recycle_bin(reader=reader).get(pk=int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def customer_duplicates(
    *, reader: Any, name: str = "", credit_code: str = "", phone: str = "", exclude_pk: Any = None
) -> tuple[list[Customer], int]:
    """Customers that look like the one being entered: (those the reader may see, how many
    others exist that they may not see — counted, never shown)."""
    q = Q()
    normalized = normalize_name(name)
    if normalized:
        q |= Q(normalized_name=normalized)
    if credit_code:
        q |= Q(credit_code=credit_code.strip().upper())
    digits = normalize_phone(phone)
    if len(digits) >= 7:
        q |= Q(phone_normalized=digits)
    if not q:
        return [], 0
    matches = Customer.objects.filter(q)
    if exclude_pk:
        matches = matches.exclude(pk=exclude_pk)
    scope_q = customer_scope_q(reader)
    visible = list(matches.filter(scope_q).select_related("owner")[:10])
    hidden = 0 if scope_q == Q() else matches.exclude(scope_q)[:100].count()
    return visible, hidden


def customer_history(*, customer: Customer) -> QuerySet[AuditLog]:
    """Every change of the customer and of its contacts, newest first."""
    return object_history(customer, with_children=True)


# --- contacts ----------------------------------------------------------------------------


def contact_scope_q(reader: Any) -> Q:
    """A contact is visible with its customer (the customers rule, on the customer's owner,
    through the join the list makes anyway rather than a subquery of every customer)."""
    if scope_of(reader, Module.CONTACTS) is None:
        return NOTHING
    inner = owner_scope_q(reader, Module.CUSTOMERS, owner_field="customer__owner")
    if inner == NOTHING:
        return NOTHING
    return Q(customer__deleted_at__isnull=True) & inner


CONTACT_ORDERINGS = {"name", "-name", "customer", "-customer", "id", "-id", "-is_primary"}


def contact_list(
    *, reader: Any, search: str = "", customer_id: Any = None, ordering: str = "name"
) -> QuerySet[Contact]:
    qs = Contact.objects.filter(contact_scope_q(reader)).select_related("customer", "job_title")
    if customer_id not in (None, ""):
        try:
            qs = qs.filter(customer_id=int(customer_id))
        except (TypeError, ValueError):
            return qs.none()
    if search.strip():
        qs = qs.filter(search_q(Contact, search))
    if ordering not in CONTACT_ORDERINGS:
        ordering = "name"
    field = ordering.replace("customer", "customer__name")
    return qs.order_by(field, "id")


def access_contact_by_id(*, reader: Any, contact_id: Any) -> Contact:
    try:
        pk = int(contact_id)
    except (TypeError, ValueError):
        raise Http404 from None
    contact = (
        Contact.objects.filter(contact_scope_q(reader))
        .select_related("customer", "job_title", "created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise Http404
    return contact
