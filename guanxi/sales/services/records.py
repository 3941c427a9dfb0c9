"""Sales records (销售情况) entered directly, payments received (回款), sales settings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.accounts.scoping import owner_in_scope
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction

from ..enums import PAYABLE_STATUSES
from ..models import ZERO, Contract, Payment, SalesRecord, SalesSettings
from .common import assign, check_customer, check_owner
from .contracts import MAX_MONEY, MAX_QUANTITY, line_amount, validate_number_pattern
from .receivables import receivables_refresh

RECORD_FIELDS = {
    "customer",
    "product",
    "salesperson",
    "date",
    "quantity",
    "unit_price",
    "notes",
}
PAYMENT_FIELDS = {"date", "amount", "method", "note"}
SETTINGS_FIELDS = {"contract_number_pattern", "approval_rule", "approval_threshold"}


def _number(value: Any) -> Decimal | None:
    """A finite Decimal, or None for anything else (full_clean then names the field)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _amount(record: SalesRecord) -> None:
    quantity, unit_price = _number(record.quantity), _number(record.unit_price)
    if quantity is None or unit_price is None:
        return  # full_clean reports the field that is not a number
    if quantity > MAX_QUANTITY or unit_price > MAX_MONEY:
        raise ValidationError({"quantity": _("The amounts are too large.")})
    record.amount = line_amount(quantity, unit_price)
    if record.amount > MAX_MONEY:
        raise ValidationError({"quantity": _("The amounts are too large.")})


@transaction.atomic
def sales_record_create(*, actor: Any, **fields: Any) -> SalesRecord:
    """A sale entered by hand (history before the system, or reported by a salesperson)."""
    require(actor, Module.SALES_RECORDS, Action.CREATE)
    fields.setdefault("salesperson", actor)
    record = SalesRecord()
    assign(record, fields, RECORD_FIELDS)
    record.customer = check_customer(actor, record.customer_id and record.customer)
    check_owner(actor, Module.SALES_RECORDS, record.salesperson, field="salesperson")
    if record.product_id is None:
        raise ValidationError({"product": _("Choose a product.")})
    if record.unit_price in (None, ""):
        record.unit_price = record.product.list_price
    _amount(record)
    stamp(record, actor, new=True)
    record.full_clean(exclude=["amount"])  # computed above, checked against MAX_MONEY
    record.save()
    log_create(user=actor, instance=record, parent=record.customer)
    return record


def _check_direct(record: SalesRecord) -> None:
    if record.contract_line_id or record.contract_id:
        raise ValidationError(_("This record comes from a contract; change the contract instead."))


@transaction.atomic
def sales_record_update(*, actor: Any, record: SalesRecord, **fields: Any) -> SalesRecord:
    require(actor, Module.SALES_RECORDS, Action.CHANGE)
    record = SalesRecord.objects.select_for_update().get(pk=record.pk)
    _check_direct(record)
    before = snapshot(record)
    old_customer, old_person = record.customer_id, record.salesperson_id
    assign(record, fields, RECORD_FIELDS)
    if record.customer_id != old_customer:
        record.customer = check_customer(actor, record.customer)
    if record.salesperson_id != old_person:
        check_owner(actor, Module.SALES_RECORDS, record.salesperson, field="salesperson")
    _amount(record)
    stamp(record, actor, new=False)
    record.full_clean(exclude=["amount"])  # computed above, checked against MAX_MONEY
    record.save()
    log_update(user=actor, instance=record, before=before, parent=record.customer)
    return record


@transaction.atomic
def sales_record_delete(*, actor: Any, record: SalesRecord) -> None:
    require(actor, Module.SALES_RECORDS, Action.DELETE)
    record = SalesRecord.objects.select_related("customer").get(pk=record.pk)
    _check_direct(record)
    log_event(action=AuditAction.DELETE, user=actor, instance=record, parent=record.customer)
    record.delete()


# --- payments ----------------------------------------------------------------------------


def _lock_contract(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("customer", "owner")
        .get(pk=contract.pk)
    )


def _check_contract_scope(actor: Any, contract: Contract) -> None:
    """Money is recorded only against a contract the actor can see (payments follow the
    contract's owner), never one of a customer in the recycle bin."""
    if contract.customer.deleted_at is not None or not owner_in_scope(
        actor, Module.PAYMENTS, contract.owner
    ):
        raise ValidationError({"contract": _("Choose a contract you can see.")})


