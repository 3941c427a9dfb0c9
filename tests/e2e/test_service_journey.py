"""Issue 4's journey in real Chromium: the service agent receives a complaint for a customer,
takes it, resolves it and closes it with the customer's score; the customer's owner gets the
notifications in the bell, and finds the request on the customer's timeline."""

import pytest
from playwright.sync_api import expect

from guanxi.common.models import AuditAction, AuditLog
from guanxi.notifications.models import Notification
from guanxi.service.models import ServiceRequest
from tests.factories import ContactFactory, CustomerFactory

from .test_customer_journey import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_complaint_received_resolved_closed_and_seen_by_the_owner(org, new_page):
    u = org.users
    customer = CustomerFactory(owner=u.sales1, code="C-7001", name="无锡恒力刹车片有限公司")
    ContactFactory(customer=customer, name="陈工", is_primary=True)

    page = new_page()
    sign_in(page, "service")
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_role("link", name="New service request").click()
    page.select_option("#id_type", label="Complaint")
    page.select_option("#id_complaint_category", label="Product quality")
    page.select_option("#id_priority", label="High")
    page.fill("#id_subject", "刹车片异响")
    page.fill("#id_description", "客户反映新批次刹车片低速制动时有异响。")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("刹车片异响")
    request = ServiceRequest.objects.get(subject="刹车片异响")
    assert request.customer == customer and request.status == "new"
    assert request.type.is_complaint and request.complaint_category.code == "QUALITY"
    # High priority: due 8 hours after it was opened (the default setting).
    assert (request.due_at - request.created_at).total_seconds() == 8 * 3600
    expect(page.locator("#request-due")).to_contain_text("On time")

    page.get_by_role("button", name="Take it").click()
    expect(page.locator("h1")).to_contain_text("Assigned")
    page.get_by_role("button", name="Start work").click()
    expect(page.locator("h1")).to_contain_text("In progress")

    # Resolving without saying how is refused, next to the field; nothing changes.
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.locator("#resolve-form")).to_contain_text("This field is required.")
    request.refresh_from_db()
    assert request.status == "in_progress"
    page.fill("#resolve-form textarea", "更换为新批次摩擦材料，试车无异响。")
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.locator("h1")).to_contain_text("Resolved")

    page.locator("#close-form input[name=satisfaction][value='4']").check()
    page.fill("#close-form textarea", "处理及时。")
    page.get_by_role("button", name="Close request").click()
    expect(page.locator("#request-satisfaction")).to_contain_text("4 / 5")
    request.refresh_from_db()
    assert (request.status, request.satisfaction) == ("closed", 4)
    assert request.assignee == u.service and request.updated_by == u.service
    moves = AuditLog.objects.filter(object_id=request.pk, action=AuditAction.TRANSITION)
    assert moves.count() == 4  # assigned, started, resolved, closed
    sign_out(page)

    # The owner: two notifications (complaint filed, complaint closed) in the bell.
    sign_in(page, "sales1")
    expect(page.locator("#notification-count")).to_have_text("2")
    page.locator("#notification-bell").click()
    expect(page.locator("body")).to_contain_text(f"filed complaint {request.number}")
    closed = page.get_by_role("link", name=f"Request {request.number}")
    expect(closed).to_contain_text("satisfaction 4/5")
    closed.click()
    expect(page.locator("h1")).to_contain_text(request.number)
    assert Notification.objects.filter(recipient=u.sales1, read_at__isnull=True).count() == 1

    # …and the request on the customer's timeline, filterable by kind.
    page.goto(f"/customers/{customer.pk}/?tab=timeline&kind=service_request")
    entry = page.locator("li.kind-service_request")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(request.number)
    expect(entry).to_contain_text("Closed")
    entry.get_by_role("link", name=request.number).click()
    expect(page.locator("h1")).to_contain_text("刹车片异响")
    assert page.errors == []
