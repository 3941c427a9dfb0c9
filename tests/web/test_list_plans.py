"""What keeps the lists fast at a million rows, pinned: a department scope is a list of owner
ids (no join to the users, which made the planners sort or filter row by row), read once per
request; a manager's list costs what an admin's does plus that one read; the capped count
reads its rows unordered; select boxes render as Django's templates would, without them."""

import pytest
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from guanxi.accounts.models import User
from guanxi.accounts.scoping import owner_in_scope, reader_team_ids
from guanxi.customers import selectors as customer_selectors
from guanxi.sales import selectors as sales_selectors
from guanxi.web.forms_base import FormRenderer

from ..factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    OpportunityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "web:customer_list",
    "web:contact_list",
    "web:opportunity_list",
    "web:opportunity_board",
    "web:contract_list",
    "web:payment_list",
    "web:receivables",
    "web:task_list",
    "web:sales_record_list",
    "web:feedback_list",
    "web:service_request_list",
]


def _where(qs) -> str:
    sql = str(qs.query)
    return sql.split(" WHERE ", 1)[1] if " WHERE " in sql else ""


def test_team_is_the_subtree_with_its_inactive_people_read_in_one_query(org):
    gone = UserFactory(username="gone", department=org.east_sub, is_active=False)
    manager = User.objects.get(pk=org.users.manager.pk)
    with CaptureQueriesContext(connection) as ctx:
        team = reader_team_ids(manager)
        assert reader_team_ids(manager) is team
    assert len(ctx.captured_queries) == 1
    people = org.users
    assert team == sorted([people.manager.pk, people.sales1.pk, people.sales1b.pk, gone.pk])
    assert owner_in_scope(manager, "customers", gone)
    assert not owner_in_scope(manager, "customers", people.sales2)


def test_a_reader_without_a_department_has_only_themselves(org):
    loner = UserFactory(username="loner", department=None, roles=["sales_manager"])
    assert reader_team_ids(loner) == [loner.pk]


def test_department_scope_filters_on_owner_ids_without_joining_users(org):
    manager = org.users.manager
    team = reader_team_ids(manager)
    expected = f"IN ({', '.join(str(pk) for pk in team)})"
    scoped = [
        customer_selectors.customer_list(reader=manager),
        customer_selectors.contact_list(reader=manager),
        sales_selectors.opportunity_list(reader=manager),
        sales_selectors.contract_list(reader=manager),
        sales_selectors.payment_list(reader=manager),
        sales_selectors.receivables(reader=manager),
    ]
    for qs in scoped:
        where = _where(qs)
        assert expected in where, where
        assert "department" not in where, where
        # the contacts rule joins the customer (as the list does), not a subquery of them
        assert "SELECT" not in where, where


def test_department_scope_results_are_the_team_s_records(org):
    people = org.users
    gone = UserFactory(username="gone", department=org.east_sub, is_active=False)
    mine = [CustomerFactory(owner=o) for o in (people.manager, people.sales1b, gone)]
    CustomerFactory(owner=people.sales2)
    CustomerFactory(owner=None)
    for customer in mine:
        ContactFactory(customer=customer)
    seen = customer_selectors.customer_list(reader=people.manager)
    assert sorted(c.pk for c in seen) == sorted(c.pk for c in mine)
    contacts = customer_selectors.contact_list(reader=people.manager)
    assert sorted(c.customer_id for c in contacts) == sorted(c.pk for c in mine)
    assert not customer_selectors.contact_list(reader=people.sales2).filter(customer__in=mine)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", LISTS)
def test_a_manager_s_list_costs_one_query_more_than_an_admin_s(org, login, url_name):
    """The one more is the team's ids; nothing else depends on the scope."""
    people = org.users
    for owner in (people.sales1, people.sales2):
        customer = CustomerFactory(owner=owner)
        ContactFactory(customer=customer)
        OpportunityFactory(customer=customer, owner=owner)
        ContractFactory(customer=customer, owner=owner)
    url = reverse(url_name)
    admin, manager = login(people.admin), login(people.manager)
    _queries(admin, url), _queries(manager, url)
    assert _queries(manager, url) <= _queries(admin, url) + 1


def test_capped_count_reads_its_rows_unordered(org, login):
    CustomerFactory(owner=org.users.sales1)
    client = login(org.users.manager)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("web:customer_list") + "?ordering=name")
    counts = [q["sql"] for q in ctx.captured_queries if "customers_customer" in q["sql"]]
    counts = [sql for sql in counts if sql.startswith("SELECT COUNT(*)")]
    assert counts and all("ORDER BY" not in sql for sql in counts), counts


