"""Contracts (合同) and their approval (审批).

Status flow: draft → pending → approved → executing → completed; pending → rejected → (edit)
→ pending again; approved or executing → terminated. Lines can be edited only in draft or
rejected. The total is the sum of the lines, computed here in Decimal, never taken from the
client.

Every status change is a conditional UPDATE on the expected status, so of two people acting
on one contract at once exactly one succeeds and the other is told what happened.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can, require
from guanxi.accounts.scoping import owner_in_scope
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.versioning import bump_version
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Customer

from ..enums import (
    ACTIVE_CUSTOMER_STATUSES,
    EDITABLE_STATUSES,
    ApprovalRule,
    ContractStatus,
    Decision,
    OpportunityStatus,
)
from ..models import (
    ZERO,
    ApprovalDecision,
    Contract,
    ContractLine,
    NumberSequence,
    Opportunity,
    Product,
    SalesRecord,
    SalesSettings,
)
from ..search import contract_text_now
from .common import assign, check_customer, check_owner
from .receivables import receivables_refresh

CENT = Decimal("0.01")
QUANTUM = Decimal("0.001")  # the quantity's smallest step
MAX_MONEY = Decimal("99999999999999.99")  # 16 digits, 2 after the point
MAX_QUANTITY = Decimal("99999999999.999")  # 14 digits, 3 after the point
FIELDS = {"customer", "opportunity", "owner", "signed_on", "title", "notes"}

# --- numbers -----------------------------------------------------------------------------

SEQ_TOKEN = re.compile(r"\{seq(?::0?(\d{1,2}))?\}")
ALLOWED_TOKENS = re.compile(r"\{(year|month|seq(?::0?\d{1,2})?)\}")


def validate_number_pattern(pattern: str) -> None:
    if len(SEQ_TOKEN.findall(pattern)) != 1:
        raise ValidationError(
            {"contract_number_pattern": _("The pattern needs exactly one {seq} counter.")}
        )
    leftover = ALLOWED_TOKENS.sub("", pattern)
    if "{" in leftover or "}" in leftover:
        raise ValidationError(
            {"contract_number_pattern": _("Only {year}, {month} and {seq:N} may be used.")}
        )
    # The numbers must fit the contract's number field, even with a long counter.
    sample = render_number(pattern, 10**6 - 1, datetime.date(2000, 12, 1))
    if len(sample) > Contract._meta.get_field("number").max_length:
        raise ValidationError(
            {"contract_number_pattern": _("The numbers this pattern makes would be too long.")}
        )


def _fill_dates(pattern: str, when) -> str:
    return pattern.replace("{year}", f"{when.year:04d}").replace("{month}", f"{when.month:02d}")


def contract_sequence_key(pattern: str, when) -> str:
    """The counter a contract numbered on `when` draws from: the pattern with its dates
    filled in and the counter blanked, so it restarts whenever that text changes."""
    return ("contract:" + SEQ_TOKEN.sub("#", _fill_dates(pattern, when)))[:100]


def render_number(pattern: str, seq: int, when) -> str:
    text = _fill_dates(pattern, when)
    match = SEQ_TOKEN.search(text)
    width = int(match.group(1) or 1) if match else 1
    return SEQ_TOKEN.sub(f"{seq:0{width}d}", text, count=1)


def next_contract_number(when=None) -> str:
    """Allocate the next number for the configured pattern. The counter row is locked, so
    concurrent contracts never share a number; it restarts whenever the text around the
    counter changes (a new year with HT-{year}-{seq:05})."""
    when = when or clock.localdate()
    pattern = SalesSettings.objects.get_or_create(pk=1)[0].contract_number_pattern
    key = contract_sequence_key(pattern, when)
    with transaction.atomic():
        seq, _created = NumberSequence.objects.select_for_update().get_or_create(key=key)
        while True:
            seq.last += 1
            number = render_number(pattern, seq.last, when)
            if not Contract.objects.filter(number=number).exists():
                break
        seq.save(update_fields=["last"])
    return number


# --- lines -------------------------------------------------------------------------------


def _decimal(value: Any, field: str, index: int) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {
                "lines": _("Line %(n)s: %(field)s is not a number.")
                % {"n": index + 1, "field": field}
            }
        ) from None
    if not number.is_finite():
        raise ValidationError(
            {
                "lines": _("Line %(n)s: %(field)s is not a number.")
                % {"n": index + 1, "field": field}
            }
        )
    return number


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity × unit price, rounded half-up to cents. Computed with enough precision that
    the product is exact before the one rounding (the default 28 digits are not, for the
    largest quantities and prices, and quantize() fails outright above them)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)


def _build_lines(contract: Contract, lines: list[dict[str, Any]], keep: set[int]):
    """Validate submitted lines into unsaved ContractLine objects and their total.

    A line is {product, quantity, unit_price?}; a missing unit price takes the product's
    list price. Products must be active unless already on this contract (`keep`)."""
    built, total = [], ZERO
    for index, raw in enumerate(lines):
        product = raw.get("product")
        if product is not None and not isinstance(product, Product):
            try:
                product = Product.objects.filter(pk=product).first()
            except (TypeError, ValueError):  # not an id at all
                product = None
        if product is None:
            raise ValidationError({"lines": _("Line %(n)s: choose a product.") % {"n": index + 1}})
        if not product.is_active and product.pk not in keep:
            raise ValidationError(
                {
                    "lines": _("Line %(n)s: %(product)s is no longer sold.")
                    % {"n": index + 1, "product": product}
                }
            )
        quantity = _decimal(raw.get("quantity"), _("quantity"), index)
        price = raw.get("unit_price")
        unit_price = (
            product.list_price if price in (None, "") else _decimal(price, _("unit price"), index)
        )
        if quantity <= 0:
            raise ValidationError(
                {"lines": _("Line %(n)s: the quantity must be above zero.") % {"n": index + 1}}
            )
        if unit_price < 0:
            raise ValidationError(
                {"lines": _("Line %(n)s: the unit price cannot be negative.") % {"n": index + 1}}
            )
        # Trailing zeros do not count ("1.500000" is 1.5).
        if quantity.normalize().as_tuple().exponent < -3 or (
            unit_price.normalize().as_tuple().exponent < -2
        ):
            raise ValidationError(
                {
                    "lines": _(
                        "Line %(n)s: at most 3 decimals for the quantity and 2 for the price."
                    )
                    % {"n": index + 1}
                }
            )
        if quantity > MAX_QUANTITY or unit_price > MAX_MONEY:
            raise ValidationError({"lines": _("The amounts are too large.")})
        # Stored as the columns hold them, so the history compares like with like.
        quantity, unit_price = quantity.quantize(QUANTUM), unit_price.quantize(CENT)
        amount = line_amount(quantity, unit_price)
        total += amount
        if amount > MAX_MONEY or total > MAX_MONEY:
            raise ValidationError({"lines": _("The amounts are too large.")})
        built.append(
            ContractLine(
                contract=contract,
                position=index,
                product=product,
                quantity=quantity,
                unit_price=unit_price,
                amount=amount,
            )
        )
    return built, total


def _lines_text(lines) -> str:
    return "; ".join(
        f"{line.product.code} × {line.quantity.normalize():f} @ {line.unit_price}" for line in lines
    )


def _replace_lines(contract: Contract, lines: list[dict[str, Any]], actor: Any) -> list[dict]:
    existing = list(contract.lines.select_related("product"))
    built, total = _build_lines(contract, lines, {line.product_id for line in existing})
    old_text, new_text = _lines_text(existing), _lines_text(built)
    contract.lines.all().delete()
    ContractLine.objects.bulk_create(built)
    contract.total = total
    return [] if old_text == new_text else [{"field": "lines", "old": old_text, "new": new_text}]


# --- create / edit / delete --------------------------------------------------------------


def _check_opportunity(contract: Contract) -> None:
    opp = contract.opportunity
    if opp is None:
        return
    if opp.customer_id != contract.customer_id:
        raise ValidationError({"opportunity": _("This opportunity belongs to another customer.")})


@transaction.atomic
def contract_create(*, actor: Any, lines: list[dict[str, Any]] | None = None, **fields) -> Contract:
    require(actor, Module.CONTRACTS, Action.CREATE)
    fields.setdefault("owner", actor)
    contract = Contract(status=ContractStatus.DRAFT)
    assign(contract, fields, FIELDS)
    contract.customer = check_customer(actor, contract.customer_id and contract.customer)
    check_owner(actor, Module.CONTRACTS, contract.owner)
    _check_opportunity(contract)
    contract.number = next_contract_number()
    contract.search_text = contract_text_now(contract)
    stamp(contract, actor, new=True)
    contract.full_clean(exclude=["number"])
    contract.save()
    line_changes = _replace_lines(contract, lines or [], actor)
    contract.save(update_fields=["total"])
    log_create(user=actor, instance=contract, parent=contract.customer)
    if line_changes:
        log_event(
            action=AuditAction.UPDATE,
            user=actor,
            instance=contract,
            changes=line_changes,
            parent=contract.customer,
        )
    return contract


@transaction.atomic
def contract_from_opportunity(*, actor: Any, opportunity: Opportunity, **extra) -> Contract:
    """A draft contract for a won opportunity: its customer, the opportunity, its owner."""
    # Read (and lock) the opportunity as it is now, not as the caller last saw it: a reopen at
    # the same moment must not leave a contract on an open opportunity.
    opportunity = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("customer", "owner")
        .get(pk=opportunity.pk)
    )
    if opportunity.status != OpportunityStatus.WON:
        raise ValidationError(_("Only a won opportunity becomes a contract."))
    fields = {
        "customer": opportunity.customer,
        "opportunity": opportunity,
        "title": opportunity.name,
    }
    owner = opportunity.owner
    if owner.is_active and owner_in_scope(actor, Module.CONTRACTS, owner):
        fields["owner"] = owner
    fields.update(extra)
    return contract_create(actor=actor, **fields)


def _lock(contract: Contract, expected_version: int | None = None) -> Contract:
    """The contract as it is now, locked, moved to its next version (Conflict when
    `expected_version` is stale)."""
    # Lock only the contract row: PostgreSQL refuses FOR UPDATE on the nullable side of an
    # outer join (the owner's department may be empty).
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("customer", "owner", "owner__department")
        .get(pk=contract.pk)
    )
    bump_version(locked, expected_version)
    return locked


@transaction.atomic
def contract_update(
    *,
    actor: Any,
    contract: Contract,
    lines: list[dict[str, Any]] | None = None,
    expected_version: int | None = None,
    **fields,
) -> Contract:
    """Edit a contract's header, and its lines (replaced as a whole) while it is a draft or
    rejected. After that only notes may change."""
    require(actor, Module.CONTRACTS, Action.CHANGE)
    contract = _lock(contract, expected_version)
    before = snapshot(contract)
    if contract.status not in EDITABLE_STATUSES and (lines is not None or set(fields) - {"notes"}):
        raise ValidationError(_("A contract can be changed only while it is a draft or rejected."))
    old_customer_id, old_owner_id = contract.customer_id, contract.owner_id
    assign(contract, fields, FIELDS)
    if contract.customer_id != old_customer_id:
        if contract.payments.exists():
            raise ValidationError({"customer": _("Payments were received; the customer stays.")})
        contract.customer = check_customer(actor, contract.customer)
    if contract.owner_id != old_owner_id:
        check_owner(actor, Module.CONTRACTS, contract.owner)
    _check_opportunity(contract)
    line_changes = _replace_lines(contract, lines, actor) if lines is not None else []
    contract.search_text = contract_text_now(contract)
    stamp(contract, actor, new=False)
    contract.full_clean(exclude=["number"])
    contract.save()
    changes = log_update(user=actor, instance=contract, before=before, parent=contract.customer)
    if line_changes:
        log_event(
            action=AuditAction.UPDATE,
            user=actor,
            instance=contract,
            changes=line_changes + [c for c in changes if c["field"] == "total"],
            parent=contract.customer,
        )
    return contract


@transaction.atomic
def contract_delete(*, actor: Any, contract: Contract, expected_version: int | None = None) -> None:
    require(actor, Module.CONTRACTS, Action.DELETE)
    contract = _lock(contract, expected_version)
    if contract.status not in EDITABLE_STATUSES:
        raise ValidationError(_("Only a draft or rejected contract can be deleted."))
    log_event(action=AuditAction.DELETE, user=actor, instance=contract, parent=contract.customer)
    contract.decisions.all().delete()
    contract.delete()


# --- transitions -------------------------------------------------------------------------


def _transition(
    contract: Contract, actor: Any, expected: set[str], new_status: str, **extra: Any
) -> Contract:
    """Move `contract` to `new_status` if, at this instant, its status is one of `expected`.

    A conditional UPDATE: of two concurrent transitions exactly one matches the row."""
    now = clock.now()
    values = {"status": new_status, "updated_at": now, "updated_by": actor, **extra}
    updated = Contract.objects.filter(pk=contract.pk, status__in=expected).update(**values)
    if updated != 1:
        current = Contract.objects.filter(pk=contract.pk).values_list("status", flat=True).first()
        label = ContractStatus(current).label if current else ""
        raise ValidationError(
            _(
                "This contract is now “%(status)s”; someone else acted on it first. Reload the "
                "page to see what changed."
            )
            % {"status": label}
        )
    for name, value in values.items():
        setattr(contract, name, value)
    receivables_refresh(customer_ids=[contract.customer_id])
    return contract


def approver_for(owner: Any) -> Any:
    """The owner's department head; if the owner heads that department, or it has no head
    (or one who is deactivated or may not approve contracts), the head above. None when no
    one up the tree qualifies: then only an approver over all departments can decide."""
    department = owner.department if owner is not None else None
    while department is not None:
        head = department.head
        if (
            head is not None
            and head.pk != owner.pk
            and head.is_active
            and can(head, Module.CONTRACTS, Action.APPROVE)
        ):
            return head
        department = department.parent
    return None


def needs_approval(total: Decimal, rules: SalesSettings | None = None) -> bool:
    rules = rules or SalesSettings.objects.get_or_create(pk=1)[0]
    return rules.approval_rule == ApprovalRule.ALL or total >= rules.approval_threshold


@transaction.atomic
def contract_submit(
    *, actor: Any, contract: Contract, comment: str = "", expected_version: int | None = None
) -> Contract:
    """Submit a draft (or a corrected rejected contract). At or above the threshold — or
    always, if the rule says so — it waits for the owner's department head; below it, it is
    approved at once."""
    require(actor, Module.CONTRACTS, Action.CHANGE)
    contract = _lock(contract, expected_version)
    if contract.status not in EDITABLE_STATUSES:
        raise ValidationError(_("Only a draft or rejected contract can be submitted."))
    if not contract.lines.exists():
        raise ValidationError({"lines": _("Add at least one line before submitting.")})
    before = snapshot(contract)
    rules = SalesSettings.objects.get_or_create(pk=1)[0]
    if needs_approval(contract.total, rules):
        approver = approver_for(contract.owner)
        _transition(
            contract,
            actor,
            EDITABLE_STATUSES,
            ContractStatus.PENDING,
            approver=approver,
            submitted_at=clock.now(),
        )
        detail = {"comment": comment.strip(), "approver": str(approver or "")}
    else:
        _transition(
            contract,
            actor,
            EDITABLE_STATUSES,
            ContractStatus.APPROVED,
            approver=None,
            submitted_at=clock.now(),
        )
        detail = {
            "comment": comment.strip(),
            "auto_approved": True,
            "threshold": str(rules.approval_threshold),
        }
    log_update(
        user=actor,
        instance=contract,
        before=before,
        parent=contract.customer,
        action=AuditAction.SUBMIT,
        detail=detail,
    )
    return contract


def may_decide(actor: Any, contract: Contract) -> bool:
    """May `actor` approve or reject `contract`? Needs contracts.approve, the owner inside
    the actor's contract scope (a manager: their department tree), and it is not their own."""
    if not can(actor, Module.CONTRACTS, Action.APPROVE):
        return False
    if actor.pk in (contract.owner_id, contract.created_by_id):
        return False
    return owner_in_scope(actor, Module.CONTRACTS, contract.owner)


