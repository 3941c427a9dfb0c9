"""Payment pages: recording on the contract page (over-total refused next to the amount,
nothing written), deleting, the payment list, receivables grouped by customer and age, and
query counts that do not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.common.models import AuditLog
from guanxi.sales.models import Contract, Payment
from guanxi.sales.services.records import payment_create

from ..factories import CustomerFactory
from .test_contract_pages import build_contract, count_queries

pytestmark = pytest.mark.django_db


def pay(contract, amount, days_ago=0, actor=None):
    return payment_create(
        actor=actor or contract.owner,
        contract=contract,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        amount=Decimal(amount),
    )


def test_payment_above_outstanding_is_refused_next_to_amount(org, login):
    contract = build_contract(org.users.sales1, total="1000.00", status="executing")
    pay(contract, "400.00")
    client = login(org.users.sales1)
    url = reverse("web:contract_payment_create", args=[contract.pk])
    before = AuditLog.objects.count()
    response = client.post(
        url, {"date": timezone.localdate().isoformat(), "amount": "600.01", "method": "cash"}
    )
    assert response.status_code == 200
    form = response.context["payment_form"]
    assert list(form.errors) == ["amount"]
    assert "600.00" in form.errors["amount"][0]
    body = response.content.decode()
    assert 'id="payment-form"' in body and "invalid-feedback d-block" in body
    assert Payment.objects.count() == 1 and AuditLog.objects.count() == before
    contract.refresh_from_db()
    assert contract.paid == Decimal("400.00")

    response = client.post(
        url, {"date": timezone.localdate().isoformat(), "amount": "600.00", "method": "cash"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.outstanding == Decimal("0.00")
    body = client.get(reverse("web:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="contract-outstanding">0.00<' in body
    assert 'id="payment-form"' not in body  # nothing left to pay


def test_payment_form_rules(org, login):
    u = org.users
    draft = build_contract(u.sales1, total="1000.00")
    client = login(u.sales1)
    body = client.get(reverse("web:contract_detail", args=[draft.pk])).content.decode()
    assert 'id="payment-form"' not in body
    data = {"date": timezone.localdate().isoformat(), "amount": "1.00", "method": "cash"}
    response = client.post(reverse("web:contract_payment_create", args=[draft.pk]), data)
    assert response.status_code == 200
    assert response.context["payment_form"].non_field_errors()
    assert not Payment.objects.exists()

    approved = build_contract(u.sales1, total="1000.00", status="approved")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    url = reverse("web:contract_payment_create", args=[approved.pk])
    response = client.post(url, {**data, "date": future})
    assert "date" in response.context["payment_form"].errors
    response = client.post(url, {**data, "amount": "0"})
    assert "amount" in response.context["payment_form"].errors
    assert not Payment.objects.exists()
    # No payments.create: 403; someone else's contract: 404.
    assert login(u.service).post(url, data).status_code == 403
    assert login(u.sales2).post(url, data).status_code == 404
    assert not Payment.objects.exists()


def test_delete_payment_from_the_contract_page(org, login):
    u = org.users
    contract = build_contract(u.sales1, total="1000.00", status="approved")
    payment = pay(contract, "300.00")
    detail = reverse("web:contract_detail", args=[contract.pk])
    assert reverse("web:payment_delete", args=[payment.pk]) not in (
        login(u.sales1).get(detail).content.decode()
    )
    url = reverse("web:payment_delete", args=[payment.pk])
    assert login(u.sales1).post(url).status_code == 403
    assert login(u.manager2).post(url).status_code == 404
    manager = login(u.manager)
    assert url in manager.get(detail).content.decode()
    response = manager.post(url)
    assert response.status_code == 302 and response.url.startswith(detail)
    assert not Payment.objects.exists()
    contract.refresh_from_db()
    assert contract.paid == Decimal("0.00")


def test_payment_list_filters_and_scope(org, login):
    u = org.users
    a = build_contract(u.sales1, total="1000.00", status="approved")
    b = build_contract(u.sales1, total="1000.00", status="approved")
    theirs = build_contract(u.sales2, total="1000.00", status="approved")
    pay(a, "111.11", days_ago=40)
    pay(b, "222.22", days_ago=2)
    pay(theirs, "333.33")
    client = login(u.sales1)
    url = reverse("web:payment_list")
    body = client.get(url).content.decode()
    assert "111.11" in body and "222.22" in body and "333.33" not in body
    body = client.get(url, {"customer": a.customer_id}).content.decode()
    assert "111.11" in body and "222.22" not in body
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    body = client.get(url, {"date_from": since}).content.decode()
    assert "222.22" in body and "111.11" not in body
    body = client.get(url, {"contract": b.pk}).content.decode()
    assert "222.22" in body and "111.11" not in body and b.number in body
    assert client.get(url, {"contract": theirs.pk}).status_code == 404
    assert login(u.service).get(url).status_code == 403
    assert login(u.service).get(reverse("web:receivables")).status_code == 403


def test_receivables_grouped_by_customer_and_age(org, login):
    u = org.users
    today = timezone.localdate()
    big = CustomerFactory(owner=u.sales1, name="大客户")
    small = CustomerFactory(owner=u.sales1, name="小客户")
    c1 = build_contract(
        u.sales1, total="1000.00", status="executing", customer=big, signed_on=today
    )
    c2 = build_contract(
        u.sales1,
        total="500.00",
        status="approved",
        customer=big,
        signed_on=today - datetime.timedelta(days=100),
    )
    build_contract(
        u.sales1,
        total="80.00",
        status="completed",
        customer=small,
        signed_on=today - datetime.timedelta(days=400),
    )
    paid_off = build_contract(u.sales1, total="70.00", status="approved", customer=small)
    build_contract(u.sales1, total="999.00", status="draft", customer=small)  # not payable
    build_contract(u.sales2, total="5000.00", status="approved")  # another team
    pay(c1, "250.00")
    pay(paid_off, "70.00")
    assert c2.pk

    response = login(u.sales1).get(reverse("web:receivables"))
    assert response.status_code == 200
    rows = {item["row"]["customer__name"]: item for item in response.context["rows"]}
    assert set(rows) == {"大客户", "小客户"}
    assert rows["大客户"]["row"]["contracts"] == 2
    assert rows["大客户"]["row"]["outstanding"] == Decimal("1250.00")
    assert rows["大客户"]["ages"] == [
        Decimal("750.00"),
        Decimal("0.00"),
        Decimal("500.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert rows["小客户"]["row"]["contracts"] == 1
    assert rows["小客户"]["ages"][-1] == Decimal("80.00")
    names = [item["row"]["customer__name"] for item in response.context["rows"]]
    assert names == ["大客户", "小客户"]  # largest outstanding first
    body = response.content.decode()
    assert "1,250.00" in body and "5,000.00" not in body

    filtered = login(u.sales1).get(reverse("web:receivables"), {"customer": small.pk})
    assert [i["row"]["customer__name"] for i in filtered.context["rows"]] == ["小客户"]
    manager_rows = login(u.manager).get(reverse("web:receivables")).context["rows"]
    assert len(manager_rows) == 2
    assert login(u.sales2).get(reverse("web:receivables")).context["rows"][0]["row"][
        "outstanding"
    ] == Decimal("5000.00")


@pytest.mark.parametrize("role", ["manager", "clerk", "sales1"])
def test_payment_list_and_receivables_queries_do_not_grow(org, login, role):
    u = org.users
    client = login(getattr(u, role))
    urls = [reverse("web:payment_list"), reverse("web:receivables")]

    def fill(n):
        for _ in range(n):
            contract = build_contract(u.sales1, total="1000.00", status="executing")
            pay(contract, "10.00")
            pay(contract, "20.00", days_ago=100)

    fill(2)
    few = [count_queries(client, url) for url in urls]
    fill(12)
    many = [count_queries(client, url) for url in urls]
    assert few == many, (few, many)
    assert Contract.objects.count() == 14


def test_receivables_pages_by_keyset_with_totals_over_the_scope(org, login):
    u = org.users
    for i in range(27):
        build_contract(u.sales1, total=f"{1000 + i}.00", status="approved")
    build_contract(u.sales2, total="9999.00", status="approved")  # another team
    client = login(u.sales1)
    first = client.get(reverse("web:receivables"))
    rows = [item["row"] for item in first.context["rows"]]
    assert len(rows) == 25 and rows[0]["outstanding"] == Decimal("1026.00")
    assert first.context["totals"] == {"outstanding": Decimal("27351.00"), "contracts": 27}
    body = first.content.decode()
    assert "27,351.00" in body and "9,999.00" not in body
    assert first.context["next_url"] and not first.context["first_url"]
    second = client.get(first.context["next_url"])
    rest = [item["row"] for item in second.context["rows"]]
    assert [r["outstanding"] for r in rest] == [Decimal("1001.00"), Decimal("1000.00")]
    assert not second.context["next_url"] and second.context["first_url"]
    # A cursor that is not one: the first page, with a message, never a 500.
    for bad in ("x", "1.2", "-5.1.1", "9" * 30 + ".1.1"):
        response = client.get(reverse("web:receivables"), {"after": bad}, follow=True)
        assert response.status_code == 200
        assert len(response.context["rows"]) == 25
        assert "no longer exists" in response.content.decode()
