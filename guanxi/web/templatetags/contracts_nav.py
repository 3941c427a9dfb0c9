"""`{% approvals_waiting as n %}`: how many contracts wait for the user's decision, for the
navigation badge. One COUNT query, capped like the lists."""

from typing import Any

from django import template
from django.conf import settings

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.sales.selectors import approval_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def approvals_waiting(context: Any) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can(user, Module.CONTRACTS, Action.APPROVE):
        return 0
    cap = settings.LIST_COUNT_CAP
    return approval_queue(reader=user).order_by()[:cap].count()
