"""Sales-record pages: list with filters and a totals row, direct entry, edit and delete of
entered records only (those from a contract are read-only), scope, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.sales.models import SalesRecord

from ..factories import CustomerFactory, ProductFactory, SalesRecordFactory
from .test_contract_pages import build_contract, count_queries, messages_of

pytestmark = pytest.mark.django_db


def record(owner, amount="100.00", quantity="1", days_ago=0, **kw):
    kw.setdefault("customer", CustomerFactory(owner=owner))
    return SalesRecordFactory(
        salesperson=owner,
        quantity=quantity,
        unit_price=amount,
        amount=amount,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        **kw,
    )


def test_list_filters_totals_and_scope(org, login):
    u = org.users
    brake, clutch = ProductFactory(code="BRK"), ProductFactory(code="CLT")
    customer = CustomerFactory(owner=u.sales1, name="常州汽配")
    record(u.sales1, "100.10", "1.5", product=brake, customer=customer)
    record(u.sales1, "0.20", "2", days_ago=50, product=clutch)
    record(u.sales1b, "7.00", product=brake)
    record(u.sales2, "999.99", product=brake)
    url = reverse("web:sales_record_list")

    response = login(u.sales1).get(url)
    assert response.status_code == 200
    assert response.context["totals"] == {"quantity": Decimal("3.5"), "amount": Decimal("100.30")}
    body = response.content.decode()
    assert 'id="total-amount">100.30<' in body and "999.99" not in body
    assert 'id="total-quantity">3.5<' in body

    manager = login(u.manager)
    assert manager.get(url).context["totals"]["amount"] == Decimal("107.30")
    filtered = manager.get(url, {"product": brake.pk}).context["totals"]
    assert filtered["amount"] == Decimal("107.10")
    by_person = manager.get(url, {"salesperson": u.sales1b.pk}).context["totals"]
    assert by_person["amount"] == Decimal("7.00")
    by_customer = manager.get(url, {"customer": customer.pk}).context["totals"]
    assert by_customer["amount"] == Decimal("100.10")
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    period = manager.get(url, {"date_from": since, "date_to": timezone.localdate().isoformat()})
    assert period.context["totals"]["amount"] == Decimal("107.10")
    assert login(u.service).get(url).status_code == 403


def test_direct_entry_and_edit_rights(org, login):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    product = ProductFactory(list_price=Decimal("12.50"))
    sales1 = login(u.sales1)
    url = reverse("web:sales_record_create")
    assert sales1.get(url).status_code == 200
    data = {
        "customer": str(customer.pk),
        "customer_label": customer.name,
        "product": str(product.pk),
        "salesperson": str(u.sales1.pk),
        "date": "2025-03-01",
        "quantity": "4",
        "unit_price": "",
        "notes": "系统上线前",
    }
    response = sales1.post(url, data)
    assert response.status_code == 302
    created = SalesRecord.objects.get()
    assert created.amount == Decimal("50.00") and created.unit_price == Decimal("12.50")
    assert created.created_by == u.sales1 and created.contract_id is None

    # The salesperson may enter but not change or delete (role grants "vc").
    edit_url = reverse("web:sales_record_edit", args=[created.pk])
    assert sales1.get(edit_url).status_code == 403
    assert sales1.post(reverse("web:sales_record_delete", args=[created.pk])).status_code == 403
    assert login(u.sales2).get(edit_url).status_code == 404

    manager = login(u.manager)
    response = manager.get(edit_url)
    assert response.status_code == 200
    response = manager.post(edit_url, {**data, "quantity": "3", "unit_price": "0.10"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.amount == Decimal("0.30") and created.updated_by == u.manager
    response = manager.post(edit_url, {**data, "quantity": "-1", "unit_price": ""})
    assert set(response.context["form"].errors) == {"quantity", "unit_price"}
    assert manager.post(reverse("web:sales_record_delete", args=[created.pk])).status_code == 302
    assert not SalesRecord.objects.exists()


def test_bad_entry_shows_errors_next_to_fields(org, login):
    u = org.users
    theirs = CustomerFactory(owner=u.sales2)
    client = login(u.sales1)
    data = {
        "customer": str(theirs.pk),
        "product": "",
        "salesperson": str(u.sales1.pk),
        "date": "",
        "quantity": "abc",
    }
    response = client.post(reverse("web:sales_record_create"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"customer", "product", "date", "quantity"}
    assert not SalesRecord.objects.exists()


def test_records_from_a_contract_are_read_only(org, login):
    u = org.users
    contract = build_contract(u.sales1, total="300.00", status="executing")
    from_contract = SalesRecord.objects.get(contract=contract)
    manager = login(u.manager)
    body = manager.get(reverse("web:sales_record_list")).content.decode()
    assert reverse("web:contract_detail", args=[contract.pk]) in body
    assert reverse("web:sales_record_edit", args=[from_contract.pk]) not in body
    response = manager.get(reverse("web:sales_record_edit", args=[from_contract.pk]))
    assert response.status_code == 302
    assert response.url == reverse("web:contract_detail", args=[contract.pk])
    response = manager.post(reverse("web:sales_record_delete", args=[from_contract.pk]))
    assert response.status_code == 302 and messages_of(response)
    assert SalesRecord.objects.filter(pk=from_contract.pk).exists()
    detail = manager.get(reverse("web:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="sales-records"' in detail and "300.00" in detail
    filtered = manager.get(reverse("web:sales_record_list"), {"contract": contract.pk})
    assert filtered.context["totals"]["amount"] == Decimal("300.00")


@pytest.mark.parametrize("role", ["manager", "clerk", "sales1"])
def test_list_queries_do_not_grow(org, login, role):
    u = org.users
    client = login(getattr(u, role))
    url = reverse("web:sales_record_list")

    def fill(n):
        for i in range(n):
            record(u.sales1 if i % 2 else u.sales1b, created_by=u.sales1)

    fill(3)
    few = count_queries(client, url)
    fill(20)
    many = count_queries(client, url)
    assert few == many, (few, many)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    aggregates = [q for q in ctx.captured_queries if 'SUM("sales_salesrecord"' in q["sql"]]
    assert len(aggregates) == 1
