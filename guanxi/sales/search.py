"""What opportunities and contracts are found by (their `search_text`, guanxi.common.search).

Pure functions of the row and the records it quotes (its customer's name, its competitors),
shared by the services, the bulk paths and the data migration."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from guanxi.common.search import build_search_text
from guanxi.common.text import pinyin_full, pinyin_initials


def opportunity_search_text(
    opportunity: Any, *, customer_name: str, competitor_names: Iterable[str] = ()
) -> str:
    """The project name with its pinyin and initials, the customer's name, the competitor
    notes and the competitors' names."""
    initials = pinyin_initials(opportunity.name)
    competitor_names = list(competitor_names)
    return build_search_text(
        parts=[
            opportunity.name,
            pinyin_full(opportunity.name),
            initials,
            customer_name,
            opportunity.competitor_notes,
            *competitor_names,
        ],
        names=[opportunity.name, customer_name, *competitor_names],
        initials=[initials],
    )


def contract_search_text(contract: Any, *, customer_name: str) -> str:
    """The number, the title with its pinyin and initials, and the customer's name."""
    initials = pinyin_initials(contract.title)
    return build_search_text(
        parts=[
            contract.number,
            contract.title,
            pinyin_full(contract.title),
            initials,
            customer_name,
        ],
        names=[contract.title, customer_name],
        initials=[initials],
    )


def opportunity_text_now(opportunity: Any) -> str:
    """The search text from the database's current customer and competitors."""
    return opportunity_search_text(
        opportunity,
        customer_name=opportunity.customer.name,
        competitor_names=opportunity.competitors.values_list("name", flat=True),
    )


def contract_text_now(contract: Any) -> str:
    return contract_search_text(contract, customer_name=contract.customer.name)


def product_search_text(product: Any) -> str:
    """Code, name, specification and the name's pinyin and initials (derived already). Codes
    are short, so their two-character fragments are searchable too ("bp" for BP-1)."""
    return build_search_text(
        parts=[
            product.code,
            product.name,
            product.specification,
            product.name_pinyin,
            product.name_initials,
        ],
        names=[product.name, product.specification, product.code],
        initials=[product.name_initials],
    )
