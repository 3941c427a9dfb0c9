"""Contracts through the API: lines and exact decimal totals, the approval flow with its
refusals, execution, termination, payments against the contract, the approval queue, and
two approvers deciding one contract at once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from guanxi.customers.enums import CustomerStatus
from guanxi.sales.enums import ContractStatus
from guanxi.sales.models import ApprovalDecision, Contract, Payment, SalesRecord, SalesSettings
from guanxi.sales.search import contract_text_now
from guanxi.sales.services import contracts as cs
from tests.factories import CustomerFactory, OpportunityFactory, ProductFactory

from .helpers import collect_pages, ids
from .test_sales_support import SMALL, make_contract, sales_state, today

URL = "/api/v1/contracts/"


def detail(contract, action=""):
    return f"{URL}{contract.pk}/{action + '/' if action else ''}"


@pytest.fixture
def api(api):
    """The API clients of these tests read English messages."""

    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


@pytest.fixture
def products(db):
    return ProductFactory(list_price="88.50"), ProductFactory()


def create(client, customer, lines, **extra):
    return client.post(URL, {"customer": customer.pk, "lines": lines, **extra})


# --- lines and totals --------------------------------------------------------------------


def test_create_with_two_lines_totals_are_exact_decimal_strings(org, api, products):
    p1, p2 = products
    customer = CustomerFactory(owner=org.users.sales1)
    response = create(
        api(org.users.sales1),
        customer,
        [
            {"product": p1.pk, "quantity": "2", "unit_price": "60000.00", "amount": "1.00"},
            {"product": p2.pk, "quantity": "3", "unit_price": "0.10"},
        ],
        total="999.99",  # read-only: ignored
        status="approved",  # read-only: ignored
        paid="5.00",  # read-only: ignored
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == "120000.30"
    assert body["paid"] == "0.00"
    assert body["outstanding"] == "120000.30"
    assert body["status"] == "draft"
    assert body["number"].startswith("HT-")
    assert body["owner"] == org.users.sales1.pk
    assert body["approver"] is None and body["decisions"] == []
    assert [
        (li["product"], li["quantity"], li["unit_price"], li["amount"]) for li in body["lines"]
    ] == [
        (p1.pk, "2.000", "60000.00", "120000.00"),
        (p2.pk, "3.000", "0.10", "0.30"),
    ]
    contract = Contract.objects.get(pk=body["id"])
    assert contract.total == Decimal("120000.30")
    assert contract.created_by == org.users.sales1


@pytest.mark.parametrize(
    ("quantity", "unit_price", "amount"),
    [
        ("3", "0.10", "0.30"),
        ("0.333", "0.10", "0.03"),
        ("0.335", "0.10", "0.03"),  # 0.0335 → 0.03
        ("0.005", "1.00", "0.01"),  # half up
        ("1.5", "0.33", "0.50"),  # 0.495 → 0.50
        ("7", "14285.71", "99999.97"),
    ],
)
def test_line_amounts_round_half_up_to_the_cent(org, api, products, quantity, unit_price, amount):
    customer = CustomerFactory(owner=org.users.sales1)
    line = {"product": products[0].pk, "quantity": quantity, "unit_price": unit_price}
    response = create(api(org.users.sales1), customer, [line, line])
    assert response.status_code == 201, response.content
    body = response.json()
    assert [li["amount"] for li in body["lines"]] == [amount, amount]
    assert body["total"] == f"{Decimal(amount) * 2:.2f}"


def test_unit_price_defaults_to_the_list_price(org, api, products):
    customer = CustomerFactory(owner=org.users.sales1)
    response = create(
        api(org.users.sales1), customer, [{"product": products[0].pk, "quantity": "2"}]
    )
    assert response.status_code == 201
    assert response.json()["lines"][0]["unit_price"] == "88.50"
    assert response.json()["total"] == "177.00"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": "0.3333", "unit_price": "1.00"}, "quantity"),
        ({"quantity": "1", "unit_price": "1.001"}, "unit_price"),
        ({"quantity": "abc", "unit_price": "1.00"}, "quantity"),
        ({"unit_price": "1.00"}, "quantity"),
        ({"quantity": "0", "unit_price": "1.00"}, None),
        ({"quantity": "-1", "unit_price": "1.00"}, None),
        ({"quantity": "1", "unit_price": "-1.00"}, None),
    ],
)
def test_bad_lines_are_400_and_nothing_is_written(org, api, products, line, field):
    customer = CustomerFactory(owner=org.users.sales1)
    before = sales_state()
    response = create(api(org.users.sales1), customer, [{"product": products[0].pk, **line}])
    assert response.status_code == 400, response.content
    errors = response.json()["lines"]
    if field is not None:
        assert field in errors["0"]  # DRF: {index: errors} of the failing lines
    else:
        assert "Line 1" in errors[0]  # the service: one message naming the line
    assert sales_state() == before


def test_unknown_or_inactive_product_is_refused(org, api, products):
    customer = CustomerFactory(owner=org.users.sales1)
    client = api(org.users.sales1)
    response = create(client, customer, [{"product": 999999, "quantity": "1"}])
    assert response.status_code == 400
    assert "product" in response.json()["lines"]["0"]
    retired = ProductFactory(is_active=False)
    response = create(client, customer, [{"product": retired.pk, "quantity": "1"}])
    assert response.status_code == 400
    assert "no longer sold" in response.json()["lines"][0]
    assert not Contract.objects.exists()


def test_customer_out_of_scope_or_unknown_is_400(org, api, products):
    line = [{"product": products[0].pk, "quantity": "1"}]
    client = api(org.users.sales1)
    for customer_id in (CustomerFactory(owner=org.users.sales2).pk, 999999):
        response = client.post(URL, {"customer": customer_id, "lines": line})
        assert response.status_code == 400
        assert "customer" in response.json()
    assert not Contract.objects.exists()


def test_opportunity_of_another_customer_is_refused(org, api, products):
    customer = CustomerFactory(owner=org.users.sales1)
    other = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    response = create(
        api(org.users.sales1), customer, [{"product": products[0].pk, "quantity": "1"}],
        opportunity=other.pk,
    )  # fmt: skip
    assert response.status_code == 400
    assert "opportunity" in response.json()
    hidden = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales2))
    response = create(api(org.users.sales1), customer, [], opportunity=hidden.pk)
    assert response.status_code == 400
    assert "opportunity" in response.json()


def test_lines_are_replaced_in_draft_and_frozen_after_submit(org, api, products):
    p1, p2 = products
    contract = make_contract(org, org.users.sales1)
    client = api(org.users.sales1)
    response = client.patch(
        detail(contract),
        {"lines": [{"product": p2.pk, "quantity": "0.333", "unit_price": "0.10"}], "title": "改"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == "0.03"
    assert body["title"] == "改"
    assert [li["product"] for li in body["lines"]] == [p2.pk]
    assert contract.lines.count() == 1

    response = client.patch(detail(contract), {"lines": [{"product": p1.pk, "quantity": "2000"}]})
    assert response.status_code == 200
    assert response.json()["total"] == "177000.00"
    assert client.post(detail(contract, "submit")).json()["status"] == "pending"

    before = sales_state()
    response = client.patch(detail(contract), {"lines": [{"product": p1.pk, "quantity": "1"}]})
    assert response.status_code == 400
    assert "draft or rejected" in response.json()["non_field_errors"][0]
    response = client.patch(detail(contract), {"title": "不能改"})
    assert response.status_code == 400
    assert sales_state() == before
    # Notes stay editable, and sending the record back unchanged with new notes is fine.
    current = client.get(detail(contract)).json()
    put = {k: current[k] for k in ("customer", "opportunity", "owner", "signed_on", "title")}
    response = client.put(detail(contract), {**put, "notes": "客户要求分批交货"})
    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "客户要求分批交货"
    assert response.json()["total"] == "177000.00"


def test_delete_only_draft_or_rejected(org, api):
    draft = make_contract(org, org.users.sales1)
    pending = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    client = api(org.users.sales1)
    assert client.delete(detail(draft)).status_code == 204
    assert not Contract.objects.filter(pk=draft.pk).exists()
    before = sales_state()
    response = client.delete(detail(pending))
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert sales_state() == before


# --- approval ----------------------------------------------------------------------------


def test_submit_above_threshold_waits_for_the_department_head(org, api):
    for owner in (org.users.sales1, org.users.sales1b):
        contract = make_contract(org, owner)
        response = api(owner).post(detail(contract, "submit"), {"comment": "请审批"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "pending"
        assert body["approver"] == org.users.manager.pk  # sales1b's group has no head
        assert body["submitted_at"]


def test_submit_below_threshold_is_approved_at_once(org, api):
    contract = make_contract(org, org.users.sales1, lines=SMALL)
    response = api(org.users.sales1).post(detail(contract, "submit"))
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approver"] is None
    assert not ApprovalDecision.objects.exists()


def test_rule_all_sends_even_small_contracts_for_approval(org, api):
    SalesSettings.objects.update_or_create(pk=1, defaults={"approval_rule": "all"})
    contract = make_contract(org, org.users.sales1, lines=SMALL)
    response = api(org.users.sales1).post(detail(contract, "submit"))
    assert response.json()["status"] == "pending"


def test_submit_needs_lines_and_a_draft(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    client = api(org.users.sales1)
    empty = client.post(URL, {"customer": customer.pk}).json()
    response = client.post(f"{URL}{empty['id']}/submit/")
    assert response.status_code == 400
    assert "lines" in response.json()
    pending = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    response = client.post(detail(pending, "submit"))
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_manager_approves_and_the_decision_is_shown(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    response = api(org.users.manager).post(detail(contract, "approve"), {"comment": "同意"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert len(body["decisions"]) == 1
    decision = body["decisions"][0]
    assert decision["approver"] == org.users.manager.pk
    assert decision["decision"] == "approve"
    assert decision["comment"] == "同意"
    assert decision["total"] == "120000.00"
    assert decision["decided_at"]
    assert api(org.users.sales1).get(detail(contract)).json()["decisions"] == body["decisions"]


def test_salesperson_cannot_approve(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    before = sales_state()
    for verb in ("approve", "reject"):
        assert api(org.users.sales1).post(detail(contract, verb)).status_code == 403
    assert sales_state() == before


def test_nobody_approves_their_own_contract(org, api):
    contract = make_contract(org, org.users.manager, ContractStatus.PENDING)
    assert contract.approver is None or contract.approver != org.users.manager
    before = sales_state()
    response = api(org.users.manager).post(detail(contract, "approve"))
    assert response.status_code == 403
    assert "own contract" in response.json()["detail"]
    assert sales_state() == before
    # The administrator (head office) decides instead.
    assert api(org.users.admin).post(detail(contract, "approve")).json()["status"] == "approved"


def test_manager_of_another_department_does_not_see_it(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    before = sales_state()
    for verb in ("approve", "reject"):
        assert api(org.users.manager2).post(detail(contract, verb)).status_code == 404
    assert sales_state() == before


@pytest.mark.parametrize("role", ["clerk", "service", "exec"])
def test_viewers_cannot_decide_or_move_contracts(org, api, role):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    client = api(getattr(org.users, role))
    before = sales_state()
    for verb in ("approve", "reject", "submit", "start", "complete", "terminate"):
        assert client.post(detail(contract, verb), {"comment": "x"}).status_code == 403
    assert sales_state() == before


def test_second_decision_is_refused_with_a_clear_message(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    assert api(org.users.manager).post(detail(contract, "approve")).status_code == 200
    before = sales_state()
    for user, verb in ((org.users.admin, "reject"), (org.users.manager, "approve")):
        response = api(user).post(detail(contract, verb), {"comment": "晚了"})
        assert response.status_code == 400
        message = response.json()["non_field_errors"][0]
        assert "Approved" in message and "someone else acted on it first" in message
    assert sales_state() == before
    assert ApprovalDecision.objects.filter(contract=contract).count() == 1


def test_reject_then_edit_and_resubmit(org, api, products):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    response = api(org.users.manager).post(detail(contract, "reject"), {"comment": "单价太低"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["decisions"][0]["decision"] == "reject"
    assert body["decisions"][0]["comment"] == "单价太低"

    client = api(org.users.sales1)
    response = client.patch(
        detail(contract),
        {"lines": [{"product": products[1].pk, "quantity": "2", "unit_price": "65000.00"}]},
    )
    assert response.status_code == 200
    assert response.json()["total"] == "130000.00"
    response = client.post(detail(contract, "submit"), {"comment": "已调价"})
    assert response.json()["status"] == "pending"
    response = api(org.users.manager).post(detail(contract, "approve"))
    body = response.json()
    assert body["status"] == "approved"
    assert [d["decision"] for d in body["decisions"]] == ["approve", "reject"]


def test_start_creates_sales_records_and_activates_the_customer(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.APPROVED)
    customer = contract.customer
    assert customer.status == CustomerStatus.PROSPECT
    response = api(org.users.sales1).post(detail(contract, "start"))
    assert response.status_code == 200
    assert response.json()["status"] == "executing"
    assert response.json()["started_on"] == today().isoformat()
    records = SalesRecord.objects.filter(contract=contract)
    assert records.count() == contract.lines.count() == 1
    assert records.get().amount == Decimal("120000.00")
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE

    listed = api(org.users.sales1).get("/api/v1/sales-records/", {"customer": customer.pk}).json()
    assert [r["contract_number"] for r in listed["results"]] == [contract.number]
    assert listed["results"][0]["direct"] is False

    response = api(org.users.sales1).post(detail(contract, "start"))
    assert response.status_code == 400
    assert SalesRecord.objects.filter(contract=contract).count() == 1

    response = api(org.users.sales1).post(detail(contract, "complete"))
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert response.json()["completed_on"] == today().isoformat()
    response = api(org.users.sales1).post(detail(contract, "complete"))
    assert response.status_code == 400


def test_start_needs_approval_first(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    before = sales_state()
    response = api(org.users.sales1).post(detail(contract, "start"))
    assert response.status_code == 400
    assert sales_state() == before


def test_terminate_requires_a_reason(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.EXECUTING)
    client = api(org.users.sales1)
    before = sales_state()
    for body in ({}, {"comment": "   "}):
        response = client.post(detail(contract, "terminate"), body)
        assert response.status_code == 400
        assert "comment" in response.json()
    assert sales_state() == before
    response = client.post(detail(contract, "terminate"), {"comment": "客户破产"})
    assert response.status_code == 200
    assert response.json()["status"] == "terminated"
    contract.customer.refresh_from_db()
    assert contract.customer.status == CustomerStatus.PROSPECT
    response = client.post(detail(contract, "terminate"), {"comment": "再来一次"})
    assert response.status_code == 400


def test_out_of_scope_contract_actions_are_404(org, api):
    contract = make_contract(org, org.users.sales2, ContractStatus.APPROVED)
    client = api(org.users.sales1)
    before = sales_state()
    for verb in ("submit", "start", "complete", "terminate"):
        assert client.post(detail(contract, verb), {"comment": "x"}).status_code == 404
    assert client.get(detail(contract)).status_code == 404
    assert client.patch(detail(contract), {"notes": "x"}).status_code == 404
    assert sales_state() == before


# --- payments against a contract --------------------------------------------------------


def test_payments_show_paid_and_outstanding_and_cannot_exceed_the_total(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.EXECUTING)
    client = api(org.users.sales1)
    day = today().isoformat()
    response = client.post(
        "/api/v1/payments/",
        {"contract": contract.pk, "amount": "20000.00", "date": day, "method": "transfer"},
    )
    assert response.status_code == 201, response.content
    body = client.get(detail(contract)).json()
    assert (body["total"], body["paid"], body["outstanding"]) == (
        "120000.00",
        "20000.00",
        "100000.00",
    )

    before = sales_state()
    response = client.post(
        "/api/v1/payments/", {"contract": contract.pk, "amount": "100000.01", "date": day}
    )
    assert response.status_code == 400
    assert "100,000.00" in response.json()["amount"][0]
    assert sales_state() == before

    response = client.post(
        "/api/v1/payments/", {"contract": contract.pk, "amount": "100000.00", "date": day}
    )
    assert response.status_code == 201
    body = client.get(detail(contract)).json()
    assert (body["paid"], body["outstanding"]) == ("120000.00", "0.00")
    assert Payment.objects.filter(contract=contract).count() == 2


def test_outstanding_filter_and_approval_queue(org, api):
    unpaid = make_contract(org, org.users.sales1, ContractStatus.APPROVED)
    paid = make_contract(org, org.users.sales1, ContractStatus.APPROVED, paid="120000.00")
    draft = make_contract(org, org.users.sales1)
    pending_east = make_contract(org, org.users.sales1b, ContractStatus.PENDING)
    pending_north = make_contract(org, org.users.sales2, ContractStatus.PENDING)
    own_pending = make_contract(org, org.users.manager, ContractStatus.PENDING)

    client = api(org.users.sales1)
    assert ids(client.get(URL, {"outstanding": "1"})) == [unpaid.pk]
    assert set(ids(client.get(URL))) == {unpaid.pk, paid.pk, draft.pk}
    assert ids(client.get(URL, {"status": "draft"})) == [draft.pk]

    queue = {"awaiting_my_approval": "1"}
    assert ids(api(org.users.manager).get(URL, queue)) == [pending_east.pk]
    assert ids(api(org.users.manager2).get(URL, queue)) == [pending_north.pk]
    assert set(ids(api(org.users.admin).get(URL, queue))) == {
        pending_east.pk,
        pending_north.pk,
        own_pending.pk,
    }
    assert ids(client.get(URL, queue)) == []
    assert own_pending.pk not in ids(api(org.users.manager).get(URL, queue))


def test_contract_filters_search_and_ordering(org, api):
    a = make_contract(org, org.users.sales1, lines=SMALL)
    b = make_contract(org, org.users.sales1b)
    a.title = "冲压线合同"  # written directly: the search text goes with it
    Contract.objects.filter(pk=a.pk).update(title=a.title, search_text=contract_text_now(a))
    client = api(org.users.manager)
    assert ids(client.get(URL, {"search": "冲压"})) == [a.pk]
    assert ids(client.get(URL, {"search": b.number})) == [b.pk]
    assert ids(client.get(URL, {"owner": org.users.sales1b.pk})) == [b.pk]
    assert ids(client.get(URL, {"customer": a.customer_id})) == [a.pk]
    assert ids(client.get(URL, {"ordering": "total"})) == [a.pk, b.pk]
    assert ids(client.get(URL, {"ordering": "-total"})) == [b.pk, a.pk]
    response = client.get(URL, {"ordering": "customer__owner__password"})
    assert response.status_code == 400
    assert "ordering" in response.json()
    assert client.get(URL, {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize("ordering", ["-id", "total", "-total", "number"])
def test_contract_keyset_pages_cover_every_row_once(org, api, ordering):
    made = [make_contract(org, org.users.sales1, lines=SMALL) for _ in range(5)]
    made += [make_contract(org, org.users.sales1) for _ in range(2)]
    rows, pages = collect_pages(api(org.users.sales1), URL, {"page_size": 2, "ordering": ordering})
    assert pages == 4
    assert sorted(r["id"] for r in rows) == sorted(c.pk for c in made)
    key = ordering.lstrip("-")
    values = [Decimal(r[key]) if key == "total" else r[key] for r in rows]
    assert values == sorted(values, reverse=ordering.startswith("-"))


# --- from a won opportunity --------------------------------------------------------------


def test_won_opportunity_becomes_a_draft_contract(org, api, products):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1), name="冲压线")
    client = api(org.users.sales1)
    before = sales_state()
    response = client.post(f"/api/v1/opportunities/{opp.pk}/contract/")
    assert response.status_code == 400
    assert "won" in response.json()["non_field_errors"][0]
    assert sales_state() == before

    assert client.post(f"/api/v1/opportunities/{opp.pk}/win/").status_code == 200
    response = client.post(
        f"/api/v1/opportunities/{opp.pk}/contract/",
        {"lines": [{"product": products[0].pk, "quantity": "2", "unit_price": "60000.00"}]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["customer"] == opp.customer_id
    assert body["opportunity"] == opp.pk
    assert body["title"] == "冲压线"
    assert body["total"] == "120000.00"
    # A contract was made: the opportunity stays won.
    assert client.post(f"/api/v1/opportunities/{opp.pk}/reopen/").status_code == 400


def test_making_a_contract_needs_contracts_create(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    won = OpportunityFactory(customer=customer, status="won")
    still_open = OpportunityFactory(customer=customer)
    before = sales_state()
    for opp in (won, still_open):  # the permission is checked before the state
        for role in ("clerk", "researcher", "exec"):
            response = api(getattr(org.users, role)).post(
                f"/api/v1/opportunities/{opp.pk}/contract/"
            )
            assert response.status_code == 403
        response = api(org.users.service).post(f"/api/v1/opportunities/{opp.pk}/contract/")
        assert response.status_code == 403
    assert sales_state() == before


# --- two approvers at once ---------------------------------------------------------------


def test_two_approvers_with_stale_copies_exactly_one_wins(org):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    seen_by_manager = Contract.objects.get(pk=contract.pk)
    seen_by_admin = Contract.objects.get(pk=contract.pk)
    assert seen_by_manager.status == seen_by_admin.status == ContractStatus.PENDING

    cs.contract_approve(actor=org.users.manager, contract=seen_by_manager, comment="同意")
    with pytest.raises(ValidationError) as refused:
        cs.contract_reject(actor=org.users.admin, contract=seen_by_admin, comment="不同意")
    assert "someone else acted on it first" in refused.value.messages[0]

    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED
    decision = ApprovalDecision.objects.get(contract=contract)
    assert (decision.approver, decision.decision) == (org.users.manager, "approve")


def test_two_approvers_through_the_api_exactly_one_wins(org, api):
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    manager, admin = api(org.users.manager), api(org.users.admin)
    assert manager.get(detail(contract)).json()["status"] == "pending"
    assert admin.get(detail(contract)).json()["status"] == "pending"
    assert admin.post(detail(contract, "reject"), {"comment": "不同意"}).status_code == 200
    response = manager.post(detail(contract, "approve"), {"comment": "同意"})
    assert response.status_code == 400
    assert "Rejected" in response.json()["non_field_errors"][0]
    assert ApprovalDecision.objects.filter(contract=contract).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_in_threads_exactly_one_wins(org):
    """Two real connections decide at the same instant. PostgreSQL serializes the two
    conditional UPDATEs on the row lock; SQLite (IMMEDIATE transactions, busy timeout)
    makes the second writer wait. Either way exactly one decision is taken."""
    contract = make_contract(org, org.users.sales1, ContractStatus.PENDING)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(name, service, actor):
        try:
            mine = Contract.objects.get(pk=contract.pk)  # each thread loads its own copy
            barrier.wait(timeout=10)
            with translation.override("en"):  # a new thread starts in LANGUAGE_CODE
                service(actor=actor, contract=mine, comment=name)
            outcomes[name] = "won"
        except ValidationError as exc:
            outcomes[name] = exc.messages[0]
        except PermissionDenied as exc:  # must not happen: both may decide
            outcomes[name] = f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[name] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("approve", cs.contract_approve, org.users.manager)),
        threading.Thread(target=decide, args=("reject", cs.contract_reject, org.users.admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "deadlock"

    assert sorted(outcomes) == ["approve", "reject"], outcomes
    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1, outcomes
    loser = "reject" if winners == ["approve"] else "approve"
    assert "someone else acted on it first" in outcomes[loser], outcomes

    decisions = list(ApprovalDecision.objects.filter(contract=contract))
    assert len(decisions) == 1
    contract.refresh_from_db()
    expected = ContractStatus.APPROVED if winners == ["approve"] else ContractStatus.REJECTED
    assert contract.status == expected
    assert decisions[0].decision == winners[0]
