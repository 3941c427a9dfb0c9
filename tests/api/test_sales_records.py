"""Products, sales records, payments and receivables through the API."""

import datetime
from decimal import Decimal

import pytest

from guanxi.sales.enums import ContractStatus
from guanxi.sales.models import Contract, Payment, Product, SalesRecord
from tests.factories import CustomerFactory, ProductFactory, SalesRecordFactory

from .helpers import collect_pages, ids
from .test_sales_support import SMALL, make_contract, sales_state, today

PRODUCTS = "/api/v1/products/"
RECORDS = "/api/v1/sales-records/"
PAYMENTS = "/api/v1/payments/"
RECEIVABLES = "/api/v1/receivables/"


@pytest.fixture
def api(api):
    """The API clients of these tests read English messages."""

    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


# --- products ----------------------------------------------------------------------------


def test_clerk_creates_and_edits_a_product(org, api):
    client = api(org.users.clerk)
    response = client.post(
        PRODUCTS,
        {
            "code": " BP-100 ",
            "name": "刹车片",
            "specification": "陶瓷 200mm",
            "unit": "套",
            "list_price": "128.50",
            "category": "制动系统",
            "features": "低噪音",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["list_price"], body["is_active"]) == ("BP-100", "128.50", True)
    product = Product.objects.get(pk=body["id"])
    assert product.name_pinyin  # derived by the service
    assert product.created_by == org.users.clerk

    response = client.post(PRODUCTS, {"code": "bp-100", "name": "重复"})
    assert response.status_code == 400
    assert "code" in response.json()
    response = client.patch(f"{PRODUCTS}{product.pk}/", {"is_active": False, "list_price": "130"})
    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["list_price"]) == (False, "130.00")
    for bad in ({"list_price": "-1"}, {"name": ""}, {"code": ""}):
        assert client.patch(f"{PRODUCTS}{product.pk}/", bad).status_code == 400


def test_product_in_use_cannot_be_deleted(org, api):
    contract = make_contract(org, org.users.sales1)
    used = contract.lines.get().product
    recorded = SalesRecordFactory(customer=CustomerFactory(owner=org.users.sales1)).product
    unused = ProductFactory()
    client = api(org.users.admin)
    before = sales_state()
    for product in (used, recorded):
        response = client.delete(f"{PRODUCTS}{product.pk}/")
        assert response.status_code == 400
        assert "deactivate it instead" in response.json()["non_field_errors"][0]
    assert sales_state() == before
    assert client.delete(f"{PRODUCTS}{unused.pk}/").status_code == 204
    assert not Product.objects.filter(pk=unused.pk).exists()


def test_product_search_active_and_category(org, api):
    brake = ProductFactory(code="BP-1", name="刹车片", specification="陶瓷", category="制动")
    clutch = ProductFactory(code="CL-1", name="离合器片", category="传动")
    old = ProductFactory(code="OLD-1", name="旧款刹车盘", category="制动", is_active=False)
    client = api(org.users.sales1)

    def listed(**params):
        return ids(client.get(PRODUCTS, params))

    assert listed() == [brake.pk, clutch.pk, old.pk]  # by code
    assert listed(search="bp-") == [brake.pk]
    assert listed(search="陶瓷") == [brake.pk]
    assert listed(search="shache") == [brake.pk, old.pk]
    assert listed(search="lhq") == [clutch.pk]
    assert listed(active="true") == [brake.pk, clutch.pk]
    assert listed(active="false") == [old.pk]
    assert listed(category="制动") == [brake.pk, old.pk]
    rows, pages = collect_pages(client, PRODUCTS, {"page_size": 1})
    assert [r["id"] for r in rows] == [brake.pk, clutch.pk, old.pk] and pages == 3


# --- sales records -----------------------------------------------------------------------