def _decide(
    actor: Any, contract: Contract, decision: str, comment: str, expected_version: int | None
) -> Contract:
    contract = Contract.objects.select_related("customer", "owner", "owner__department").get(
        pk=contract.pk
    )
    if actor.pk in (contract.owner_id, contract.created_by_id):
        raise PermissionDenied(_("Nobody approves their own contract."))
    if not may_decide(actor, contract):
        raise PermissionDenied(_("This contract is outside your department."))
    if contract.status != ContractStatus.PENDING and contract.submitted_at is None:
        raise ValidationError(_("This contract has not been submitted for approval."))
    before = snapshot(contract)
    new_status = (
        ContractStatus.APPROVED if decision == Decision.APPROVE else ContractStatus.REJECTED
    )
    _transition(contract, actor, {ContractStatus.PENDING}, new_status)
    # After the status change, which decides between two deciders at once (the loser hears
    # that someone acted first); the version then guards against any other change since.
    bump_version(contract, expected_version)
    ApprovalDecision.objects.create(
        contract=contract,
        decision=decision,
        approver=actor,
        comment=comment,
        total=contract.total,
        decided_at=contract.updated_at,
    )
    log_update(
        user=actor,
        instance=contract,
        before=before,
        parent=contract.customer,
        action=AuditAction.APPROVE if decision == Decision.APPROVE else AuditAction.REJECT,
        detail={"comment": comment},
    )
    return contract


