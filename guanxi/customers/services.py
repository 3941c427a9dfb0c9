"""Writes for customers and contacts: every one checks permission and scope, stamps who and
when, and leaves a history entry, inside one transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module, Scope
from guanxi.accounts.rules import can, scope_of
from guanxi.accounts.scoping import owner_in_scope
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.search import reindex_dependents
from guanxi.common.text import normalize_name, normalize_phone, pinyin_full, pinyin_initials
from guanxi.common.versioning import bump_version

from .enums import CustomerStatus, ReviewStatus
from .models import Contact, Customer
from .search import contact_search_text, customer_search_text

CUSTOMER_FIELDS = {
    "code",
    "name",
    "short_name",
    "region",
    "category",
    "industry",
    "level",
    "source",
    "status",
    "owner",
    "address",
    "phone",
    "website",
    "credit_code",
    "tags",
    "notes",
}
CONTACT_FIELDS = {
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
}


def _require(actor: Any, module: str, action: str) -> None:
    if not can(actor, module, action):
        raise PermissionDenied(_("You do not have permission to do this."))


def _check_owner(actor: Any, owner: Any) -> None:
    """A user may only give a customer to someone inside their own scope, or the record
    would vanish from their sight the moment they save it."""
    if owner is None:
        if scope_of(actor, Module.CUSTOMERS) != Scope.ALL:
            raise ValidationError({"owner": _("Choose the salesperson responsible.")})
        return
    if not owner.is_active:
        raise ValidationError({"owner": _("This user is deactivated.")})
    if owner_in_scope(actor, Module.CUSTOMERS, owner):
        return
    raise ValidationError({"owner": _("You can only assign customers within your own scope.")})


def _check_code_free(customer: Customer) -> None:
    """Codes are unique across the recycle bin too (the default manager hides it)."""
    clash = Customer.all_objects.filter(code=customer.code)
    if customer.pk:
        clash = clash.exclude(pk=customer.pk)
    if customer.code and clash.exists():
        raise ValidationError({"code": _("Another customer already has this code.")})


def _derive(customer: Customer) -> None:
    customer.name = customer.name.strip()
    customer.code = (customer.code or "").strip()
    customer.credit_code = (customer.credit_code or "").strip().upper()
    customer.tags = ", ".join(t for t in (s.strip() for s in customer.tags.split(",")) if t)
    customer.normalized_name = normalize_name(customer.name)
    customer.phone_normalized = normalize_phone(customer.phone)
    customer.name_pinyin = pinyin_full(customer.name)[:600]
    customer.name_initials = pinyin_initials(customer.name)[:200]
    customer.search_text = customer_search_text(customer)


def _assign(instance: Any, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def customer_create(*, actor: Any, **fields: Any) -> Customer:
    """Create a customer. Entered by someone without the review permission, it is pending
    review; entered by a reviewer, it is approved at once."""
    _require(actor, Module.CUSTOMERS, Action.CREATE)
    fields.setdefault("owner", actor)
    customer = Customer()
    _assign(customer, fields, CUSTOMER_FIELDS)
    _check_owner(actor, customer.owner)
    _derive(customer)
    _check_code_free(customer)
    if customer.status == CustomerStatus.LOST:  # entered as lost (e.g. imported history)
        customer.lost_at = clock.now()
    if not customer.code:
        customer.code = f"TMP-{uuid.uuid4().hex[:20]}"
    if can(actor, Module.CUSTOMERS, Action.APPROVE):
        customer.review_status = ReviewStatus.APPROVED
        customer.reviewed_by, customer.reviewed_at = actor, clock.now()
    else:
        customer.review_status = ReviewStatus.PENDING
    stamp(customer, actor, new=True)
    customer.full_clean(validate_unique=False)
    customer.save()
    if customer.code.startswith("TMP-"):
        customer.code = f"C{customer.pk:06d}"
        customer.search_text = customer_search_text(customer)
        customer.save(update_fields=["code", "search_text"])
    log_create(user=actor, instance=customer)
    return customer


@transaction.atomic
def customer_update(
    *, actor: Any, customer: Customer, expected_version: int | None = None, **fields: Any
) -> Customer:
    """Edit a customer. A rejected customer edited by its author goes back to review.
    `expected_version`: the version the edit was made from (Conflict if it is stale)."""
    _require(actor, Module.CUSTOMERS, Action.CHANGE)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    bump_version(customer, expected_version)
    before = snapshot(customer)
    old_owner_id, before_status, old_name = customer.owner_id, customer.status, customer.name
    _assign(customer, fields, CUSTOMER_FIELDS)
    if customer.owner_id != old_owner_id:
        _check_owner(actor, customer.owner)
    _derive(customer)
    if not customer.code:
        raise ValidationError({"code": _("A customer needs a code.")})
    _check_code_free(customer)
    if customer.status != before_status:
        if customer.status == CustomerStatus.LOST:
            # Losing a customer is recorded with its reason (customer_mark_lost).
            raise ValidationError(
                {"status": _("Use “Mark lost” on the customer's page: it asks for the reason.")}
            )
        customer.lost_at = None
    if customer.review_status == ReviewStatus.REJECTED and not can(
        actor, Module.CUSTOMERS, Action.APPROVE
    ):
        customer.review_status = ReviewStatus.PENDING
    stamp(customer, actor, new=False)
    customer.full_clean(validate_unique=False)
    customer.save()
    if customer.name != old_name:
        reindex_dependents(customer)  # contacts, opportunities, contracts quote the name
    log_update(user=actor, instance=customer, before=before)
    return customer


@transaction.atomic
def customer_review(
    *,
    actor: Any,
    customer: Customer,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> Customer:
    _require(actor, Module.CUSTOMERS, Action.APPROVE)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    bump_version(customer, expected_version)
    if customer.review_status != ReviewStatus.PENDING:
        raise ValidationError(_("This customer is not waiting for review."))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Say why the customer is rejected.")})
    before = snapshot(customer)
    customer.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    customer.review_comment = comment
    customer.reviewed_by, customer.reviewed_at = actor, clock.now()
    stamp(customer, actor, new=False)
    customer.save()
    log_update(
        user=actor,
        instance=customer,
        before=before,
        action=AuditAction.REVIEW,
        detail={"decision": customer.review_status, "comment": comment},
    )
    return customer


@transaction.atomic
def customer_mark_lost(
    *, actor: Any, customer: Customer, reason: str, expected_version: int | None = None
) -> Customer:
    """流失: the customer has stopped buying. The reason is required; the customer goes to the
    lost list (for win-back) and becomes active again when a new contract starts executing."""
    _require(actor, Module.CUSTOMERS, Action.CHANGE)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    bump_version(customer, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the customer was lost.")})
    if customer.status == CustomerStatus.LOST:
        raise ValidationError(_("This customer is already marked lost."))
    before = snapshot(customer)
    customer.status, customer.lost_reason, customer.lost_at = (
        CustomerStatus.LOST,
        reason,
        clock.now(),
    )
    stamp(customer, actor, new=False)
    customer.save(update_fields=["status", "lost_reason", "lost_at", "updated_at", "updated_by"])
    log_update(user=actor, instance=customer, before=before, action=AuditAction.TRANSITION)
    return customer


def _sales_totals_follow(customer: Customer, *, live: bool) -> None:
    """The sales summaries (pipeline board, receivables) count only live customers'
    records: move this customer's share out of them or back in, in the same transaction.
    (Imported here, as sales depends on customers and not the other way round.)"""
    from guanxi.sales.services.pipeline import pipeline_customer_moved
    from guanxi.sales.services.receivables import receivables_refresh

    pipeline_customer_moved(customer_id=customer.pk, live=live)
    receivables_refresh(customer_ids=[customer.pk])


@transaction.atomic
def customer_delete(*, actor: Any, customer: Customer, expected_version: int | None = None) -> None:
    """Move the customer to the recycle bin; its contacts stay with it."""
    _require(actor, Module.CUSTOMERS, Action.DELETE)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    bump_version(customer, expected_version)
    customer.deleted_at, customer.deleted_by = clock.now(), actor
    stamp(customer, actor, new=False)
    customer.save(update_fields=["deleted_at", "deleted_by", "updated_at", "updated_by"])
    _sales_totals_follow(customer, live=False)
    log_event(action=AuditAction.DELETE, user=actor, instance=customer)


@transaction.atomic
def customer_restore(*, actor: Any, customer: Customer) -> Customer:
    """Only a user who may delete customers and sees all of them restores from the bin."""
    _require(actor, Module.CUSTOMERS, Action.DELETE)
    if scope_of(actor, Module.CUSTOMERS) != Scope.ALL:
        raise PermissionDenied(_("Only an administrator can restore customers."))
    customer = Customer.all_objects.select_for_update().get(pk=customer.pk)
    bump_version(customer)
    customer.deleted_at, customer.deleted_by = None, None
    stamp(customer, actor, new=False)
    customer.save(update_fields=["deleted_at", "deleted_by", "updated_at", "updated_by"])
    _sales_totals_follow(customer, live=True)
    log_event(action=AuditAction.RESTORE, user=actor, instance=customer)
    return customer


# --- contacts ----------------------------------------------------------------------------


def _derive_contact(contact: Contact) -> None:
    contact.name = contact.name.strip()
    contact.mobile_normalized = normalize_phone(contact.mobile)
    contact.name_pinyin = pinyin_full(contact.name)[:300]
    contact.name_initials = pinyin_initials(contact.name)[:100]
    contact.search_text = contact_search_text(contact, contact.customer.name)


def _make_primary(contact: Contact) -> None:
    Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
        pk=contact.pk
    ).update(is_primary=False)


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, **fields: Any) -> Contact:
    """Add a contact. The first contact of a customer becomes its primary contact."""
    _require(actor, Module.CONTACTS, Action.CREATE)
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    contact = Contact(customer=customer)
    _assign(contact, fields, CONTACT_FIELDS)
    if not Contact.objects.filter(customer=customer, is_primary=True).exists():
        contact.is_primary = True
    _derive_contact(contact)
    stamp(contact, actor, new=True)
    contact.full_clean(validate_constraints=False)
    if contact.is_primary:
        Contact.objects.filter(customer=customer, is_primary=True).update(is_primary=False)
    contact.save()
    log_create(user=actor, instance=contact, parent=customer)
    return contact


@transaction.atomic
def contact_update(
    *, actor: Any, contact: Contact, expected_version: int | None = None, **fields: Any
) -> Contact:
    _require(actor, Module.CONTACTS, Action.CHANGE)
    Customer.objects.select_for_update().filter(pk=contact.customer_id).first()
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    bump_version(contact, expected_version)
    before, old_name = snapshot(contact), contact.name
    fields.pop("customer", None)  # a contact stays with its customer
    was_primary = contact.is_primary
    _assign(contact, fields, CONTACT_FIELDS)
    if was_primary and not contact.is_primary:
        if (
            not Contact.objects.filter(customer_id=contact.customer_id)
            .exclude(pk=contact.pk)
            .exists()
        ):
            contact.is_primary = True  # the only contact stays primary
        else:
            _promote_other(contact)
    _derive_contact(contact)
    stamp(contact, actor, new=False)
    contact.full_clean(validate_constraints=False)
    if contact.is_primary:
        _make_primary(contact)
    contact.save()
    if contact.name != old_name:
        reindex_dependents(contact)  # feedback quotes the name
    log_update(user=actor, instance=contact, before=before, parent=contact.customer)
    return contact


def _promote_other(contact: Contact) -> None:
    other = (
        Contact.objects.filter(customer_id=contact.customer_id)
        .exclude(pk=contact.pk)
        .order_by("id")
        .first()
    )
    if other is not None:
        Contact.objects.filter(pk=contact.pk).update(is_primary=False)
        Contact.objects.filter(pk=other.pk).update(is_primary=True)


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact, expected_version: int | None = None) -> None:
    """Delete a contact; if it was the primary one, the oldest remaining contact takes over."""
    _require(actor, Module.CONTACTS, Action.DELETE)
    Customer.objects.select_for_update().filter(pk=contact.customer_id).first()
    contact = Contact.objects.select_related("customer").get(pk=contact.pk)
    bump_version(contact, expected_version)
    customer = contact.customer
    log_event(action=AuditAction.DELETE, user=actor, instance=contact, parent=customer)
    was_primary = contact.is_primary
    contact.delete()
    if was_primary:
        nxt = Contact.objects.filter(customer=customer).order_by("id").first()
        if nxt is not None:
            Contact.objects.filter(pk=nxt.pk).update(is_primary=True)
