"""Search of opportunities, contracts, products and feedback: the same index as customers
(guanxi.common.search), the same expectations on SQLite and PostgreSQL."""

import pytest
from django.utils import timezone

from guanxi.customers import services as customer_services
from guanxi.market import services as market_services
from guanxi.reference.models import WorkMethod
from guanxi.sales import selectors
from guanxi.sales.services import contracts as contract_services
from guanxi.sales.services import opportunities as opportunity_services
from guanxi.sales.services.products import product_create, product_update
from guanxi.service import selectors as service_selectors
from guanxi.service.services import feedback as feedback_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["auto", "walk", "index", "mixed"])
def plan(request, settings):
    """Every case through the sample's choice and through each plan forced (see
    guanxi.common.search.search_plan): the same rows either way."""
    settings.SEARCH_PLAN = request.param


@pytest.fixture
def world(org):
    admin = org.users.admin
    mine = customer_services.customer_create(
        actor=admin, owner=org.users.sales1, name="苏州恒通汽配有限公司"
    )
    theirs = customer_services.customer_create(
        actor=admin, owner=org.users.sales2, name="天津恒通物流有限公司"
    )
    bosch = market_services.competitor_create(actor=org.users.researcher, name="博世汽车")
    opp = opportunity_services.opportunity_create(
        actor=admin,
        customer=mine,
        name="制动系统升级项目",
        owner=org.users.sales1,
        competitor_notes="对手报价低10%",
        competitors=[bosch],
    )
    other_opp = opportunity_services.opportunity_create(
        actor=admin, customer=theirs, name="仓储改造", owner=org.users.sales2
    )
    contract = contract_services.contract_create(
        actor=admin, customer=mine, title="刹车片年度采购", owner=org.users.sales1
    )
    other_contract = contract_services.contract_create(
        actor=admin, customer=theirs, title="叉车租赁", owner=org.users.sales2
    )
    contact = customer_services.contact_create(actor=admin, customer=mine, name="王伟")
    feedback = feedback_services.feedback_create(
        actor=admin,
        customer=mine,
        contact=contact,
        channel=WorkMethod.objects.get(code="PHONE"),
        content="客户关心交期，希望提前两周到货",
        reported_by=org.users.sales1,
        date=timezone.localdate(),
    )
    return locals()


def opps(reader, term):
    return set(selectors.opportunity_list(reader=reader, search=term))


def contracts(reader, term):
    return set(selectors.contract_list(reader=reader, search=term))


@pytest.mark.parametrize(
    ("term", "which"),
    [
        ("制动", {"opp"}),  # 2 CJK characters
        ("系统升级", {"opp"}),
        ("zhidongxitong", {"opp"}),
        ("zdxt", {"opp"}),
        ("zd", {"opp"}),
        ("恒通", {"opp", "other_opp"}),  # the customer's name
        ("tianjin", set()),  # customers' pinyin is not part of an opportunity's text
        ("博世", {"opp"}),  # a competitor's name
        ("报价低", {"opp"}),  # the competitor notes
        ("改造", {"other_opp"}),
    ],
)
def test_opportunities(org, world, term, which):
    assert opps(org.users.admin, term) == {world[w] for w in which}


def test_opportunities_and_contracts_follow_renames_and_scope(org, world):
    assert opps(org.users.sales1, "恒通") == {world["opp"]}
    assert contracts(org.users.sales1, "恒通") == {world["contract"]}
    assert contracts(org.users.sales1, "叉车") == set()
    customer_services.customer_update(
        actor=org.users.admin, customer=world["mine"], name="苏州恒久汽配有限公司"
    )
    assert opps(org.users.admin, "恒久") == {world["opp"]}
    assert contracts(org.users.admin, "恒久") == {world["contract"]}
    assert contracts(org.users.admin, "恒通") == {world["other_contract"]}
    market_services.competitor_update(
        actor=org.users.researcher, competitor=world["bosch"], name="电装"
    )
    assert opps(org.users.admin, "电装") == {world["opp"]}
    assert opps(org.users.admin, "博世") == set()


def test_contracts_by_number_title_and_pinyin(org, world):
    number = world["contract"].number  # HT-2026-00001 style
    assert contracts(org.users.admin, number) == {world["contract"]}
    assert contracts(org.users.admin, number.lower()) == {world["contract"]}
    assert contracts(org.users.admin, number[-5:]) >= {world["contract"]}
    assert contracts(org.users.admin, "刹车") == {world["contract"]}
    assert contracts(org.users.admin, "shache") == {world["contract"]}
    assert contracts(org.users.admin, "scp") == {world["contract"]}
    contract_services.contract_update(
        actor=org.users.admin, contract=world["contract"], title="轴承框架协议"
    )
    assert contracts(org.users.admin, "轴承") == {world["contract"]}
    assert contracts(org.users.admin, "刹车") == set()


def test_feedback_by_content_customer_and_contact(org, world):
    def found(reader, term):
        return set(service_selectors.feedback_list(reader=reader, search=term))

    fb = world["feedback"]
    assert found(org.users.admin, "交期") == {fb}  # 2 CJK characters inside the content
    assert found(org.users.admin, "提前两周") == {fb}
    assert found(org.users.admin, "恒通") == {fb}
    assert found(org.users.admin, "王伟") == {fb}
    assert found(org.users.sales2, "交期") == set()
    customer_services.contact_update(actor=org.users.admin, contact=world["contact"], name="王强")
    assert found(org.users.admin, "王强") == {fb}
    assert found(org.users.admin, "王伟") == set()


def test_products_by_code_name_pinyin_and_specification(org):
    clerk = org.users.clerk
    pad = product_create(
        actor=clerk, code="BRK-100", name="盘式刹车片", specification="陶瓷 Φ320", unit="件",
        list_price="120.00",
    )  # fmt: skip
    product_create(actor=clerk, code="FLT-7", name="机油滤清器", unit="件", list_price="30.00")

    def found(term):
        return {p.code for p in selectors.product_list(reader=clerk, search=term)}

    assert found("刹车") == {"BRK-100"}
    assert found("brk") == {"BRK-100"}
    assert found("brk100") == {"BRK-100"}
    assert found("panshi") == {"BRK-100"}
    assert found("psscp") == {"BRK-100"}
    assert found("ps") == {"BRK-100"}
    assert found("陶瓷") == {"BRK-100"}
    assert found("滤清器") == {"FLT-7"}
    product_update(actor=clerk, product=pad, name="鼓式刹车片")
    assert found("鼓式") == {"BRK-100"} and found("盘式") == set()