@transaction.atomic
def contract_approve(
    *, actor: Any, contract: Contract, comment: str = "", expected_version: int | None = None
) -> Contract:
    require(actor, Module.CONTRACTS, Action.APPROVE)
    return _decide(actor, contract, Decision.APPROVE, (comment or "").strip(), expected_version)


@transaction.atomic
def contract_reject(
    *, actor: Any, contract: Contract, comment: str = "", expected_version: int | None = None
) -> Contract:
    require(actor, Module.CONTRACTS, Action.APPROVE)
    return _decide(actor, contract, Decision.REJECT, (comment or "").strip(), expected_version)


@transaction.atomic
def contract_start(
    *, actor: Any, contract: Contract, expected_version: int | None = None
) -> Contract:
    """Approved → executing: its lines become sales records and the customer is active."""
    require(actor, Module.CONTRACTS, Action.CHANGE)
    contract = _lock(contract, expected_version)
    before = snapshot(contract)
    today = clock.localdate()
    if contract.status != ContractStatus.APPROVED:
        raise ValidationError(_("Only an approved contract starts executing."))
    _transition(
        contract, actor, {ContractStatus.APPROVED}, ContractStatus.EXECUTING, started_on=today
    )
    now = clock.now()
    records = [
        SalesRecord(
            customer_id=contract.customer_id,
            product_id=line.product_id,
            contract=contract,
            contract_line=line,
            salesperson_id=contract.owner_id,
            date=contract.signed_on or today,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            created_at=now,
            updated_at=now,
            created_by=actor,
            updated_by=actor,
        )
        for line in contract.lines.all()
    ]
    SalesRecord.objects.bulk_create(records)
    log_update(
        user=actor,
        instance=contract,
        before=before,
        parent=contract.customer,
        action=AuditAction.TRANSITION,
        detail={"sales_records": len(records)},
    )
    refresh_customer_status(actor=actor, customer=contract.customer, started=True)
    return contract


