"""The top bar's quick search: customers, contacts, opportunities and contracts at once.

It lives in `sales` because that is the highest of the four domains in the import order
(sales reads customers, never the other way). Every group goes through its list selector, so
the reader's scope and the fast search index apply exactly as on the list pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.common.search import normalize_term
from guanxi.customers import selectors as customer_selectors

from . import selectors as sales_selectors

PER_GROUP = 10
MAX_TERM = 100


@dataclass
class QuickSearchGroup:
    kind: str  # customers | contacts | opportunities | contracts
    rows: list[Any] = field(default_factory=list)
    more: bool = False  # more than PER_GROUP matched: the list page has the rest


@dataclass
class QuickSearchResult:
    term: str
    groups: list[QuickSearchGroup] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(g.rows for g in self.groups)


def quick_search(*, reader: Any, term: str, per_group: int = PER_GROUP) -> QuickSearchResult:
    """Up to `per_group` of each kind the reader may see, newest first; one query per kind the
    reader may view at all, none for a term that normalises to nothing."""
    term = (term or "").strip()[:MAX_TERM]
    result = QuickSearchResult(term=term)
    if not normalize_term(term):
        return result
    wanted = [
        (
            "customers",
            Module.CUSTOMERS,
            lambda: (
                customer_selectors.customer_list(reader=reader, search=term)
                .select_related(None)
                .only("pk", "code", "name", "short_name")
            ),
        ),
        (
            "contacts",
            Module.CONTACTS,
            lambda: (
                customer_selectors.contact_list(reader=reader, search=term, ordering="-id")
                .select_related(None)
                .select_related("customer")
                .only("pk", "name", "mobile", "customer_id", "customer__name")
            ),
        ),
        (
            "opportunities",
            Module.OPPORTUNITIES,
            lambda: (
                sales_selectors.opportunity_list(reader=reader, search=term)
                .select_related(None)
                .select_related("customer", "stage")
                .only("pk", "name", "status", "customer__name", "stage__name")
            ),
        ),
        (
            "contracts",
            Module.CONTRACTS,
            lambda: (
                sales_selectors.contract_list(reader=reader, search=term)
                .select_related(None)
                .select_related("customer")
                .only("pk", "number", "title", "status", "customer__name")
            ),
        ),
    ]
    for kind, module, queryset in wanted:
        if not can(reader, module, Action.VIEW):
            continue
        rows = list(queryset()[: per_group + 1])
        result.groups.append(
            QuickSearchGroup(kind=kind, rows=rows[:per_group], more=len(rows) > per_group)
        )
    return result
