"""Helpers for the sales tests: products and contracts built through the services."""

from decimal import Decimal

import pytest
from django.utils import translation

from guanxi.sales.services import contracts as cs
from tests.factories import CustomerFactory, ProductFactory


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English, whatever test ran before in this process
    (the default language is zh-hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def product():
    return ProductFactory(code="BRK-001", name="刹车片", list_price=Decimal("100.00"))


@pytest.fixture
def make_contract(product):
    """make_contract(owner, total="1000.00", status="draft", actor=None, customer=None) →
    a contract with one line of `total`, moved through the services to `status`."""

    def _make(owner, total="1000.00", status="draft", *, customer=None, actor=None, **fields):
        actor = actor or owner
        customer = customer or CustomerFactory(owner=owner)
        contract = cs.contract_create(
            actor=actor,
            customer=customer,
            owner=owner,
            lines=[{"product": product, "quantity": "1", "unit_price": str(total)}],
            **fields,
        )
        if status == "draft":
            return contract
        contract = cs.contract_submit(actor=actor, contract=contract)
        if status in ("pending", "rejected") and contract.status != "pending":
            raise AssertionError("total below the threshold: cannot reach pending")
        if status == "pending":
            return contract
        decider = _decider(owner)
        if status == "rejected":
            return cs.contract_reject(actor=decider, contract=contract, comment="no")
        if contract.status == "pending":
            contract = cs.contract_approve(actor=decider, contract=contract, comment="ok")
        if status == "approved":
            return contract
        if status == "terminated":
            return cs.contract_terminate(actor=actor, contract=contract, comment="stop")
        contract = cs.contract_start(actor=actor, contract=contract)
        if status == "executing":
            return contract
        if status == "completed":
            return cs.contract_complete(actor=actor, contract=contract)
        raise ValueError(status)

    return _make


def _decider(owner):
    from guanxi.accounts.models import User

    return User.objects.get(username="admin")