@transaction.atomic
def contract_complete(
    *, actor: Any, contract: Contract, expected_version: int | None = None
) -> Contract:
    require(actor, Module.CONTRACTS, Action.CHANGE)
    contract = _lock(contract, expected_version)
    before = snapshot(contract)
    if contract.status != ContractStatus.EXECUTING:
        raise ValidationError(_("Only an executing contract can be completed."))
    _transition(
        contract,
        actor,
        {ContractStatus.EXECUTING},
        ContractStatus.COMPLETED,
        completed_on=clock.localdate(),
    )
    log_update(
        user=actor,
        instance=contract,
        before=before,
        parent=contract.customer,
        action=AuditAction.TRANSITION,
    )
    refresh_customer_status(actor=actor, customer=contract.customer)
    return contract


TERMINABLE = {ContractStatus.APPROVED, ContractStatus.EXECUTING, ContractStatus.PENDING}


@transaction.atomic
def contract_terminate(
    *, actor: Any, contract: Contract, comment: str = "", expected_version: int | None = None
) -> Contract:
    """Stop a contract that is pending, approved or executing; a reason is required."""
    require(actor, Module.CONTRACTS, Action.CHANGE)
    contract = _lock(contract, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the contract is terminated.")})
    if contract.status not in TERMINABLE:
        raise ValidationError(
            _("Only a pending, approved or executing contract can be terminated.")
        )
    before = snapshot(contract)
    _transition(contract, actor, TERMINABLE, ContractStatus.TERMINATED)
    log_update(
        user=actor,
        instance=contract,
        before=before,
        parent=contract.customer,
        action=AuditAction.TRANSITION,
        detail={"comment": comment},
    )
    refresh_customer_status(actor=actor, customer=contract.customer)
    return contract


def refresh_customer_status(*, actor: Any, customer: Customer, started: bool = False) -> None:
    """A customer with an executing or completed contract is active (现有); one without is a
    prospect. A customer marked lost stays lost until a contract starts executing (`started`):
    an old completed contract does not bring them back when another one ends."""
    customer = Customer.all_objects.select_for_update().get(pk=customer.pk)
    if customer.status == CustomerStatus.LOST and not started:
        return
    has_live = Contract.objects.filter(
        Q(customer=customer) & Q(status__in=ACTIVE_CUSTOMER_STATUSES)
    ).exists()
    new = CustomerStatus.ACTIVE if has_live else CustomerStatus.PROSPECT
    if customer.status == new:
        return
    bump_version(customer)
    before = snapshot(customer)
    customer.status = new
    customer.lost_at = None  # back from the lost list; the reason stays for the record
    stamp(customer, actor, new=False)
    customer.save(update_fields=["status", "lost_at", "updated_at", "updated_by"])
    log_update(user=actor, instance=customer, before=before, detail={"reason": "contracts"})
