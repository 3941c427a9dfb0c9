"""Scope is enforced by the selectors: own, department subtree, all; search and filters."""

import pytest
from django.http import Http404

from guanxi.customers import selectors
from guanxi.reference.models import Region
from guanxi.reference.services import regions_load

from ..factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    u = org.users
    return {
        "s1": CustomerFactory(owner=u.sales1, name="苏州恒通汽配有限公司"),
        "s1b": CustomerFactory(owner=u.sales1b, name="上海精工轴承有限公司"),
        "s2": CustomerFactory(owner=u.sales2, name="北京宏达机械有限公司"),
        "pool": CustomerFactory(owner=None, name="无主客户"),
    }


def names(qs):
    return {c.name for c in qs}


def test_scopes(org, book):
    u = org.users
    assert names(selectors.customer_list(reader=u.sales1)) == {"苏州恒通汽配有限公司"}
    assert names(selectors.customer_list(reader=u.manager)) == {
        "苏州恒通汽配有限公司",
        "上海精工轴承有限公司",
    }
    assert names(selectors.customer_list(reader=u.manager2)) == {"北京宏达机械有限公司"}
    for reader in (u.admin, u.exec, u.clerk, u.researcher, u.service):
        assert len(selectors.customer_list(reader=reader)) == 4


def test_out_of_scope_is_404(org, book):
    with pytest.raises(Http404):
        selectors.access_customer_by_id(reader=org.users.sales1, customer_id=book["s2"].pk)
    with pytest.raises(Http404):
        selectors.access_customer_by_id(reader=org.users.manager, customer_id=book["s2"].pk)
    with pytest.raises(Http404):
        selectors.access_customer_by_id(reader=org.users.sales1, customer_id="abc")
    assert selectors.access_customer_by_id(reader=org.users.manager, customer_id=book["s1b"].pk)


def test_user_without_roles_sees_nothing(org, book):
    from ..factories import UserFactory

    nobody = UserFactory(department=org.east)
    assert not selectors.customer_list(reader=nobody).exists()
    assert not selectors.contact_list(reader=nobody).exists()


def test_deleted_customers_and_their_contacts_disappear(org, book):
    contact = ContactFactory(customer=book["s1"], name="王芳")
    assert list(selectors.contact_list(reader=org.users.sales1)) == [contact]
    from guanxi.customers.services import customer_delete

    customer_delete(actor=org.users.manager, customer=book["s1"])
    assert not selectors.customer_list(reader=org.users.sales1).exists()
    assert not selectors.contact_list(reader=org.users.admin).exists()
    with pytest.raises(Http404):
        selectors.access_contact_by_id(reader=org.users.admin, contact_id=contact.pk)


def test_contacts_follow_customer_scope(org, book):
    mine = ContactFactory(customer=book["s1"])
    theirs = ContactFactory(customer=book["s2"])
    assert list(selectors.contact_list(reader=org.users.sales1)) == [mine]
    with pytest.raises(Http404):
        selectors.access_contact_by_id(reader=org.users.sales1, contact_id=theirs.pk)
    assert set(selectors.contact_list(reader=org.users.service)) == {mine, theirs}


@pytest.mark.parametrize(
    "term",
    ["恒通", "hengtong", "szht", "SZHT", "T00", "0512-6234", "91110000600037341L"],
)
def test_search_by_name_pinyin_initials_code_phone_credit_code(org, term):
    c = CustomerFactory(
        owner=org.users.sales1,
        name="苏州恒通汽配有限公司",
        code="T00042",
        phone="0512-62345678",
        credit_code="91110000600037341L",
    )
    c.phone_normalized = "51262345678"
    c.save()
    CustomerFactory(owner=org.users.sales1, name="无锡东升轴承有限公司", code="X1")
    assert list(selectors.customer_list(reader=org.users.sales1, search=term)) == [c]


def test_region_filter_takes_the_subtree(org):
    regions_load(
        actor=None,
        rows=[
            ("320000", "江苏省", ""),
            ("320500", "苏州市", "320000"),
            ("320505", "虎丘区", "320500"),
            ("330000", "浙江省", ""),
        ],
    )
    r = {x.code: x for x in Region.objects.all()}
    a = CustomerFactory(owner=org.users.sales1, region=r["320505"])
    b = CustomerFactory(owner=org.users.sales1, region=r["320500"])
    CustomerFactory(owner=org.users.sales1, region=r["330000"])
    got = selectors.customer_list(reader=org.users.sales1, filters={"region": r["320000"].pk})
    assert set(got) == {a, b}


def test_filters_and_ordering(org):
    a = CustomerFactory(owner=org.users.sales1, name="B", status="active", review_status="pending")
    b = CustomerFactory(owner=org.users.sales1, name="A", status="prospect")
    assert list(selectors.customer_list(reader=org.users.sales1, filters={"status": "active"})) == [
        a
    ]
    assert list(
        selectors.customer_list(reader=org.users.sales1, filters={"review_status": "pending"})
    ) == [a]
    assert list(selectors.customer_list(reader=org.users.sales1, ordering="name")) == [b, a]
    # unknown ordering falls back to newest first instead of failing
    assert list(selectors.customer_list(reader=org.users.sales1, ordering="password")) == [b, a]
