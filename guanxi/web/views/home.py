from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common import clock
from guanxi.customers import selectors
from guanxi.customers.enums import ReviewStatus
from guanxi.sales import selectors as sales_selectors
from guanxi.sales.enums import TaskStatus
from guanxi.service import selectors as service_selectors

from ..pagination import CappedPaginator
from ..templatetags.contracts_nav import BADGE_CAP


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """A short start page: what is waiting for the user. Counts are capped like lists."""
    user = request.user
    context: dict = {}
    if can(user, Module.CUSTOMERS, Action.VIEW):
        visible = selectors.customer_list(reader=user)
        context["customer_count"] = CappedPaginator(visible, 1)
        context["my_decided"] = list(
            visible.filter(created_by=user, review_status=ReviewStatus.REJECTED)[:10]
        )
        context["my_pending"] = list(
            visible.filter(created_by=user, review_status=ReviewStatus.PENDING)[:10]
        )
        if can(user, Module.CUSTOMERS, Action.APPROVE):
            context["pending_review"] = CappedPaginator(
                visible.filter(review_status=ReviewStatus.PENDING), 1
            )
        context["recent"] = list(selectors.customer_list(reader=user, ordering="-updated_at")[:8])
    if can(user, Module.TASKS, Action.VIEW):
        due_today = sales_selectors.task_list(
            reader=user, period="today", mine=True, filters={"status": TaskStatus.PLANNED}
        )
        context["tasks_today"] = CappedPaginator(due_today, 1)
        context["tasks_today_first"] = list(due_today[:5])
        context["tasks_overdue"] = CappedPaginator(
            sales_selectors.task_list(reader=user, period="overdue", mine=True), 1
        )
    if can(user, Module.CONTRACTS, Action.APPROVE):
        # capped like the navigation badge: the queue is not counted whole on every visit
        waiting = sales_selectors.approval_queue(reader=user).order_by()[:BADGE_CAP].count()
        context["approvals_waiting"] = f"{BADGE_CAP - 1}+" if waiting >= BADGE_CAP else waiting
        try:
            context["approval_queue_url"] = reverse("web:approval_queue")
        except NoReverseMatch:
            context["approval_queue_url"] = ""
    if can(user, Module.SERVICE_REQUESTS, Action.CHANGE):
        queue = service_selectors.my_queue(reader=user)
        context["my_queue"] = CappedPaginator(queue, 1)
        context["my_queue_breached"] = CappedPaginator(queue.filter(due_at__lt=clock.now()), 1)
    if can(user, Module.CARE, Action.VIEW):
        context["care_due"] = CappedPaginator(
            service_selectors.care_list(reader=user, view="due").filter(assignee=user), 1
        )
    return render(request, "web/home.html", context)
