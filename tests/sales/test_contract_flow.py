"""The contract flow end to end through the services: totals, approval, execution, payments."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.customers.enums import CustomerStatus
from guanxi.sales.enums import ContractStatus, OpportunityStatus
from guanxi.sales.models import SalesRecord, StageChange
from guanxi.sales.services import contracts as cs
from guanxi.sales.services import opportunities as os_
from guanxi.sales.services.records import payment_create
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_won_opportunity_to_paid_contract(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    opp = os_.opportunity_create(actor=u.sales1, customer=customer, name="冲压线", amount="150000")
    assert opp.probability == opp.stage.default_probability
    opp = os_.opportunity_win(actor=u.sales1, opportunity=opp)
    assert opp.status == OpportunityStatus.WON
    assert StageChange.objects.filter(opportunity=opp).count() == 2
    p1, p2 = ProductFactory(), ProductFactory()
    contract = cs.contract_from_opportunity(actor=u.sales1, opportunity=opp)
    contract = cs.contract_update(
        actor=u.sales1,
        contract=contract,
        lines=[
            {"product": p1.pk, "quantity": "2", "unit_price": "60000.00"},
            {"product": p2, "quantity": "0.333", "unit_price": "0.10"},
        ],
    )
    assert contract.total == Decimal("120000.03")
    assert contract.number.startswith("HT-")
    contract = cs.contract_submit(actor=u.sales1, contract=contract)
    assert contract.status == ContractStatus.PENDING
    assert contract.approver == u.manager
    with pytest.raises(PermissionDenied):
        cs.contract_approve(actor=u.manager2, contract=contract)
    contract = cs.contract_approve(actor=u.manager, contract=contract, comment="ok")
    assert contract.status == ContractStatus.APPROVED
    with pytest.raises(ValidationError):
        cs.contract_reject(actor=u.admin, contract=contract)
    cs.contract_start(actor=u.sales1, contract=contract)
    assert SalesRecord.objects.filter(contract=contract).count() == 2
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    payment_create(
        actor=u.sales1, contract=contract, amount=Decimal("20000"), date=contract.created_at.date()
    )
    contract.refresh_from_db()
    assert contract.outstanding == Decimal("100000.03")
    with pytest.raises(ValidationError) as exc:
        payment_create(
            actor=u.sales1,
            contract=contract,
            amount=Decimal("100000.04"),
            date=contract.created_at.date(),
        )
    assert "amount" in exc.value.message_dict
