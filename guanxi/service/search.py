"""What feedback is found by (its `search_text`, guanxi.common.search): a pure function of
the entry and the names it quotes, shared by the services and the data migration."""

from __future__ import annotations

from typing import Any

from guanxi.common.search import build_search_text


def feedback_search_text(feedback: Any, *, customer_name: str, contact_name: str = "") -> str:
    return build_search_text(
        parts=[feedback.content, customer_name, contact_name],
        names=[feedback.content, customer_name, contact_name],
    )


def feedback_text_now(feedback: Any) -> str:
    contact = feedback.contact if feedback.contact_id else None
    return feedback_search_text(
        feedback,
        customer_name=feedback.customer.name,
        contact_name=contact.name if contact else "",
    )
