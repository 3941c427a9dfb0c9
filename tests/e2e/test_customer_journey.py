"""The foundation's journey in real Chromium: sales1 creates a customer with a contact and
sees it in the list; manager reviews it; sales1 sees the decision. Also: a phone-sized
screen does not scroll sideways, and no page breaks the content security policy."""

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import Customer

# serialized_rollback keeps the rows the data migrations made (roles, reference lists)
# across the database flush between transactional tests.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CREDIT_CODE = "91110000600037341L"


def sign_in(page, username, password="demo12345"):
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("#usermenu")).to_be_attached()


def sign_out(page):
    page.click("#usermenu")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("input[name=username]")).to_be_visible()


def test_salesperson_creates_customer_and_manager_reviews_it(org, new_page):
    page = new_page()
    sign_in(page, "sales1")

    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name="New customer").click()
    page.fill("#id_name", "苏州恒瑞精密机械有限公司")
    page.fill("#id_credit_code", "911100006000373")  # too short: refused next to the field
    page.fill("#id_phone", "0512-62345678")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_credit_code + .invalid-feedback, .invalid-feedback")).to_contain_text(
        "credit code"
    )
    assert not Customer.objects.filter(name__startswith="苏州恒瑞").exists()

    page.fill("#id_credit_code", CREDIT_CODE)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("苏州恒瑞精密机械有限公司")
    expect(page.locator("h1")).to_contain_text("Pending review")

    page.get_by_role("link", name="Add contact").first.click()
    page.fill("#id_name", "王芳")
    page.fill("#id_mobile", "13912345678")
    page.fill("#id_email", "wangfang@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("table")).to_contain_text("王芳")
    expect(page.locator("table")).to_contain_text("13912345678")

    page.get_by_role("link", name="Customers", exact=True).click()
    page.fill("input[name=q]", "hengrui")  # pinyin finds the Chinese name
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody")).to_contain_text("苏州恒瑞精密机械有限公司")
    sign_out(page)

    sign_in(page, "manager")
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="苏州恒瑞精密机械有限公司").click()
    page.select_option("#review-form select[name=decision]", "approve")
    page.fill("#review-form textarea[name=comment]", "资料齐全")
    page.get_by_role("button", name="Submit review").click()
    expect(page.locator("h1")).to_contain_text("Approved")
    page.get_by_role("link", name="History").click()
    expect(page.locator("table")).to_contain_text("Reviewed")
    expect(page.locator("table")).to_contain_text("资料齐全")
    sign_out(page)

    customer = Customer.objects.get(name="苏州恒瑞精密机械有限公司")
    assert customer.review_status == "approved"
    assert customer.reviewed_by == org.users.manager
    assert customer.created_by == org.users.sales1
    assert customer.contacts.get().is_primary
    assert page.errors == [], page.errors


def test_phone_screen_and_chinese_interface(org, new_page):
    page = new_page(width=390, locale="zh-CN")
    sign_in(page, "sales1")
    for path in ["/", "/customers/", "/customers/new/", "/contacts/"]:
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    page.goto("/customers/")
    expect(page.locator("h1")).to_have_text("客户")
    assert page.errors == [], page.errors
