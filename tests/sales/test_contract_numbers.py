"""Contract numbers by the configured pattern, and the sales settings that hold it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction
from guanxi.common.selectors import object_history
from guanxi.sales.enums import ApprovalRule
from guanxi.sales.models import SalesSettings
from guanxi.sales.selectors import sales_settings
from guanxi.sales.services.contracts import next_contract_number
from guanxi.sales.services.records import sales_settings_update
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db

MAR_2026 = datetime.date(2026, 3, 11)
APR_2026 = datetime.date(2026, 4, 2)
JAN_2027 = datetime.date(2027, 1, 5)


def test_default_pattern_counts_up_within_the_year(db):
    assert sales_settings().contract_number_pattern == "HT-{year}-{seq:05}"
    assert next_contract_number(when=MAR_2026) == "HT-2026-00001"
    assert next_contract_number(when=MAR_2026) == "HT-2026-00002"
    assert next_contract_number(when=APR_2026) == "HT-2026-00003"


def test_the_counter_restarts_when_the_year_changes(db):
    next_contract_number(when=MAR_2026)
    next_contract_number(when=MAR_2026)
    assert next_contract_number(when=JAN_2027) == "HT-2027-00001"
    assert next_contract_number(when=JAN_2027) == "HT-2027-00002"
    # a late entry for the old year continues the old counter
    assert next_contract_number(when=MAR_2026) == "HT-2026-00003"


def test_a_pattern_with_the_month_restarts_every_month(org):
    sales_settings_update(actor=org.users.admin, contract_number_pattern="C{year}{month}-{seq:03}")
    assert next_contract_number(when=MAR_2026) == "C202603-001"
    assert next_contract_number(when=MAR_2026) == "C202603-002"
    assert next_contract_number(when=APR_2026) == "C202604-001"


def test_a_counter_without_width_and_one_wider_than_its_width(org):
    sales_settings_update(actor=org.users.admin, contract_number_pattern="K{seq}")
    assert [next_contract_number(when=MAR_2026) for _ in range(10)][-2:] == ["K9", "K10"]
    sales_settings_update(actor=org.users.admin, contract_number_pattern="S{seq:2}")
    for _ in range(99):
        next_contract_number(when=MAR_2026)
    assert next_contract_number(when=MAR_2026) == "S100"


def test_a_number_already_taken_is_skipped(org):
    customer = CustomerFactory(owner=org.users.sales1)
    for number in ("HT-2026-00001", "HT-2026-00002", "HT-2026-00004"):
        ContractFactory(number=number, customer=customer)
    assert next_contract_number(when=MAR_2026) == "HT-2026-00003"
    assert next_contract_number(when=MAR_2026) == "HT-2026-00005"


def test_a_new_contract_takes_this_years_next_number(org):
    from guanxi.sales.services import contracts as cs

    year = timezone.localdate().year
    customer = CustomerFactory(owner=org.users.sales1)
    first = cs.contract_create(actor=org.users.sales1, customer=customer)
    second = cs.contract_create(actor=org.users.sales1, customer=customer)
    assert first.number == f"HT-{year}-00001"
    assert second.number == f"HT-{year}-00002"


def test_a_refused_contract_does_not_use_up_a_number(org):
    from guanxi.sales.services import contracts as cs

    year = timezone.localdate().year
    with pytest.raises(ValidationError):
        cs.contract_create(actor=org.users.sales1, customer=CustomerFactory(owner=org.users.sales2))
    contract = cs.contract_create(
        actor=org.users.sales1, customer=CustomerFactory(owner=org.users.sales1)
    )
    assert contract.number == f"HT-{year}-00001"


@pytest.mark.parametrize(
    "pattern",
    [
        "HT-{year}",  # no counter
        "HT-{seq}-{seq:03}",  # two counters
        "HT-{day}-{seq}",  # an unknown token
        "HT-{year-{seq}",  # a stray brace
        "HT-{seq}}",
        "{seq:abc}",
        "HT-{seq:99}",  # numbers longer than a contract number may be
        "",
    ],
)
def test_an_invalid_pattern_is_refused_with_a_field_error(org, pattern):
    with pytest.raises(ValidationError) as exc:
        sales_settings_update(actor=org.users.admin, contract_number_pattern=pattern)
    assert "contract_number_pattern" in exc.value.message_dict
    assert sales_settings().contract_number_pattern == "HT-{year}-{seq:05}"


@pytest.mark.parametrize(
    "pattern, number",
    [
        ("HT{seq:06}", "HT000001"),
        ("{year}/{month}/{seq:4}", "2026/03/0001"),
        ("合同-{year}-{seq:05}", "合同-2026-00001"),
        (" X-{seq:010} ", "X-0000000001"),
    ],
)
def test_valid_patterns(org, pattern, number):
    sales_settings_update(actor=org.users.admin, contract_number_pattern=pattern)
    assert next_contract_number(when=MAR_2026) == number


def test_settings_update_changes_threshold_and_rule_and_writes_history(org):
    row = sales_settings_update(
        actor=org.users.admin, approval_threshold=Decimal("50000"), approval_rule="all"
    )
    assert row.updated_by == org.users.admin
    fresh = SalesSettings.objects.get(pk=1)
    assert fresh.approval_threshold == Decimal("50000")
    assert fresh.approval_rule == ApprovalRule.ALL
    entry = object_history(fresh).get(action=AuditAction.UPDATE)
    assert {c["field"] for c in entry.changes} == {"approval_threshold", "approval_rule"}


def test_settings_refuse_a_negative_threshold_and_an_unknown_rule(org):
    with pytest.raises(ValidationError) as exc:
        sales_settings_update(
            actor=org.users.admin, approval_threshold=Decimal("-1"), approval_rule="sometimes"
        )
    assert {"approval_threshold", "approval_rule"} <= set(exc.value.message_dict)
    assert sales_settings().approval_threshold == Decimal("100000.00")


@pytest.mark.parametrize("role", ["manager", "sales1", "clerk", "researcher", "service", "exec"])
def test_only_the_administrator_changes_the_settings(org, role):
    with pytest.raises(PermissionDenied):
        sales_settings_update(actor=getattr(org.users, role), approval_threshold=Decimal("1"))
    assert sales_settings().approval_threshold == Decimal("100000.00")
