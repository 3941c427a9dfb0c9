"""Out of scope looks missing on every write, in the API and on the pages.

The routes are read from the URL resolver, so a new endpoint cannot escape: every API route
with a record id and a write verb (PUT, PATCH, DELETE, each POST action) and every page URL
with a record id must be named below, either with a way to build a record outside the scope
of sales1 and of their manager (East), or in UNSCOPED with the reason it has no scope.

For each, sales1 and the East manager send the write for a North record (or one that is
another user's): the answer is 404 — whether or not they hold the action, exactly as for an
id that does not exist — and nothing is written: the record's row, the history and the row
count of every table stay as they were.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from guanxi.accounts.tokens import api_token_create
from guanxi.common.models import AuditLog
from guanxi.sales.enums import ContractStatus
from guanxi.sales.models import Contract, Payment
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    OpportunityFactory,
    SalesRecordFactory,
    TaskFactory,
)
from tests.service.factories import (
    CareActionFactory,
    FeedbackFactory,
    NotificationFactory,
    ServiceRequestFactory,
)

from .test_sales_support import make_contract

ACTORS = ["sales1", "manager"]
WRITE_METHODS = ("post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _namespace_patterns(namespace):
    resolver = get_resolver()
    for candidate in resolver.url_patterns:
        if isinstance(candidate, URLResolver) and candidate.namespace == namespace:
            return list(_walk(candidate.url_patterns))
    raise AssertionError(f"no URL namespace {namespace!r}")


def _ids(pattern: URLPattern) -> list[str]:
    return [name for name in pattern.pattern.converters if name.endswith("pk")]


def api_writes() -> list[tuple[str, str]]:
    """(route name, HTTP method) of every API write on a record named by its id."""
    found = []
    for _route, pattern in _namespace_patterns("api"):
        if not _ids(pattern):
            continue
        actions = getattr(pattern.callback, "actions", None) or {}
        methods = actions or dict.fromkeys(pattern.callback.view_class.http_method_names)
        found += [(pattern.name, m) for m in methods if m in WRITE_METHODS]
    return sorted(found)


def page_routes() -> list[str]:
    """Names of every page URL that names a record by its id (a POST to each is tried)."""
    return sorted(p.name for _route, p in _namespace_patterns("web") if _ids(p))


# --- records outside the scope of sales1 and manager (both East) ---------------------------


def north_customer(org, **fields):
    return CustomerFactory(**{"owner": org.users.sales2, "status": "active", **fields})


def contract(status):
    def build(org):
        return make_contract(org, org.users.sales2, status, customer=north_customer(org))

    return build


def payment(org):
    made = make_contract(
        org, org.users.sales2, ContractStatus.APPROVED, customer=north_customer(org), paid="100.00"
    )
    return made.payments.get()


def request_in(status):
    def build(org):
        customer = north_customer(org)
        assignee = None if status == "new" else org.users.sales2
        return ServiceRequestFactory(
            customer=customer, created_by=org.users.sales2, assignee=assignee, status=status
        )

    return build


def opportunity(status="open"):
    return lambda org: OpportunityFactory(customer=north_customer(org), status=status)


def task(status="planned"):
    return lambda org: TaskFactory(customer=north_customer(org), status=status)


def care(org):
    return CareActionFactory(customer=north_customer(org))


def customer(org):
    return north_customer(org)


def pending_customer(org):
    return north_customer(org, review_status="pending")


def deleted_customer(org):
    return north_customer(org, deleted_at=timezone.now(), deleted_by=org.users.sales2)


def notification(org):
    return NotificationFactory(recipient=org.users.sales2)


def north_user(org):
    return org.users.sales2


def north_token(org):
    return api_token_create(actor=org.users.sales2, name="华北同步")[0]


RECORDS = {
    # API routes (name, or name:method when the verbs need different records)
    "customer-detail": customer,
    "customer-mark-lost": customer,
    "customer-restore": deleted_customer,
    "customer-review": pending_customer,
    "contact-detail": lambda org: ContactFactory(customer=north_customer(org)),
    "opportunity-detail": opportunity(),
    "opportunity-contract": opportunity("won"),
    "opportunity-lose": opportunity(),
    "opportunity-move": opportunity(),
    "opportunity-reopen": opportunity("lost"),
    "opportunity-win": opportunity(),
    "task-detail": task(),
    "task-complete": task(),
    "task-reopen": task("done"),
    "contract-detail": contract(ContractStatus.DRAFT),
    "contract-approve": contract(ContractStatus.PENDING),
    "contract-reject": contract(ContractStatus.PENDING),
    "contract-submit": contract(ContractStatus.DRAFT),
    "contract-start": contract(ContractStatus.APPROVED),
    "contract-complete": contract(ContractStatus.EXECUTING),
    "contract-terminate": contract(ContractStatus.APPROVED),
    "sales-record-detail": lambda org: SalesRecordFactory(customer=north_customer(org)),
    "payment-detail": payment,
    "feedback-detail": lambda org: FeedbackFactory(customer=north_customer(org)),
    "service-request-detail": request_in("new"),
    "service-request-assign": request_in("new"),
    "service-request-start": request_in("assigned"),
    "service-request-resolve": request_in("in_progress"),
    "service-request-close": request_in("resolved"),
    "service-request-reopen": request_in("resolved"),
    "care-action-detail": care,
    "care-action-done": care,
    "care-action-skip": care,
    "notification-detail": notification,
    "api-token-detail": north_token,
    # pages
    "customer_detail": customer,
    "customer_edit": customer,
    "customer_delete": customer,
    "customer_review": pending_customer,
    "customer_restore": deleted_customer,
    "customer_history": customer,
    "customer_mark_lost": customer,
    "care_win_back": lambda org: north_customer(org, status="lost"),
    "contact_create": customer,
    "contact_edit": lambda org: ContactFactory(customer=north_customer(org)),
    "contact_delete": lambda org: ContactFactory(customer=north_customer(org)),
    "opportunity_detail": opportunity(),
    "opportunity_edit": opportunity(),
    "opportunity_move": opportunity(),
    "opportunity_win": opportunity(),
    "opportunity_lose": opportunity(),
    "opportunity_reopen": opportunity("lost"),
    "opportunity_delete": opportunity(),
    "task_detail": task(),
    "task_edit": task(),
    "task_complete": task(),
    "task_reopen": task("done"),
    "task_delete": task(),
    "contract_detail": contract(ContractStatus.DRAFT),
    "contract_edit": contract(ContractStatus.DRAFT),
    "contract_submit": contract(ContractStatus.DRAFT),
    "contract_approve": contract(ContractStatus.PENDING),
    "contract_reject": contract(ContractStatus.PENDING),
    "contract_start": contract(ContractStatus.APPROVED),
    "contract_complete": contract(ContractStatus.EXECUTING),
    "contract_terminate": contract(ContractStatus.APPROVED),
    "contract_delete": contract(ContractStatus.DRAFT),
    "contract_payment_create": contract(ContractStatus.APPROVED),
    "payment_delete": payment,
    "sales_record_edit": lambda org: SalesRecordFactory(customer=north_customer(org)),
    "sales_record_delete": lambda org: SalesRecordFactory(customer=north_customer(org)),
    "feedback_detail": lambda org: FeedbackFactory(customer=north_customer(org)),
    "feedback_edit": lambda org: FeedbackFactory(customer=north_customer(org)),
    "feedback_delete": lambda org: FeedbackFactory(customer=north_customer(org)),
    "service_request_detail": request_in("new"),
    "service_request_edit": request_in("new"),
    "service_request_assign": request_in("new"),
    "service_request_start": request_in("assigned"),
    "service_request_resolve": request_in("in_progress"),
    "service_request_close": request_in("resolved"),
    "service_request_reopen": request_in("resolved"),
    "service_request_delete": request_in("new"),
    "care_detail": care,
    "care_edit": care,
    "care_done": care,
    "care_skip": care,
    "care_delete": care,
    "notification_open": notification,
    "notification_read": notification,
    "user_edit": north_user,
    "user_reset_password": north_user,
    "user_toggle_active": north_user,
    "api_token_revoke": north_token,
}

# Organisation data: whoever may see one entry sees them all, so no record is outside a
# reader's scope (the permission alone decides, 403). Named so that a new route must be
# placed on one side or the other.
UNSCOPED = {
    "department-detail",
    "product-detail",
    "competitor-detail",
    "news-detail",
    "regions-detail",
    "customer-categories-detail",
    "customer-levels-detail",
    "industries-detail",
    "job-titles-detail",
    "project-types-detail",
    "work-methods-detail",
    "customer-sources-detail",
    "opportunity-stages-detail",
    "service-request-types-detail",
    "complaint-categories-detail",
    "lost-reasons-detail",
    "holidays-detail",
    "product_detail",
    "product_edit",
    "product_delete",
    "product_deactivate",
    "competitor_detail",
    "competitor_edit",
    "competitor_delete",
    "news_detail",
    "news_edit",
    "news_delete",
    "department_edit",
    "department_delete",
    "role_edit",
    "role_delete",
    "reference_edit",
    "reference_move",
    "reference_delete",
}

API_CASES = [case for case in api_writes() if case[0] not in UNSCOPED]
PAGE_CASES = [name for name in page_routes() if name not in UNSCOPED]


def test_every_route_with_a_record_id_is_covered():
    named = set(RECORDS) | UNSCOPED
    missing = {name for name, _m in api_writes()} - named
    missing |= set(page_routes()) - named
    assert not missing, f"routes with no out-of-scope record in this test: {sorted(missing)}"
    assert len(API_CASES) >= 50 and len(PAGE_CASES) >= 50  # the resolver was really read


def state(record):
    """Everything a write could change: the record's row, the history, every table's size."""
    model = type(record)
    row = model._base_manager.filter(pk=record.pk).values().get()
    row.pop("last_login", None)
    counts = {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("guanxi.")
    }
    return row, AuditLog.objects.count(), counts


def _body(method):
    # Valid enough for any of the actions (a reason, a comment, a stage name are not needed
    # to get past the lookup): the answer must not depend on the body.
    return {} if method != "delete" else None


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("name", "method"), API_CASES)
def test_api_write_out_of_scope_is_404(org, api, actor, name, method):
    record = RECORDS[name](org)
    client = api(getattr(org.users, actor))
    url = reverse(f"api:{name}", kwargs={"pk": record.pk})
    before = state(record)
    response = getattr(client, method)(url, _body(method), format="json")
    assert response.status_code == 404, (name, method, response.status_code, response.content)
    assert state(record) == before


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", PAGE_CASES)
def test_page_write_out_of_scope_is_404(org, login, actor, name):
    record = RECORDS[name](org)
    client = login(getattr(org.users, actor))
    kwargs = dict.fromkeys(_ids(_pattern(name)), record.pk)
    url = reverse(f"web:{name}", kwargs=kwargs)
    before = state(record)
    response = client.post(url, {"reason": "x", "comment": "x", "result": "x"})
    if response.status_code == 405:  # a GET-only page that writes (opening a notification)
        response = client.get(url)
    assert response.status_code == 404, (name, response.status_code)
    assert state(record) == before


def _pattern(name):
    for _route, pattern in _namespace_patterns("web"):
        if pattern.name == name:
            return pattern
    raise AssertionError(name)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_same_writes_reach_a_record_in_scope(org, api, actor):
    """The 404s above are about scope, not a broken route: sales1's own customer, contract
    and request answer the same calls with something other than 404."""
    own = CustomerFactory(owner=org.users.sales1, status="active")
    client = api(getattr(org.users, actor))
    response = client.patch(
        reverse("api:customer-detail", kwargs={"pk": own.pk}), {"notes": "在范围内"}, format="json"
    )
    assert response.status_code == 200, response.content
    mine = make_contract(org, org.users.sales1, ContractStatus.DRAFT, customer=own)
    response = client.post(
        reverse("api:contract-submit", kwargs={"pk": mine.pk}), {}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Contract.objects.get(pk=mine.pk).status != ContractStatus.DRAFT
    assert Payment.objects.count() == 0


def test_lacking_the_action_is_403_only_for_a_record_in_scope(org, api):
    """sales1 may not delete customers: their own answers 403, sales2's looks missing."""
    client = api(org.users.sales1)
    own = CustomerFactory(owner=org.users.sales1)
    other = CustomerFactory(owner=org.users.sales2)
    assert client.delete(reverse("api:customer-detail", kwargs={"pk": own.pk})).status_code == 403
    response = client.delete(reverse("api:customer-detail", kwargs={"pk": other.pk}))
    assert response.status_code == 404
    assert client.delete(reverse("api:customer-detail", kwargs={"pk": 10**9})).status_code == 404