def test_direct_sales_record_amount_is_computed(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    product = ProductFactory(list_price="19.99")
    client = api(org.users.sales1)
    response = client.post(
        RECORDS,
        {
            "customer": customer.pk,
            "product": product.pk,
            "date": "2025-03-01",
            "quantity": "3",
            "unit_price": "0.10",
            "amount": "999.00",  # read-only: ignored
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["direct"], body["contract"]) == ("0.30", True, None)
    assert body["salesperson"] == org.users.sales1.pk
    response = client.post(
        RECORDS,
        {"customer": customer.pk, "product": product.pk, "date": "2025-03-02", "quantity": "2"},
    )
    assert (response.json()["unit_price"], response.json()["amount"]) == ("19.99", "39.98")
    response = client.post(
        RECORDS,
        {"customer": customer.pk, "product": product.pk, "date": "2025-03-02", "quantity": "0"},
    )
    assert response.status_code == 400
    assert "quantity" in response.json()


def test_only_direct_records_change(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.EXECUTING)
    from_contract = SalesRecord.objects.get(contract=contract)
    direct = SalesRecordFactory(customer=contract.customer)
    client = api(org.users.manager)
    before = sales_state()
    assert client.patch(f"{RECORDS}{from_contract.pk}/", {"notes": "x"}).status_code == 400
    response = client.delete(f"{RECORDS}{from_contract.pk}/")
    assert response.status_code == 400
    assert "change the contract instead" in response.json()["non_field_errors"][0]
    assert sales_state() == before
    response = client.patch(f"{RECORDS}{direct.pk}/", {"quantity": "4", "unit_price": "2.50"})
    assert response.status_code == 200
    assert response.json()["amount"] == "10.00"
    assert client.delete(f"{RECORDS}{direct.pk}/").status_code == 204


def test_sales_record_filters(org, api):
    c1 = CustomerFactory(owner=org.users.sales1)
    c2 = CustomerFactory(owner=org.users.sales1b)
    p1, p2 = ProductFactory(), ProductFactory()
    a = SalesRecordFactory(customer=c1, product=p1, date=datetime.date(2025, 1, 10))
    b = SalesRecordFactory(customer=c2, product=p2, date=datetime.date(2025, 2, 10))
    c = SalesRecordFactory(customer=c1, product=p2, date=datetime.date(2025, 3, 10))
    SalesRecordFactory(customer=CustomerFactory(owner=org.users.sales2))  # north: not listed
    client = api(org.users.manager)

    def listed(**params):
        return ids(client.get(RECORDS, params))

    assert listed() == [c.pk, b.pk, a.pk]
    assert listed(customer=c1.pk) == [c.pk, a.pk]
    assert listed(product=p2.pk) == [c.pk, b.pk]
    assert listed(salesperson=org.users.sales1b.pk) == [b.pk]
    assert listed(date_from="2025-02-01", date_to="2025-02-28") == [b.pk]
    assert listed(date_from="2025-02-11") == [c.pk]
    assert client.get(RECORDS, {"date_from": "last week"}).status_code == 400
    rows, pages = collect_pages(client, RECORDS, {"page_size": 2})
    assert [r["id"] for r in rows] == [c.pk, b.pk, a.pk] and pages == 2


# --- payments ----------------------------------------------------------------------------


def test_payment_against_a_contract_out_of_scope_is_400_and_writes_nothing(org, api):
    theirs = make_contract(org, org.users.sales2, ContractStatus.APPROVED)
    draft = make_contract(org, org.users.sales1)
    client = api(org.users.sales1)
    before = sales_state()
    for contract_id in (theirs.pk, 999999):
        response = client.post(
            PAYMENTS, {"contract": contract_id, "amount": "1.00", "date": today().isoformat()}
        )
        assert response.status_code == 400
        assert "contract" in response.json()
    response = client.post(
        PAYMENTS, {"contract": draft.pk, "amount": "1.00", "date": today().isoformat()}
    )
    assert response.status_code == 400
    assert "approved, executing or completed" in response.json()["contract"][0]
    assert sales_state() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "120000.01"}, "amount"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"method": "bitcoin"}, "method"),
    ],
)
def test_bad_payments_are_400(org, api, payload, field):
    contract = make_contract(org, org.users.sales1, ContractStatus.APPROVED)
    before = sales_state()
    body = {"contract": contract.pk, "amount": "10.00", "date": today().isoformat(), **payload}
    response = api(org.users.sales1).post(PAYMENTS, body)
    assert response.status_code == 400
    assert field in response.json()
    assert sales_state() == before


