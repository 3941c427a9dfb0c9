"""Lists cost a fixed number of queries, whatever the number of rows on the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory, CustomerFactory

# token, roles, the department subtree (manager), the page; a region filter adds its lookup.
MAX_QUERIES = 5


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("role", ["manager", "sales1", "admin"])
def test_customer_list_queries_do_not_grow_with_rows(org, refs, token_client, role):
    def add(n):
        for _ in range(n):
            CustomerFactory(
                owner=org.users.sales1, region=refs.pudong, category=refs.category,
                industry=refs.industry, level=refs.level, source=refs.source,
                created_by=org.users.sales1, updated_by=org.users.sales1,
            )  # fmt: skip

    client = token_client(getattr(org.users, role))
    params = {"page_size": 50, "ordering": "name", "region": refs.shanghai.pk}
    add(3)
    few, rows_few = count_queries(client, "/api/v1/customers/", params)
    add(17)
    many, rows_many = count_queries(client, "/api/v1/customers/", params)
    assert (rows_few, rows_many) == (3, 20)
    assert few == many <= MAX_QUERIES + 1


@pytest.mark.parametrize("role", ["manager", "sales1", "admin"])
def test_contact_list_queries_do_not_grow_with_rows(org, refs, token_client, role):
    customers = [CustomerFactory(owner=org.users.sales1) for _ in range(20)]

    def add(batch):
        for customer in batch:
            ContactFactory(customer=customer, job_title=refs.job_title)

    client = token_client(getattr(org.users, role))
    add(customers[:3])
    few, rows_few = count_queries(client, "/api/v1/contacts/", {"page_size": 50})
    add(customers[3:])
    many, rows_many = count_queries(client, "/api/v1/contacts/", {"page_size": 50})
    assert (rows_few, rows_many) == (3, 20)
    assert few == many <= MAX_QUERIES


@pytest.mark.parametrize(
    "url", ["/api/v1/users/", "/api/v1/departments/", "/api/v1/regions/", "/api/v1/roles/"]
)
def test_other_lists_are_flat_too(org, token_client, url):
    client = token_client(org.users.admin)
    queries, _rows = count_queries(client, url, {"page_size": 200})
    assert queries <= MAX_QUERIES
