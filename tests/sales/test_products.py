"""The product catalogue (产品): unique codes whatever the case, pinyin search, delete of a
product in use refused, roles."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from guanxi.common.models import AuditAction
from guanxi.common.selectors import object_history
from guanxi.sales.models import Product
from guanxi.sales.selectors import access_product_by_id, product_categories, product_list
from guanxi.sales.services import products as ps
from tests.factories import CustomerFactory, ProductFactory, SalesRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def brake(org):
    return ps.product_create(
        actor=org.users.clerk,
        code=" BRK-001 ",
        name="盘式刹车片",
        specification="前轮 / 陶瓷",
        unit="套",
        list_price=Decimal("320.50"),
        category="制动系统",
    )


def test_create_trims_derives_pinyin_and_writes_history(org, brake):
    assert brake.code == "BRK-001"
    assert brake.name_pinyin == "panshishachepian"
    assert brake.name_initials == "psscp"
    assert brake.created_by == org.users.clerk
    entry = object_history(brake).get(action=AuditAction.CREATE)
    assert {c["field"]: c["new"] for c in entry.changes}["list_price"] == "320.50"


@pytest.mark.parametrize("code", ["BRK-001", "brk-001", "Brk-001 "])
def test_code_is_unique_whatever_the_case(org, brake, code):
    with pytest.raises(ValidationError) as exc:
        ps.product_create(actor=org.users.clerk, code=code, name="别的")
    assert "code" in exc.value.message_dict
    assert Product.objects.count() == 1


def test_update_refuses_another_products_code_but_keeps_its_own(org, brake):
    other = ps.product_create(actor=org.users.clerk, code="OIL-1", name="机油")
    with pytest.raises(ValidationError) as exc:
        ps.product_update(actor=org.users.clerk, product=other, code="brk-001")
    assert "code" in exc.value.message_dict
    same = ps.product_update(actor=org.users.clerk, product=brake, code="brk-001", unit="件")
    assert same.code == "brk-001"
    entry = object_history(brake).get(action=AuditAction.UPDATE)
    assert {c["field"] for c in entry.changes} == {"code", "unit"}


def test_create_refuses_blank_code_name_and_negative_price(org):
    with pytest.raises(ValidationError) as exc:
        ps.product_create(actor=org.users.clerk, code=" ", name="", list_price=Decimal("-1"))
    assert {"code", "name", "list_price"} <= set(exc.value.message_dict)
    assert not Product.objects.exists()


def test_update_renews_the_pinyin(org, brake):
    ps.product_update(actor=org.users.clerk, product=brake, name="机油滤清器")
    assert product_list(reader=org.users.sales1, search="jiyou").get() == brake
    assert not product_list(reader=org.users.sales1, search="shache").exists()


@pytest.mark.parametrize(
    "search", ["shache", "SHACHE", "psscp", "pss", "BRK", "brk-0", "刹车", "陶瓷"]
)
def test_search_by_pinyin_initials_code_name_and_specification(org, brake, search):
    ProductFactory(code="OIL-1", name="机油", specification="5W-30")
    assert list(product_list(reader=org.users.sales1, search=search)) == [brake]


def test_initials_match_anywhere_from_three_letters_and_two_at_the_start(org, brake):
    """Three initials or more are a fragment like any other (刹车片 in 盘式刹车片); two letters
    would match nearly everything anywhere, so they match the start only."""
    assert list(product_list(reader=org.users.sales1, search="scp")) == [brake]
    assert list(product_list(reader=org.users.sales1, search="ps")) == [brake]
    assert not product_list(reader=org.users.sales1, search="sc").exists()


def test_list_filters_active_and_category_in_code_order(org, brake):
    old = ProductFactory(code="AAA-OLD", is_active=False, category="制动系统")
    other = ProductFactory(code="ZZZ", category="润滑")
    reader = org.users.sales1
    assert list(product_list(reader=reader)) == [old, brake, other]
    assert list(product_list(reader=reader, active=True)) == [brake, other]
    assert list(product_list(reader=reader, active=False)) == [old]
    assert list(product_list(reader=reader, category="制动系统")) == [old, brake]
    assert product_categories() == ["制动系统", "润滑"]


def test_every_role_may_view_products(org, brake):
    for user in vars(org.users).values():
        assert list(product_list(reader=user)) == [brake]
        assert access_product_by_id(reader=user, product_id=brake.pk) == brake
    with pytest.raises(Http404):
        access_product_by_id(reader=org.users.sales1, product_id=999999)
    with pytest.raises(Http404):
        access_product_by_id(reader=org.users.sales1, product_id="x")


def test_a_user_without_roles_sees_no_products(org, brake):
    from tests.factories import UserFactory

    nobody = UserFactory(department=org.hq)
    assert not product_list(reader=nobody).exists()
    with pytest.raises(Http404):
        access_product_by_id(reader=nobody, product_id=brake.pk)


@pytest.mark.parametrize("role", ["sales1", "manager", "researcher", "service", "exec"])
def test_roles_without_the_permission_are_refused(org, brake, role):
    user = getattr(org.users, role)
    with pytest.raises(PermissionDenied):
        ps.product_create(actor=user, code="X-1", name="x")
    with pytest.raises(PermissionDenied):
        ps.product_update(actor=user, product=brake, name="x")
    with pytest.raises(PermissionDenied):
        ps.product_delete(actor=user, product=brake)
    brake.refresh_from_db()
    assert brake.name == "盘式刹车片"
    assert Product.objects.count() == 1


@pytest.mark.parametrize("role", ["clerk", "admin"])
def test_clerk_and_admin_manage_the_catalogue(org, role):
    user = getattr(org.users, role)
    product = ps.product_create(actor=user, code="X-1", name="x")
    ps.product_update(actor=user, product=product, is_active=False)
    ps.product_delete(actor=user, product=product)
    assert not Product.objects.exists()
    assert object_history(product).filter(action=AuditAction.DELETE).exists()


def test_delete_of_a_product_on_a_contract_is_refused_and_nothing_is_deleted(org, brake):
    from guanxi.sales.services import contracts as cs

    contract = cs.contract_create(
        actor=org.users.sales1,
        customer=CustomerFactory(owner=org.users.sales1),
        lines=[{"product": brake, "quantity": "1"}],
    )
    with pytest.raises(ValidationError) as exc:
        ps.product_delete(actor=org.users.clerk, product=brake)
    assert "deactivate it instead" in exc.value.messages[0]
    assert Product.objects.filter(pk=brake.pk).exists()
    assert contract.lines.get().product == brake
    assert not object_history(brake).filter(action=AuditAction.DELETE).exists()


def test_delete_of_a_product_with_sales_records_is_refused(org, brake):
    SalesRecordFactory(customer=CustomerFactory(owner=org.users.sales1), product=brake)
    with pytest.raises(ValidationError) as exc:
        ps.product_delete(actor=org.users.admin, product=brake)
    assert "deactivate it instead" in exc.value.messages[0]
    assert Product.objects.filter(pk=brake.pk).exists()