def _recompute_paid(contract: Contract) -> Decimal:
    return contract.payments.aggregate(s=Sum("amount"))["s"] or ZERO


def _check_date(payment: Payment) -> None:
    if payment.date > clock.localdate():
        raise ValidationError({"date": _("A payment cannot be received in the future.")})


@transaction.atomic
def payment_create(*, actor: Any, contract: Contract, **fields: Any) -> Payment:
    """Record money received. The contract row is locked while the sum is checked, so two
    payments at once cannot together exceed the total."""
    require(actor, Module.PAYMENTS, Action.CREATE)
    contract = _lock_contract(contract)
    _check_contract_scope(actor, contract)
    if contract.status not in PAYABLE_STATUSES:
        raise ValidationError(
            {
                "contract": _(
                    "Payments are recorded only against approved, executing or completed contracts."
                )
            }
        )
    payment = Payment(contract=contract)
    assign(payment, fields, PAYMENT_FIELDS)
    stamp(payment, actor, new=True)
    payment.full_clean()
    _check_date(payment)
    paid = _recompute_paid(contract)
    if paid + payment.amount > contract.total:
        raise ValidationError(
            {
                "amount": _(
                    "This is more than the %(outstanding)s still outstanding on %(number)s."
                )
                % {"outstanding": f"{contract.total - paid:,.2f}", "number": contract.number}
            }
        )
    payment.save()
    before = snapshot(contract)
    contract.paid = paid + payment.amount
    contract.save(update_fields=["paid"])
    receivables_refresh(customer_ids=[contract.customer_id])
    log_create(user=actor, instance=payment, parent=contract.customer)
    log_update(user=actor, instance=contract, before=before, parent=contract.customer)
    return payment


@transaction.atomic
def payment_update(*, actor: Any, payment: Payment, **fields: Any) -> Payment:
    require(actor, Module.PAYMENTS, Action.CHANGE)
    payment = Payment.objects.select_related("contract").get(pk=payment.pk)
    contract = _lock_contract(payment.contract)
    before = snapshot(payment)
    fields.pop("contract", None)
    assign(payment, fields, PAYMENT_FIELDS)
    stamp(payment, actor, new=False)
    payment.full_clean()
    _check_date(payment)
    others = contract.payments.exclude(pk=payment.pk).aggregate(s=Sum("amount"))["s"] or ZERO
    if others + payment.amount > contract.total:
        raise ValidationError(
            {
                "amount": _(
                    "This is more than the %(outstanding)s still outstanding on %(number)s."
                )
                % {"outstanding": f"{contract.total - others:,.2f}", "number": contract.number}
            }
        )
    payment.save()
    contract.paid = others + payment.amount
    contract.save(update_fields=["paid"])
    receivables_refresh(customer_ids=[contract.customer_id])
    log_update(user=actor, instance=payment, before=before, parent=contract.customer)
    return payment


@transaction.atomic
def payment_delete(*, actor: Any, payment: Payment) -> None:
    require(actor, Module.PAYMENTS, Action.DELETE)
    payment = Payment.objects.select_related("contract").get(pk=payment.pk)
    contract = _lock_contract(payment.contract)
    log_event(action=AuditAction.DELETE, user=actor, instance=payment, parent=contract.customer)
    payment.delete()
    contract.paid = _recompute_paid(contract)
    contract.save(update_fields=["paid"])
    receivables_refresh(customer_ids=[contract.customer_id])


# --- settings ----------------------------------------------------------------------------


@transaction.atomic
def sales_settings_update(*, actor: Any, **fields: Any) -> SalesSettings:
    """Configuration belongs to whoever may change reference data (the administrator)."""
    require(actor, Module.REFERENCE, Action.CHANGE)
    settings_row = SalesSettings.objects.select_for_update().get_or_create(pk=1)[0]
    before = snapshot(settings_row)
    assign(settings_row, fields, SETTINGS_FIELDS)
    settings_row.contract_number_pattern = (settings_row.contract_number_pattern or "").strip()
    validate_number_pattern(settings_row.contract_number_pattern)
    settings_row.full_clean()
    settings_row.updated_by = actor
    settings_row.save()
    log_update(user=actor, instance=settings_row, before=before)
    return settings_row