def test_payment_edit_and_delete_keep_paid_in_step(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.APPROVED, paid="100.00")
    payment = contract.payments.get()
    clerk = api(org.users.clerk)
    response = clerk.patch(
        f"{PAYMENTS}{payment.pk}/", {"amount": "250.00", "contract": 999999, "note": "补"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["amount"], body["contract"], body["note"]) == ("250.00", contract.pk, "补")
    contract.refresh_from_db()
    assert contract.paid == Decimal("250.00")
    response = clerk.patch(f"{PAYMENTS}{payment.pk}/", {"amount": "120000.01"})
    assert response.status_code == 400
    assert "amount" in response.json()

    assert api(org.users.sales1).delete(f"{PAYMENTS}{payment.pk}/").status_code == 403
    assert clerk.delete(f"{PAYMENTS}{payment.pk}/").status_code == 403
    assert api(org.users.manager).delete(f"{PAYMENTS}{payment.pk}/").status_code == 204
    contract.refresh_from_db()
    assert contract.paid == Decimal("0.00")
    assert not Payment.objects.exists()


def test_payment_list_filters(org, api):
    c1 = make_contract(org, org.users.sales1, ContractStatus.APPROVED)
    c2 = make_contract(org, org.users.sales1b, ContractStatus.APPROVED)
    d = today()
    admin = org.users.admin
    from guanxi.sales.services.records import payment_create

    p1 = payment_create(actor=admin, contract=c1, date=d - datetime.timedelta(days=20), amount=1)
    p2 = payment_create(actor=admin, contract=c2, date=d - datetime.timedelta(days=10), amount=2)
    p3 = payment_create(actor=admin, contract=c1, date=d, amount=Decimal("3.50"))
    make_contract(org, org.users.sales2, ContractStatus.APPROVED, paid="9.00")  # north
    client = api(org.users.manager)

    def listed(**params):
        return ids(client.get(PAYMENTS, params))

    assert listed() == [p3.pk, p2.pk, p1.pk]
    assert listed(contract=c1.pk) == [p3.pk, p1.pk]
    assert listed(customer=c2.customer_id) == [p2.pk]
    assert listed(date_from=(d - datetime.timedelta(days=15)).isoformat()) == [p3.pk, p2.pk]
    assert listed(date_to=(d - datetime.timedelta(days=15)).isoformat()) == [p1.pk]
    row = client.get(PAYMENTS, {"contract": c1.pk}).json()["results"][0]
    assert (row["contract_number"], row["customer"], row["amount"]) == (
        c1.number,
        c1.customer_id,
        "3.50",
    )


# --- receivables -------------------------------------------------------------------------


def test_receivables_by_customer_and_age(org, api):
    d = today()
    customer = CustomerFactory(owner=org.users.sales1, name="欠款客户")
    fresh = make_contract(org, org.users.sales1, ContractStatus.APPROVED, customer=customer)
    old = make_contract(
        org, org.users.sales1, ContractStatus.EXECUTING, customer=customer, lines=SMALL,
        paid="100.00",
    )  # fmt: skip
    Contract.objects.filter(pk=fresh.pk).update(signed_on=d - datetime.timedelta(days=5))
    Contract.objects.filter(pk=old.pk).update(signed_on=d - datetime.timedelta(days=400))
    make_contract(org, org.users.sales1, ContractStatus.APPROVED, paid="120000.00")  # settled
    make_contract(org, org.users.sales1, ContractStatus.PENDING)  # not in force

    response = api(org.users.sales1).get(RECEIVABLES)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["customer"], row["customer_name"], row["contracts"]) == (customer.pk, "欠款客户", 2)
    assert row["outstanding"] == "120200.00"
    assert (row["age_0_30"], row["age_366_plus"]) == ("120000.00", "200.00")
    assert row["age_31_90"] == row["age_91_180"] == row["age_181_365"] == "0.00"
    assert row["oldest"] == (d - datetime.timedelta(days=400)).isoformat()
    assert ids_of(api(org.users.sales1).get(RECEIVABLES, {"customer": 999999})) == []


def ids_of(response):
    return [row["customer"] for row in response.json()["results"]]


def test_receivables_pages_largest_first(org, api):
    amounts = ["300.00", "100.00", "300.00", "200.00", "50.00"]
    customers = []
    for price in amounts:
        customer = CustomerFactory(owner=org.users.sales1)
        make_contract(
            org, org.users.sales1, ContractStatus.APPROVED, customer=customer,
            lines=[{"quantity": "1", "unit_price": price}],
        )  # fmt: skip
        customers.append(customer)
    rows, pages = collect_pages(api(org.users.manager), RECEIVABLES, {"page_size": 2})
    assert pages == 3
    assert sorted(r["customer"] for r in rows) == sorted(c.pk for c in customers)
    assert [r["outstanding"] for r in rows] == ["300.00", "300.00", "200.00", "100.00", "50.00"]
