"""Contract lines and totals: exact Decimal, half-up per line to cents, refusals that leave
nothing half-written."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.common.models import AuditAction, AuditLog
from guanxi.common.selectors import object_history
from guanxi.sales.models import Contract, ContractLine
from guanxi.sales.services import contracts as cs
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1)


def create(org, customer, *lines):
    return cs.contract_create(
        actor=org.users.sales1,
        customer=customer,
        lines=[{"product": p, "quantity": q, "unit_price": u} for p, q, u in lines],
    )


@pytest.mark.parametrize(
    "quantity, unit_price, amount",
    [
        ("0.333", "0.10", "0.03"),  # 0.0333 → 0.03
        ("3", "0.10", "0.30"),
        ("0.005", "1.00", "0.01"),  # exactly half a cent rounds up
        ("0.015", "1.00", "0.02"),  # half-up, not banker's rounding (which gives 0.02 too)
        ("0.025", "1.00", "0.03"),  # banker's rounding would give 0.02
        ("0.004", "1.00", "0.00"),
        ("2", "60000.00", "120000.00"),
        ("1.5", "33.33", "50.00"),  # 49.995
        (Decimal("7"), Decimal("0.07"), "0.49"),
        (7, "19.99", "139.93"),  # an int quantity
    ],
)
def test_line_amount_rounds_half_up_to_cents(org, customer, quantity, unit_price, amount):
    contract = create(org, customer, (ProductFactory(), quantity, unit_price))
    line = contract.lines.get()
    assert line.amount == Decimal(amount)
    assert contract.total == Decimal(amount)


def test_the_total_is_the_sum_of_the_rounded_lines(org, customer):
    p = ProductFactory()
    # three lines of 0.0333 each: rounded per line 0.03 × 3 = 0.09 (not 0.0999 → 0.10)
    contract = create(org, customer, *[(p, "0.333", "0.10")] * 3)
    assert contract.total == Decimal("0.09")
    assert Contract.objects.get(pk=contract.pk).total == Decimal("0.09")
    assert [line.position for line in contract.lines.all()] == [0, 1, 2]


def test_the_total_is_exact_for_large_amounts(org, customer):
    contract = create(
        org,
        customer,
        (ProductFactory(), "99999.999", "99999999.99"),  # 9 999 999 899 000.000 01 → .00
        (ProductFactory(), "0.001", "0.01"),
    )
    assert contract.total == Decimal("9999999899000.00")


def test_a_missing_unit_price_takes_the_list_price(org, customer):
    product = ProductFactory(list_price=Decimal("12.34"))
    contract = cs.contract_create(
        actor=org.users.sales1, customer=customer, lines=[{"product": product.pk, "quantity": 2}]
    )
    line = contract.lines.get()
    assert line.unit_price == Decimal("12.34")
    assert contract.total == Decimal("24.68")


def test_the_total_is_never_taken_from_the_caller(org, customer):
    product = ProductFactory()
    contract = cs.contract_create(
        actor=org.users.sales1,
        customer=customer,
        lines=[{"product": product, "quantity": "1", "unit_price": "10", "amount": "999"}],
    )
    assert contract.total == Decimal("10.00")
    with pytest.raises(TypeError):
        cs.contract_create(actor=org.users.sales1, customer=customer, total=Decimal("5"))


BAD_LINES = [
    ({"quantity": "0", "unit_price": "1"}, "above zero"),
    ({"quantity": "-1", "unit_price": "1"}, "above zero"),
    ({"quantity": "1", "unit_price": "-0.01"}, "negative"),
    ({"quantity": "abc", "unit_price": "1"}, "not a number"),
    ({"quantity": "1", "unit_price": "1,5"}, "not a number"),
    ({"quantity": None, "unit_price": "1"}, "not a number"),
    ({"quantity": "NaN", "unit_price": "1"}, "not a number"),
    ({"quantity": "Infinity", "unit_price": "1"}, "not a number"),
    ({"quantity": "", "unit_price": "1"}, "not a number"),
    ({"quantity": "1", "unit_price": "sNaN"}, "not a number"),
    ({"quantity": "1.0001", "unit_price": "1"}, "at most 3 decimals"),
    ({"quantity": "1", "unit_price": "1.001"}, "at most 3 decimals"),
    ({"quantity": "1000000", "unit_price": "99999999999.99"}, "too large"),
    ({"quantity": "100000000000", "unit_price": "0"}, "too large"),
    ({"quantity": "1", "unit_price": "100000000000000"}, "too large"),
    ({"quantity": "1e30", "unit_price": "1"}, "too large"),
    ({"quantity": "1", "unit_price": "1e30"}, "too large"),
    ({"quantity": "99999999999", "unit_price": "99999999999999.99"}, "too large"),
    ({"quantity": "1e-30", "unit_price": "1"}, ""),
]


@pytest.mark.parametrize("line, message", BAD_LINES)
def test_bad_lines_are_refused_cleanly(org, customer, line, message):
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(
            actor=org.users.sales1, customer=customer, lines=[{"product": ProductFactory(), **line}]
        )
    assert list(exc.value.message_dict) == ["lines"]
    assert message in exc.value.message_dict["lines"][0]
    assert not Contract.objects.exists()
    assert not ContractLine.objects.exists()


def test_the_sum_of_lines_each_within_limits_may_still_be_too_large(org, customer):
    big = {"product": ProductFactory(), "quantity": "1", "unit_price": "60000000000000.00"}
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(actor=org.users.sales1, customer=customer, lines=[big, big])
    assert "too large" in exc.value.message_dict["lines"][0]
    assert not Contract.objects.exists()


@pytest.mark.parametrize("product", [None, 999999, "abc", ""])
def test_a_line_without_a_real_product_is_refused(org, customer, product):
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(
            actor=org.users.sales1,
            customer=customer,
            lines=[{"product": product, "quantity": "1", "unit_price": "1"}],
        )
    assert "Line 1" in exc.value.message_dict["lines"][0]
    assert not Contract.objects.exists()


def test_the_message_names_the_line(org, customer):
    good = {"product": ProductFactory(), "quantity": "1", "unit_price": "1"}
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(
            actor=org.users.sales1,
            customer=customer,
            lines=[good, good, {**good, "quantity": "0"}],
        )
    assert exc.value.message_dict["lines"][0].startswith("Line 3")


def test_an_inactive_product_is_refused_on_a_new_line(org, customer):
    old = ProductFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        create(org, customer, (old, "1", "1"))
    assert "no longer sold" in exc.value.message_dict["lines"][0]
    assert not Contract.objects.exists()


def test_an_inactive_product_already_on_the_contract_is_kept(org, customer):
    product, other = ProductFactory(), ProductFactory()
    contract = create(org, customer, (product, "1", "10"))
    product.is_active = False
    product.save()
    contract = cs.contract_update(
        actor=org.users.sales1,
        contract=contract,
        lines=[
            {"product": product, "quantity": "2", "unit_price": "10"},
            {"product": other, "quantity": "1", "unit_price": "5"},
        ],
    )
    assert contract.total == Decimal("25.00")
    # but another inactive product cannot join
    gone = ProductFactory(is_active=False)
    with pytest.raises(ValidationError):
        cs.contract_update(
            actor=org.users.sales1,
            contract=contract,
            lines=[{"product": gone, "quantity": "1", "unit_price": "1"}],
        )
    contract.refresh_from_db()
    assert contract.total == Decimal("25.00")
    assert contract.lines.count() == 2


def test_replacing_lines_recomputes_and_logs_the_lines(org, customer):
    product = ProductFactory(code="BRK-1")
    contract = create(org, customer, (product, "1", "10"))
    created = object_history(contract).filter(action=AuditAction.UPDATE).get()
    assert created.changes[0]["field"] == "lines"
    assert created.changes[0]["new"] == "BRK-1 × 1 @ 10.00"
    contract = cs.contract_update(
        actor=org.users.sales1,
        contract=contract,
        lines=[{"product": product, "quantity": "3", "unit_price": "10"}],
    )
    assert contract.total == Decimal("30.00")
    entry = object_history(contract).filter(action=AuditAction.UPDATE).latest("id")
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes["lines"] == ("BRK-1 × 1 @ 10.00", "BRK-1 × 3 @ 10.00")
    assert changes["total"] == ("10.00", "30.00")


def test_a_refused_line_edit_keeps_the_old_lines(org, customer):
    product = ProductFactory()
    contract = create(org, customer, (product, "1", "10"))
    with pytest.raises(ValidationError):
        cs.contract_update(
            actor=org.users.sales1,
            contract=contract,
            lines=[
                {"product": product, "quantity": "5", "unit_price": "10"},
                {"product": product, "quantity": "x", "unit_price": "10"},
            ],
        )
    contract.refresh_from_db()
    assert contract.total == Decimal("10.00")
    assert [line.quantity for line in contract.lines.all()] == [Decimal("1.000")]


def test_create_refuses_a_customer_or_owner_outside_the_scope(org, customer):
    u = org.users
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(actor=u.sales1, customer=CustomerFactory(owner=u.sales2))
    assert "customer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(actor=u.manager, customer=customer, owner=u.sales2)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(actor=u.sales1, customer=None)
    assert "customer" in exc.value.message_dict
    assert not Contract.objects.exists()


def test_create_refuses_an_opportunity_of_another_customer(org, customer):
    from tests.factories import OpportunityFactory

    other = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    with pytest.raises(ValidationError) as exc:
        cs.contract_create(actor=org.users.sales1, customer=customer, opportunity=other)
    assert "opportunity" in exc.value.message_dict


@pytest.mark.parametrize("role", ["clerk", "researcher", "service", "exec"])
def test_roles_without_create_are_refused(org, customer, role):
    with pytest.raises(PermissionDenied):
        cs.contract_create(actor=getattr(org.users, role), customer=customer)


def test_trailing_zeros_are_not_extra_decimals(org, customer):
    contract = create(org, customer, (ProductFactory(), "1.500000", "2.0000"))
    assert contract.total == Decimal("3.00")


def test_saving_the_same_lines_again_logs_no_change(org, customer):
    product = ProductFactory()
    contract = create(org, customer, (product, "2", "10"))
    count = AuditLog.objects.count()
    cs.contract_update(
        actor=org.users.sales1,
        contract=contract,
        lines=[{"product": product.pk, "quantity": "2.000", "unit_price": "10.00"}],
    )
    assert AuditLog.objects.count() == count
