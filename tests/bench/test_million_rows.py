"""The benchmark's bulk rows are the rows the app would write: every derived column
(normalised name and phones, pinyin, initials, search text) equals what the app's own
functions give for the stored record, the credit codes are valid and each contract's
payments add up to what it says is paid. A tiny build, inside the test's transaction."""

from collections import defaultdict
from decimal import Decimal

import pytest

from bench.million import build, parse_args
from guanxi.common.search import search_q
from guanxi.common.text import normalize_name, normalize_phone, pinyin_full, pinyin_initials
from guanxi.common.validators import clean_credit_code
from guanxi.customers.models import Contact, Customer
from guanxi.customers.search import contact_search_text, customer_search_text
from guanxi.sales.models import Contract, Opportunity, Payment, Product
from guanxi.sales.search import contract_text_now, opportunity_text_now, product_search_text
from guanxi.service.models import Feedback
from guanxi.service.search import feedback_text_now


@pytest.fixture
def bench_rows(org):
    args = parse_args(["--customers", "80", "--products", "20", "--jobs", "1"])
    stats = build(args, schema_tricks=False)
    return args, stats


def test_bulk_rows_equal_the_apps_rows(bench_rows):
    args, stats = bench_rows
    customers = list(Customer.all_objects.filter(code__startswith="BM"))
    assert len(customers) == args.customers == stats["customers"][0]
    assert sum(1 for c in customers if c.credit_code) == args.customers // 2
    for c in customers:
        assert c.name_pinyin == pinyin_full(c.name)
        assert c.name_initials == pinyin_initials(c.name)
        assert c.normalized_name == normalize_name(c.name)
        assert c.phone_normalized == normalize_phone(c.phone)
        assert c.search_text == customer_search_text(c)
        if c.credit_code:
            assert clean_credit_code(c.credit_code) == c.credit_code
        assert (c.status == "lost") == (c.lost_at is not None)
    contacts = list(
        Contact.objects.filter(customer__code__startswith="BM").select_related("customer")
    )
    assert len(contacts) == args.contacts
    for p in contacts:
        assert p.is_primary
        assert (p.name_pinyin, p.name_initials) == (pinyin_full(p.name), pinyin_initials(p.name))
        assert p.mobile_normalized == normalize_phone(p.mobile)
        assert p.search_text == contact_search_text(p, p.customer.name)
    opportunities = Opportunity.objects.filter(customer__code__startswith="BM")
    assert opportunities.count() == args.opportunities
    for o in opportunities.select_related("customer"):
        assert o.search_text == opportunity_text_now(o)
    contracts = list(Contract.objects.filter(number__startswith="BM-").select_related("customer"))
    assert len(contracts) == args.contracts
    paid: dict[int, Decimal] = defaultdict(Decimal)
    payments = list(Payment.objects.filter(contract__number__startswith="BM-"))
    assert len(payments) == args.payments
    for payment in payments:
        paid[payment.contract_id] += payment.amount
    for k in contracts:
        assert k.search_text == contract_text_now(k)
        assert paid.get(k.pk, Decimal("0")) == k.paid
    for f in Feedback.objects.filter(customer__code__startswith="BM").select_related(
        "customer", "contact"
    ):
        assert f.search_text == feedback_text_now(f)
    products = list(Product.objects.filter(code__startswith="BP-"))
    assert len(products) == args.products
    for p in products:
        assert (p.name_pinyin, p.name_initials) == (pinyin_full(p.name), pinyin_initials(p.name))
        assert p.search_text == product_search_text(p)
    some = Customer.objects.get(code="BM00000042")  # and the search index holds them
    for term in (some.name, some.phone, some.code, some.credit_code, some.name_pinyin):
        assert some in Customer.objects.filter(search_q(Customer, term)), term
