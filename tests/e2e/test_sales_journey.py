"""Issue 3's journey in real Chromium: sales1 creates an opportunity for a customer, wins it,
makes the contract with two lines above the approval threshold and submits it; manager
approves it from the queue; sales1 records a payment and the contract shows what is still
outstanding."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.sales.models import ApprovalDecision, Contract, Opportunity, Payment
from tests.factories import CustomerFactory, ProductFactory

from .test_customer_journey import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_opportunity_to_contract_to_approval_to_payment(org, new_page):
    u = org.users
    customer = CustomerFactory(owner=u.sales1, code="C-9001", name="苏州恒通汽配有限公司")
    ProductFactory(code="PRESS-1", name="数控冲压机", list_price=Decimal("60000.00"))
    ProductFactory(code="BOLT-9", name="高强度螺栓", list_price=Decimal("0.10"))

    page = new_page()
    sign_in(page, "sales1")
    page.goto(f"/customers/{customer.pk}/?tab=opportunities")
    page.get_by_role("link", name="New opportunity").click()
    page.fill("#id_name", "冲压线改造")
    page.fill("#id_amount", "120000.30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("冲压线改造")
    opp = Opportunity.objects.get(name="冲压线改造")
    assert opp.customer == customer and opp.owner == u.sales1

    page.get_by_role("button", name="Mark as won").click()
    expect(page.locator("body")).to_contain_text("Won")
    page.get_by_role("link", name="Create contract").click()

    # Line 1 is prefilled with the opportunity's amount; pick products with the search picker.
    row0 = page.locator("tr[data-line]").nth(0)
    row0.locator("[data-product-search]").fill("PRESS")
    row0.locator("[data-picker-results] button").first.click()
    row0.locator("input[name$='quantity']").fill("2")
    row0.locator("input[name$='unit_price']").fill("60000.00")
    page.click("[data-add-line]")
    row1 = page.locator("tr[data-line]").nth(1)
    row1.locator("[data-product-search]").fill("BOLT")
    row1.locator("[data-picker-results] button").first.click()
    row1.locator("input[name$='quantity']").fill("3")
    row1.locator("input[name$='unit_price']").fill("0.10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#contract-total")).to_have_text("120,000.30")

    page.get_by_role("button", name="Submit").click()
    expect(page.locator("body")).to_contain_text("Pending approval")
    contract = Contract.objects.get(opportunity=opp)
    assert contract.status == "pending" and contract.approver == u.manager
    assert contract.total == Decimal("120000.30")
    sign_out(page)

    sign_in(page, "manager")
    page.click("#nav-contracts")
    page.get_by_role("link", name="Approval queue").click()
    page.get_by_role("link", name=contract.number).click()
    page.fill("#decision-form textarea[name=comment]", "价格合理，同意")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("body")).to_contain_text("价格合理，同意")
    contract.refresh_from_db()
    assert contract.status == "approved"
    assert ApprovalDecision.objects.get(contract=contract).approver == u.manager
    sign_out(page)

    sign_in(page, "sales1")
    page.goto(f"/contracts/{contract.pk}/")
    page.fill("#payment-form input[name=amount]", "200000")  # more than the total: refused
    page.fill("#payment-form input[name=date]", timezone.localdate().isoformat())
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("#payment-form .invalid-feedback")).to_contain_text("outstanding")
    assert not Payment.objects.exists()
    page.fill("#payment-form input[name=amount]", "20000.00")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator("#contract-paid")).to_have_text("20,000.00")
    expect(page.locator("#contract-outstanding")).to_have_text("100,000.30")
    assert not page.errors, page.errors
