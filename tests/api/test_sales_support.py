"""Helpers shared by the sales API tests (no tests here): contracts built through the
services in any status, and a snapshot of the sales tables to prove a refused call wrote
nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from guanxi.common.models import AuditLog
from guanxi.sales.enums import ContractStatus
from guanxi.sales.models import (
    ApprovalDecision,
    Contract,
    ContractLine,
    Opportunity,
    Payment,
    Product,
    SalesRecord,
    StageChange,
    Task,
)
from guanxi.sales.services import contracts as cs
from guanxi.sales.services.records import payment_create
from tests.factories import CustomerFactory, ProductFactory

BIG = [{"quantity": "2", "unit_price": "60000.00"}]  # 120 000.00: needs approval
SMALL = [{"quantity": "3", "unit_price": "100.00"}]  # 300.00: approved at once


def today() -> datetime.date:
    return timezone.localdate()


def make_contract(org, owner, status=ContractStatus.DRAFT, customer=None, lines=None, paid=None):
    """A contract of `owner` taken through the services to `status`; approvals by the
    administrator (never the owner). `paid` records one payment of that amount."""
    customer = customer or CustomerFactory(owner=owner)
    lines = [{**BIG[0], **line} for line in (lines or BIG)]
    for line in lines:
        line.setdefault("product", ProductFactory())
    contract = cs.contract_create(actor=owner, customer=customer, lines=lines)
    if status == ContractStatus.DRAFT:
        return contract
    if status == ContractStatus.TERMINATED:
        contract = cs.contract_submit(actor=owner, contract=contract)
        return cs.contract_terminate(actor=owner, contract=contract, comment="客户取消")
    contract = cs.contract_submit(actor=owner, contract=contract)
    if status == ContractStatus.PENDING:
        assert contract.status == ContractStatus.PENDING
        return contract
    if contract.status == ContractStatus.PENDING:
        if status == ContractStatus.REJECTED:
            return cs.contract_reject(actor=org.users.admin, contract=contract, comment="价格太低")
        contract = cs.contract_approve(actor=org.users.admin, contract=contract)
    if paid is not None:
        payment_create(actor=org.users.admin, contract=contract, date=today(), amount=Decimal(paid))
    if status in (ContractStatus.EXECUTING, ContractStatus.COMPLETED):
        contract = cs.contract_start(actor=owner, contract=contract)
    if status == ContractStatus.COMPLETED:
        contract = cs.contract_complete(actor=owner, contract=contract)
    contract.refresh_from_db()
    assert contract.status == status
    return contract


def sales_state():
    """Everything a sales API call could write."""
    return {
        "opportunities": sorted(
            Opportunity.objects.values_list(
                "id", "name", "stage", "status", "probability", "owner", "updated_at"
            )
        ),
        "stage_changes": StageChange.objects.count(),
        "tasks": sorted(
            Task.objects.values_list("id", "purpose", "status", "result", "updated_at")
        ),
        "products": sorted(
            Product.objects.values_list("id", "code", "name", "is_active", "updated_at")
        ),
        "contracts": sorted(
            Contract.objects.values_list(
                "id", "status", "title", "total", "paid", "approver", "notes", "updated_at"
            )
        ),
        "lines": sorted(
            ContractLine.objects.values_list("id", "contract", "quantity", "unit_price", "amount")
        ),
        "decisions": ApprovalDecision.objects.count(),
        "records": sorted(
            SalesRecord.objects.values_list("id", "quantity", "amount", "notes", "updated_at")
        ),
        "payments": sorted(
            Payment.objects.values_list("id", "contract", "amount", "note", "updated_at")
        ),
        "audit": AuditLog.objects.count(),
    }