class _Everything(forms.Form):
    plain = forms.ChoiceField(
        choices=[
            ("", "Any"),
            ("x", 'X<"&'),
            ("Group <1>", [("1", "one"), (2, "two")]),
            (3, 4.5),
        ],
        required=False,
    )
    many = forms.MultipleChoiceField(
        choices=[("1", "a"), ("2", "b")],
        widget=forms.SelectMultiple(
            attrs={"data-on": True, "data-off": False, "data-q": 'a"b', "s": mark_safe("&amp;")}
        ),
    )
    maybe = forms.NullBooleanField()
    text = forms.CharField()


@pytest.mark.parametrize("data", [None, {"plain": "1", "many": ["1", "2"]}, {"plain": "x"}])
def test_select_boxes_render_as_django_s_templates_do(data):
    form = _Everything(data)
    for name, field in form.fields.items():
        bound = form[name]
        value, attrs = bound.value(), {"id": bound.auto_id, "class": "form-select"}
        fast = field.widget.render(name, value, attrs=attrs, renderer=FormRenderer())
        django = field.widget.render(name, value, attrs=attrs, renderer=DjangoTemplates())
        assert fast == django


def test_the_count_stops_at_the_cap_unless_a_deeper_page_is_asked_for(org, settings):
    from guanxi.customers.models import Customer
    from guanxi.web.pagination import CappedPaginator

    settings.LIST_COUNT_CAP, settings.LIST_DEPTH_CAP = 3, 6
    for _ in range(7):
        CustomerFactory(owner=org.users.sales1)
    rows = Customer.objects.order_by("-id")
    first = CappedPaginator(rows, 2)
    assert (first.count, first.capped, first.num_pages) == (3, True, 2)
    second = CappedPaginator(rows, 2, reach=2)  # page 2 and a link to page 3
    assert (second.count, second.capped) == (5, True)
    assert second.page(2).has_next()
    deep = CappedPaginator(rows, 2, reach=30)  # no deeper than LIST_DEPTH_CAP
    assert (deep.count, deep.capped, deep.num_pages) == (6, True, 3)


def test_the_count_leaves_out_the_page_s_annotations(org, login):
    from guanxi.customers.enums import CustomerStatus

    CustomerFactory(owner=org.users.sales1, status=CustomerStatus.LOST)
    client = login(org.users.manager)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("web:lost_list")).status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    lost = [sql for sql in counts if "customers_customer" in sql]
    assert lost and all("service_careaction" not in sql for sql in lost), lost


@pytest.mark.parametrize("username", ["manager", "sales1"])
def test_the_scope_leaves_the_owner_join_outer(org, username):
    """A scope written as `owner_id__in=` made Django join the owners INNER, and SQLite then
    read the team's records by owner and sorted them all instead of walking the order's
    index (the start page's "recently changed": 0.8 s at 1M)."""
    reader = getattr(org.users, username)
    for ordering in ("-id", "-updated_at", "name"):
        sql = str(customer_selectors.customer_list(reader=reader, ordering=ordering).query)
        assert 'LEFT OUTER JOIN "accounts_user"' in sql and "INNER JOIN" not in sql, sql


def test_competitor_counts_are_the_reader_s_live_opportunities(org):
    from guanxi.market.models import Competitor
    from guanxi.market.selectors import competitor_list

    rival = Competitor.objects.create(name="对手")
    mine = OpportunityFactory(
        owner=org.users.sales1, customer=CustomerFactory(owner=org.users.sales1)
    )
    theirs = OpportunityFactory(
        owner=org.users.sales2, customer=CustomerFactory(owner=org.users.sales2)
    )
    binned = OpportunityFactory(
        owner=org.users.sales1, customer=CustomerFactory(owner=org.users.sales1)
    )
    for opportunity in (mine, theirs, binned):
        opportunity.competitors.add(rival)
    binned.customer.deleted_at = binned.customer.created_at
    binned.customer.save(update_fields=["deleted_at"])
    counts = {
        u: competitor_list(reader=getattr(org.users, u)).get(pk=rival.pk).opportunity_count
        for u in ("manager", "sales2", "admin")
    }
    assert counts == {"manager": 1, "sales2": 1, "admin": 2}


@pytest.mark.parametrize(
    ("selector", "ordering"),
    [
        (sales_selectors.opportunity_list, "amount"),
        (sales_selectors.opportunity_list, "-expected_close_date"),
        (sales_selectors.contract_list, "signed_on"),
        (sales_selectors.contract_list, "-total"),
    ],
)
def test_ties_follow_the_sort_direction(org, selector, ordering):
    """One index on (column, id) then reads the page in order both ways."""
    qs = selector(reader=org.users.admin, ordering=ordering)
    column = ordering.lstrip("-")
    tie = "-id" if ordering.startswith("-") else "id"
    assert [str(o) for o in qs.query.order_by] == [ordering, tie], column
