"""`{% approvals_waiting as n %}`: how many contracts wait for the user's decision, for the
navigation badge on every page: one COUNT over at most 100 rows, "99+" beyond (a badge
needs no exact figure, and counting a big queue on each page is what makes pages slow)."""

from typing import Any

from django import template

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.sales.selectors import approval_queue

register = template.Library()
BADGE_CAP = 100


@register.simple_tag(takes_context=True)
def approvals_waiting(context: Any) -> int | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can(user, Module.CONTRACTS, Action.APPROVE):
        return 0
    n = approval_queue(reader=user).order_by()[:BADGE_CAP].count()
    return f"{BADGE_CAP - 1}+" if n >= BADGE_CAP else n
