"""A contract starting to execute: its lines become sales records, its customer becomes
active (现有); and the customer's status follows the contracts as they end."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction
from guanxi.common.selectors import object_history
from guanxi.customers.enums import CustomerStatus
from guanxi.sales.models import SalesRecord
from guanxi.sales.services import contracts as cs
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def approved_contract(org, customer, lines, **fields):
    contract = cs.contract_create(actor=org.users.sales1, customer=customer, lines=lines, **fields)
    contract = cs.contract_submit(actor=org.users.sales1, contract=contract)
    assert contract.status == "approved"
    return contract


def test_start_makes_one_sales_record_per_line(org):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    p1, p2 = ProductFactory(), ProductFactory()
    signed = datetime.date(2026, 2, 27)
    contract = approved_contract(
        org,
        customer,
        [
            {"product": p1, "quantity": "2", "unit_price": "300.00"},
            {"product": p2, "quantity": "0.333", "unit_price": "0.10"},
        ],
        signed_on=signed,
    )
    started = cs.contract_start(actor=u.manager, contract=contract)
    assert started.status == "executing"
    assert started.started_on == timezone.localdate()
    records = list(
        SalesRecord.objects.filter(contract=contract).order_by("contract_line__position")
    )
    assert [
        (r.customer, r.product, r.quantity, r.unit_price, r.amount, r.salesperson, r.date)
        for r in records
    ] == [
        (customer, p1, Decimal("2"), Decimal("300.00"), Decimal("600.00"), u.sales1, signed),
        (customer, p2, Decimal("0.333"), Decimal("0.10"), Decimal("0.03"), u.sales1, signed),
    ]
    assert [r.contract_line for r in records] == list(contract.lines.order_by("position"))
    assert all(r.created_by == u.manager for r in records)
    entry = object_history(contract).filter(action=AuditAction.TRANSITION).get()
    assert entry.detail == {"sales_records": 2}


def test_without_a_signing_date_the_records_are_dated_today(org):
    customer = CustomerFactory(owner=org.users.sales1)
    contract = approved_contract(
        org, customer, [{"product": ProductFactory(), "quantity": "1", "unit_price": "5"}]
    )
    cs.contract_start(actor=org.users.sales1, contract=contract)
    assert SalesRecord.objects.get(contract=contract).date == timezone.localdate()


def test_start_twice_is_refused_and_makes_no_more_records(org):
    customer = CustomerFactory(owner=org.users.sales1)
    contract = approved_contract(
        org, customer, [{"product": ProductFactory(), "quantity": "1", "unit_price": "5"}]
    )
    cs.contract_start(actor=org.users.sales1, contract=contract)
    with pytest.raises(ValidationError):
        cs.contract_start(actor=org.users.sales1, contract=contract)
    assert SalesRecord.objects.filter(contract=contract).count() == 1


def test_start_makes_the_customer_active_and_logs_it(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    assert customer.status == CustomerStatus.PROSPECT
    make_contract(org.users.sales1, status="executing", customer=customer)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    entry = object_history(customer).filter(action=AuditAction.UPDATE).latest("id")
    assert entry.changes == [{"field": "status", "old": "prospect", "new": "active"}]
    assert entry.detail == {"reason": "contracts"}


def test_an_approved_contract_does_not_make_the_customer_active(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    make_contract(org.users.sales1, status="approved", customer=customer)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT


def test_terminating_the_only_executing_contract_makes_a_prospect_again(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    contract = make_contract(org.users.sales1, status="executing", customer=customer)
    cs.contract_terminate(actor=org.users.sales1, contract=contract, comment="取消")
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.PROSPECT


def test_terminating_one_of_two_keeps_the_customer_active(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    first = make_contract(org.users.sales1, status="executing", customer=customer)
    make_contract(org.users.sales1, status="executing", customer=customer)
    cs.contract_terminate(actor=org.users.sales1, contract=first, comment="取消")
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE


def test_a_completed_contract_keeps_the_customer_active(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    make_contract(org.users.sales1, status="completed", customer=customer)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    other = make_contract(org.users.sales1, status="executing", customer=customer)
    cs.contract_terminate(actor=org.users.sales1, contract=other, comment="取消")
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE


def test_a_lost_customer_stays_lost_when_a_contract_ends(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    make_contract(org.users.sales1, status="completed", customer=customer)
    running = make_contract(org.users.sales1, status="executing", customer=customer)
    pending = make_contract(org.users.sales1, total="150000", status="pending", customer=customer)
    customer.status = CustomerStatus.LOST
    customer.save()
    cs.contract_terminate(actor=org.users.sales1, contract=pending, comment="x")
    cs.contract_complete(actor=org.users.sales1, contract=running)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.LOST


def test_a_lost_customer_with_an_executing_contract_terminated_stays_lost(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1)
    running = make_contract(org.users.sales1, status="executing", customer=customer)
    customer.status = CustomerStatus.LOST
    customer.save()
    cs.contract_terminate(actor=org.users.sales1, contract=running, comment="x")
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.LOST


def test_a_lost_customer_becomes_active_when_a_contract_executes(org, make_contract):
    customer = CustomerFactory(owner=org.users.sales1, status=CustomerStatus.LOST)
    make_contract(org.users.sales1, status="executing", customer=customer)
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE


def test_complete_records_the_date(org, make_contract):
    contract = make_contract(org.users.sales1, status="completed")
    assert contract.completed_on == timezone.localdate()
    assert contract.started_on == timezone.localdate()
