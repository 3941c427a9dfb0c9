"""Every sales list costs a fixed number of queries, whatever the number of rows on the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.reference.models import CustomerSource, LostReason, ProjectType, WorkMethod
from guanxi.sales.enums import ContractStatus
from guanxi.sales.services import contracts as cs
from tests.factories import (
    CustomerFactory,
    OpportunityFactory,
    ProductFactory,
    SalesRecordFactory,
    TaskFactory,
)

from .test_sales_support import make_contract, today

# token, roles, the reader's department and its subtree (manager), the page; contracts add
# their lines and decisions (one query each). The approval queue asks the subtree once more.
MAX_QUERIES = 7
EXTRA = {"contracts?awaiting_my_approval=1": 1}


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {"page_size": 50})
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def add_opportunities(org, n):
    project_type = ProjectType.objects.first()
    source = CustomerSource.objects.first()
    for i in range(n):
        OpportunityFactory(
            customer=CustomerFactory(owner=org.users.sales1),
            project_type=project_type,
            source=source,
            lost_reason=LostReason.objects.first() if i % 2 else None,
            created_by=org.users.sales1,
            updated_by=org.users.sales1,
        )


def add_tasks(org, n):
    method = WorkMethod.objects.first()
    customer = CustomerFactory(owner=org.users.sales1)
    opp = OpportunityFactory(customer=customer)
    for i in range(n):
        TaskFactory(
            customer=customer,
            opportunity=opp,
            work_method=method,
            date=today() + datetime.timedelta(days=i),
        )


def add_products(org, n):
    for _ in range(n):
        ProductFactory(created_by=org.users.clerk, updated_by=org.users.clerk)


def add_contracts(org, n):
    for i in range(n):
        contract = make_contract(org, org.users.sales1, ContractStatus.PENDING, lines=[{}, {}])
        if i % 2:
            cs.contract_reject(actor=org.users.manager, contract=contract, comment="改")


def add_records(org, n):
    for _ in range(n):
        SalesRecordFactory(customer=CustomerFactory(owner=org.users.sales1))
    make_contract(org, org.users.sales1, ContractStatus.EXECUTING)  # one from a contract


def add_payments(org, n):
    for _ in range(n):
        make_contract(org, org.users.sales1, ContractStatus.APPROVED, paid="10.00")


def add_receivables(org, n):
    for _ in range(n):
        make_contract(org, org.users.sales1, ContractStatus.APPROVED)


LISTS = {
    "opportunities": (add_opportunities, {}),
    "tasks": (add_tasks, {}),
    "tasks?period=upcoming": (add_tasks, {"period": "upcoming", "mine": "0"}),
    "products": (add_products, {"search": "刹车"}),
    "contracts": (add_contracts, {}),
    "contracts?awaiting_my_approval=1": (add_contracts, {"status": "pending"}),
    "sales-records": (add_records, {"date_from": "2000-01-01"}),
    "payments": (add_payments, {}),
    "receivables": (add_receivables, {}),
}


@pytest.mark.parametrize("role", ["manager", "sales1", "admin"])
@pytest.mark.parametrize("name", list(LISTS))
def test_sales_list_queries_do_not_grow_with_rows(org, token_client, name, role):
    add, params = LISTS[name]
    path, _sep, query = name.partition("?")
    params = {"page_size": 50, **params, **dict([query.split("=")] if query else [])}
    if role == "sales1" and "awaiting_my_approval" in params:
        params.pop("status")  # the queue is empty for a salesperson; count anyway
    client = token_client(getattr(org.users, role))
    url = f"/api/v1/{path}/"
    add(org, 2)
    few, rows_few = count_queries(client, url, params)
    add(org, 6)
    many, rows_many = count_queries(client, url, params)
    assert rows_many > rows_few or (rows_few == rows_many == 0)
    assert few == many <= MAX_QUERIES + EXTRA.get(name, 0), (few, many)


def test_stage_changes_do_not_grow(org, token_client, django_assert_max_num_queries):
    from guanxi.reference.models import OpportunityStage
    from guanxi.sales.services.opportunities import opportunity_move

    stages = list(OpportunityStage.objects.filter(is_active=True).order_by("sort_order"))
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    client = token_client(org.users.sales1)
    url = f"/api/v1/opportunities/{opp.pk}/stage-changes/"
    opportunity_move(actor=org.users.sales1, opportunity=opp, stage=stages[1])
    few, _ = _count_plain(client, url)
    for stage in stages[2:] + stages[:2]:
        opportunity_move(actor=org.users.sales1, opportunity=opp, stage=stage)
    many, rows = _count_plain(client, url)
    assert rows == len(stages) + 1
    assert few == many <= MAX_QUERIES


def _count_plain(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.json())
