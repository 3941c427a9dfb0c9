"""Payments received (回款) and sales records (销售情况) through the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction, AuditLog
from guanxi.common.selectors import object_history
from guanxi.sales.models import Contract, Payment, SalesRecord
from guanxi.sales.services import records as rs
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def pay(actor, contract, amount, **extra):
    extra.setdefault("date", TODAY())
    return rs.payment_create(actor=actor, contract=contract, amount=amount, **extra)


def paid(contract):
    return Contract.objects.get(pk=contract.pk).paid


# --- payments ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "executing", "completed"])
def test_payments_against_a_contract_in_force(org, make_contract, status):
    contract = make_contract(org.users.sales1, total="1000.00", status=status)
    payment = pay(org.users.sales1, contract, Decimal("400.00"), method="cash", note="首付")
    assert payment.created_by == org.users.sales1
    assert paid(contract) == Decimal("400.00")
    assert Contract.objects.get(pk=contract.pk).outstanding == Decimal("600.00")


@pytest.mark.parametrize("status", ["draft", "pending", "rejected", "terminated"])
def test_no_payment_against_a_contract_not_in_force(org, make_contract, status):
    contract = make_contract(org.users.sales1, total="150000.00", status=status)
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, Decimal("1.00"))
    assert "contract" in exc.value.message_dict
    assert not Payment.objects.exists()


def test_exactly_the_outstanding_is_allowed_and_a_cent_more_is_not(org, make_contract):
    contract = make_contract(org.users.sales1, total="1000.00", status="approved")
    pay(org.users.sales1, contract, Decimal("999.99"))
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, Decimal("0.02"))
    assert list(exc.value.message_dict) == ["amount"]
    assert "0.01" in exc.value.message_dict["amount"][0]
    assert contract.number in exc.value.message_dict["amount"][0]
    pay(org.users.sales1, contract, "0.01")
    assert paid(contract) == Decimal("1000.00")
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, "0.01")
    assert "amount" in exc.value.message_dict
    assert Payment.objects.count() == 2


def test_a_payment_over_the_total_is_refused_and_nothing_written(org, make_contract):
    contract = make_contract(org.users.sales1, total="1000.00", status="executing")
    entries = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, Decimal("1000.01"))
    assert "amount" in exc.value.message_dict
    assert paid(contract) == Decimal("0.00")
    assert not Payment.objects.exists()
    assert AuditLog.objects.count() == entries


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), "abc", None, "0.001", "NaN"])
def test_bad_amounts_are_refused_on_the_field(org, make_contract, amount):
    contract = make_contract(org.users.sales1, total="1000.00", status="approved")
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, amount)
    assert "amount" in exc.value.message_dict
    assert not Payment.objects.exists()


def test_a_future_date_is_refused_today_and_past_allowed(org, make_contract):
    contract = make_contract(org.users.sales1, total="1000.00", status="approved")
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, "1", date=TODAY() + datetime.timedelta(days=1))
    assert list(exc.value.message_dict) == ["date"]
    pay(org.users.sales1, contract, "1", date=TODAY())
    pay(org.users.sales1, contract, "1", date=TODAY() - datetime.timedelta(days=400))
    with pytest.raises(ValidationError) as exc:
        pay(org.users.sales1, contract, "1", date=None)
    assert "date" in exc.value.message_dict


def test_a_payment_needs_a_contract_in_the_actors_scope(org, make_contract):
    u = org.users
    theirs = make_contract(u.sales2, total="1000.00", status="approved")
    with pytest.raises(ValidationError) as exc:
        pay(u.sales1, theirs, "1")
    assert "contract" in exc.value.message_dict
    with pytest.raises(ValidationError):
        pay(u.manager, theirs, "1")
    # the clerk records payments for everyone
    pay(u.clerk, theirs, "1")
    assert paid(theirs) == Decimal("1.00")


def test_no_payment_for_a_customer_in_the_recycle_bin(org, make_contract):
    contract = make_contract(org.users.sales1, total="1000.00", status="approved")
    contract.customer.deleted_at = timezone.now()
    contract.customer.save()
    with pytest.raises(ValidationError) as exc:
        pay(org.users.admin, contract, "1")
    assert "contract" in exc.value.message_dict


def test_update_and_delete_recompute_paid_and_write_history(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1, total="1000.00", status="approved")
    first = pay(u.sales1, contract, "300.00")
    second = pay(u.sales1, contract, "200.00")
    created = object_history(first).get(action=AuditAction.CREATE)
    assert created.parent_id == contract.customer_id
    assert {c["field"]: c["new"] for c in created.changes}["amount"] == "300.00"

    rs.payment_update(actor=u.clerk, payment=first, amount="800")
    assert paid(contract) == Decimal("1000.00")
    entry = object_history(first).get(action=AuditAction.UPDATE)
    assert entry.changes == [{"field": "amount", "old": "300.00", "new": "800.00"}]
    assert entry.user == u.clerk

    with pytest.raises(ValidationError) as exc:
        rs.payment_update(actor=u.clerk, payment=first, amount=Decimal("800.01"))
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rs.payment_update(actor=u.clerk, payment=first, date=TODAY() + datetime.timedelta(days=3))
    assert "date" in exc.value.message_dict
    assert paid(contract) == Decimal("1000.00")

    rs.payment_delete(actor=u.admin, payment=second)
    assert paid(contract) == Decimal("800.00")
    assert object_history(second).filter(action=AuditAction.DELETE).exists()
    rs.payment_delete(actor=u.admin, payment=first)
    assert paid(contract) == Decimal("0.00")


def test_a_payment_cannot_move_to_another_contract(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1, total="1000.00", status="approved")
    other = make_contract(u.sales1, total="1000.00", status="approved")
    payment = pay(u.sales1, contract, "100")
    rs.payment_update(actor=u.clerk, payment=payment, contract=other, note="x")
    payment.refresh_from_db()
    assert payment.contract == contract
    assert paid(other) == Decimal("0.00")


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("sales1", {"create"}),
        ("manager", {"create", "change", "delete"}),
        ("clerk", {"create", "change"}),
        ("admin", {"create", "change", "delete"}),
        ("researcher", set()),
        ("service", set()),
        ("exec", set()),
    ],
)
def test_payment_roles(org, make_contract, role, allowed):
    user = getattr(org.users, role)
    contract = make_contract(org.users.sales1, total="1000.00", status="approved")
    existing = pay(org.users.admin, contract, "10")
    actions = {
        "create": lambda: pay(user, contract, "1"),
        "change": lambda: rs.payment_update(actor=user, payment=existing, note="n"),
        "delete": lambda: rs.payment_delete(actor=user, payment=existing),
    }
    for action, call in actions.items():
        if action in allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


# --- sales records -----------------------------------------------------------------------


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1)


def test_a_direct_record_computes_its_amount(org, customer):
    product = ProductFactory(list_price=Decimal("9.99"))
    record = rs.sales_record_create(
        actor=org.users.sales1,
        customer=customer,
        product=product,
        date=datetime.date(2024, 5, 1),
        quantity="0.333",
        unit_price="0.10",
    )
    assert record.amount == Decimal("0.03")
    assert record.salesperson == org.users.sales1
    assert record.contract is None
    by_list_price = rs.sales_record_create(
        actor=org.users.sales1, customer=customer, product=product, date=TODAY(), quantity=3
    )
    assert by_list_price.unit_price == Decimal("9.99")
    assert by_list_price.amount == Decimal("29.97")
    entry = object_history(record).get(action=AuditAction.CREATE)
    assert entry.parent_id == customer.pk


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": "1.0001"}, "quantity"),
        ({"quantity": "1e30"}, "quantity"),
        ({"quantity": "99999999999", "unit_price": "99999999999999"}, "quantity"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"unit_price": "x"}, "unit_price"),
        ({"date": None}, "date"),
        ({"product": None}, "product"),
        ({"quantity": None}, "quantity"),
    ],
)
def test_bad_records_are_refused_on_the_field(org, customer, fields, field):
    values = {
        "customer": customer,
        "product": ProductFactory(),
        "date": TODAY(),
        "quantity": "1",
        "unit_price": "10",
        **fields,
    }
    with pytest.raises(ValidationError) as exc:
        rs.sales_record_create(actor=org.users.sales1, **values)
    assert field in exc.value.message_dict
    assert not SalesRecord.objects.exists()


def test_a_record_needs_a_customer_and_salesperson_in_scope(org, customer):
    u = org.users
    values = {"product": ProductFactory(), "date": TODAY(), "quantity": "1"}
    with pytest.raises(ValidationError) as exc:
        rs.sales_record_create(actor=u.sales1, customer=CustomerFactory(owner=u.sales2), **values)
    assert "customer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rs.sales_record_create(actor=u.manager, customer=customer, salesperson=u.sales2, **values)
    assert "salesperson" in exc.value.message_dict
    assert rs.sales_record_create(
        actor=u.manager, customer=customer, salesperson=u.sales1b, **values
    ).salesperson == (u.sales1b)


def test_update_recomputes_the_amount_and_writes_history(org, customer):
    record = rs.sales_record_create(
        actor=org.users.clerk,
        customer=customer,
        product=ProductFactory(),
        date=TODAY(),
        quantity="2",
        unit_price="10",
        salesperson=org.users.sales1,
    )
    updated = rs.sales_record_update(actor=org.users.clerk, record=record, quantity="3")
    assert updated.amount == Decimal("30.00")
    assert SalesRecord.objects.get(pk=record.pk).amount == Decimal("30.00")
    entry = object_history(record).get(action=AuditAction.UPDATE)
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    # "3" as given and "2.000" as stored compare as the column holds them
    assert changes["quantity"] == ("2.000", "3.000")
    assert changes["amount"] == ("20.00", "30.00")
    with pytest.raises(ValidationError) as exc:
        rs.sales_record_update(actor=org.users.clerk, record=record, quantity="abc")
    assert "quantity" in exc.value.message_dict
    assert SalesRecord.objects.get(pk=record.pk).quantity == Decimal("3")
    rs.sales_record_delete(actor=org.users.clerk, record=record)
    assert not SalesRecord.objects.exists()
    assert object_history(record).filter(action=AuditAction.DELETE).exists()


def test_a_record_made_by_a_contract_cannot_be_changed_or_deleted(org, make_contract):
    contract = make_contract(org.users.sales1, total="500.00", status="executing")
    record = SalesRecord.objects.get(contract=contract)
    assert record.amount == Decimal("500.00")
    with pytest.raises(ValidationError):
        rs.sales_record_update(actor=org.users.admin, record=record, quantity="5")
    with pytest.raises(ValidationError):
        rs.sales_record_delete(actor=org.users.admin, record=record)
    assert SalesRecord.objects.get(pk=record.pk).quantity == Decimal("1")


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("sales1", {"create"}),
        ("manager", {"create", "change", "delete"}),
        ("clerk", {"create", "change", "delete"}),
        ("admin", {"create", "change", "delete"}),
        ("researcher", set()),
        ("service", set()),
        ("exec", set()),
    ],
)
def test_sales_record_roles(org, customer, role, allowed):
    user = getattr(org.users, role)
    product = ProductFactory()
    existing = rs.sales_record_create(
        actor=org.users.admin,
        customer=customer,
        product=product,
        date=TODAY(),
        quantity="1",
        salesperson=org.users.sales1,
    )
    own_customer = CustomerFactory(owner=user)
    actions = {
        "create": lambda: rs.sales_record_create(
            actor=user, customer=own_customer, product=product, date=TODAY(), quantity="1"
        ),
        "change": lambda: rs.sales_record_update(actor=user, record=existing, notes="n"),
        "delete": lambda: rs.sales_record_delete(actor=user, record=existing),
    }
    for action, call in actions.items():
        if action in allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


def test_saving_unchanged_values_in_another_spelling_logs_nothing(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1, total="1000.00", status="approved")
    payment = pay(u.sales1, contract, "300")
    record = rs.sales_record_create(
        actor=u.clerk,
        customer=contract.customer,
        product=ProductFactory(),
        date=TODAY(),
        quantity="2",
        unit_price="10",
        salesperson=u.sales1,
    )
    count = AuditLog.objects.count()
    rs.payment_update(actor=u.clerk, payment=payment, amount="300.0")
    rs.sales_record_update(actor=u.clerk, record=record, quantity="2.0", unit_price="10")
    assert AuditLog.objects.count() == count
