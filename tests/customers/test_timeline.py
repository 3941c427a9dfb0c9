"""The customer timeline: one UNION query across modules, newest first, each kind limited by
the reader's scope for its module, paginated in the database."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from guanxi.customers.timeline import (
    TIMELINE_KINDS,
    customer_timeline,
    describe,
    register_kind,
    row,
    visible_kinds,
)
from guanxi.reference.models import OpportunityStage
from guanxi.sales.enums import OpportunityStatus
from guanxi.sales.models import Payment
from guanxi.sales.services import opportunities as opps
from guanxi.sales.services import tasks as tasks_
from guanxi.web.pagination import CappedPaginator
from tests.factories import ContractFactory, CustomerFactory, OpportunityFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _stage(code):
    return OpportunityStage.objects.get(code=code)


def _history(org, customer):
    """An opportunity moved and won, a task done, a contract with a payment."""
    u = org.users
    opp = opps.opportunity_create(actor=u.sales1, customer=customer, name="冲压线改造")
    opps.opportunity_move(actor=u.sales1, opportunity=opp, stage=_stage("PROPOSAL"))
    opps.opportunity_win(actor=u.sales1, opportunity=opp)
    task = tasks_.task_create(
        actor=u.sales1,
        customer=customer,
        date=timezone.localdate() - datetime.timedelta(days=3),
        purpose="技术交流",
    )
    tasks_.task_complete(actor=u.sales1, task=task, result="客户认可方案")
    contract = ContractFactory(customer=customer, owner=u.sales1, total=Decimal("1000.00"))
    Payment.objects.create(
        contract=contract,
        date=timezone.localdate(),
        amount=Decimal("250.50"),
        created_by=u.sales1,
    )
    return opp, task, contract


def test_all_kinds_newest_first_with_labels(org):
    customer = CustomerFactory(owner=org.users.sales1)
    opp, task, contract = _history(org, customer)
    with translation.override("zh-hans"):
        rows = describe(customer_timeline(reader=org.users.sales1, customer=customer))
    kinds = [r["kind"] for r in rows]
    assert sorted(kinds) == sorted(
        ["opportunity", "stage_change", "stage_change", "task", "contract", "payment"]
    )
    ats = [r["at"] for r in rows]
    assert ats == sorted(ats, reverse=True)
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r)
    payment = by_kind["payment"][0]
    assert payment["money"] == Decimal("250.50") and payment["link"] == contract.pk
    assert payment["day"] == timezone.localdate()
    assert by_kind["task"][0]["heading"] == "技术交流"
    assert by_kind["task"][0]["detail"] == "客户认可方案"
    assert by_kind["task"][0]["link"] == task.pk
    won = [r for r in by_kind["stage_change"] if r["state"] == "won"]
    assert won and won[0]["link"] == opp.pk and won[0]["state_label"] == OpportunityStatus.WON.label
    moved = [r for r in by_kind["stage_change"] if r["state"] == "open"][0]
    assert (moved["detail"], moved["extra"]) == ("初步接触", "方案报价")
    with translation.override("en"):
        rows = describe(
            customer_timeline(reader=org.users.sales1, customer=customer, kinds=["stage_change"])
        )
        names = {(r["detail"], r["extra"]) for r in rows}
    assert ("Initial contact", "Proposal / quote") in names
    assert by_kind["opportunity"][0]["person"] == str(org.users.sales1)


def test_kinds_filter_and_reopen_label(org):
    customer = CustomerFactory(owner=org.users.sales1)
    opp, _task, _contract = _history(org, customer)
    opps.opportunity_reopen(actor=org.users.sales1, opportunity=opp)
    rows = describe(
        customer_timeline(reader=org.users.sales1, customer=customer, kinds=["stage_change"])
    )
    assert {r["kind"] for r in rows} == {"stage_change"}
    assert rows[0]["state"] == "reopened"
    assert list(
        describe(customer_timeline(reader=org.users.sales1, customer=customer, kinds=["nope"]))
    )


def test_each_kind_follows_its_modules_scope(org):
    customer = CustomerFactory(owner=org.users.sales1)
    _history(org, customer)
    # sales2's own task on the same customer: sales1 must not see it, the manager of the
    # east department does not either (north), the admin does.
    TaskFactory(customer=customer, salesperson=org.users.sales2, purpose="北方拜访")
    sales1 = [
        r["heading"]
        for r in describe(customer_timeline(reader=org.users.sales1, customer=customer))
    ]
    assert "北方拜访" not in sales1
    manager = [
        r["heading"]
        for r in describe(customer_timeline(reader=org.users.manager, customer=customer))
    ]
    assert "北方拜访" not in manager and "技术交流" in manager
    admin = [
        r["heading"] for r in describe(customer_timeline(reader=org.users.admin, customer=customer))
    ]
    assert "北方拜访" in admin
    # The service role sees contracts only (and no payments, tasks, opportunities).
    service = {
        r["kind"] for r in describe(customer_timeline(reader=org.users.service, customer=customer))
    }
    assert service == {"contract"}
    assert visible_kinds(reader=org.users.service, customer=customer) == [
        "contract",
        "contact",
        "change",
        "feedback",
        "service_request",
        "care_action",
    ]
    # Nobody in a role without any of these modules sees anything (and nothing breaks).
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody", department=org.hq)
    assert list(customer_timeline(reader=nobody, customer=customer)) == []


def test_paginated_in_the_database_with_a_capped_count(org):
    customer = CustomerFactory(owner=org.users.sales1)
    for i in range(7):
        TaskFactory(
            customer=customer,
            salesperson=org.users.sales1,
            date=timezone.localdate() - datetime.timedelta(days=i),
        )
        OpportunityFactory(customer=customer, owner=org.users.sales1)
    qs = customer_timeline(reader=org.users.sales1, customer=customer)
    paginator = CappedPaginator(qs, 5)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.page(2)
        entries = list(page.object_list)
    assert paginator.count == 14 and len(entries) == 5
    assert len(ctx.captured_queries) == 2  # the capped count and the page
    assert "LIMIT" in ctx.captured_queries[-1]["sql"].upper()
    assert "UNION" in ctx.captured_queries[-1]["sql"].upper()


def test_a_new_kind_is_one_registered_function(org):
    customer = CustomerFactory(owner=org.users.sales1)
    TaskFactory(customer=customer, salesperson=org.users.sales1)

    @register_kind("note", "Note")
    def _notes(reader, customer):
        from guanxi.customers.models import Customer

        return Customer.objects.filter(pk=customer.pk).values(
            **row(kind="note", at="created_at", heading="name")
        )

    try:
        rows = describe(customer_timeline(reader=org.users.sales1, customer=customer))
        assert {r["kind"] for r in rows} == {"task", "note"}
        assert [r["kind_label"] for r in rows if r["kind"] == "note"] == ["Note"]
    finally:
        del TIMELINE_KINDS["note"]


# --- the customer page's Timeline tab -------------------------------------------------------


def _page_queries(client, path):
    client.get(path)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_timeline_tab_with_kind_filter_and_links(org, login):
    from django.urls import reverse

    customer = CustomerFactory(owner=org.users.sales1)
    opp, task, _contract = _history(org, customer)
    client = login(org.users.sales1)
    path = reverse("web:customer_detail", args=[customer.pk])
    html = client.get(path + "?tab=timeline").content.decode()
    assert "冲压线改造" in html and "技术交流" in html and "250.50" in html
    assert reverse("web:task_detail", args=[task.pk]) in html
    assert reverse("web:opportunity_detail", args=[opp.pk]) in html
    assert 'name="kind" value="payment"' in html and "data-autosubmit" in html
    html = client.get(path + "?tab=timeline&kind=task").content.decode()
    assert "技术交流" in html and "250.50" not in html
    assert 'value="task" id="kind-task" checked' in html
    # The service role sees the tab, with only the kinds of its modules (contracts).
    html = login(org.users.service).get(path + "?tab=timeline").content.decode()
    assert 'name="kind" value="contract"' in html and 'value="task"' not in html
    assert "技术交流" not in html and ">Tasks<" not in html


def test_customer_tabs_in_chinese(org, login):
    from django.urls import reverse

    customer = CustomerFactory(owner=org.users.sales1)
    _history(org, customer)
    client = login(org.users.sales1, language="zh-hans")
    path = reverse("web:customer_detail", args=[customer.pk])
    for tab in ("opportunities", "tasks", "timeline"):
        html = client.get(f"{path}?tab={tab}").content.decode()
        assert 'lang="zh-Hans"' in html and ">客户<" in html


@pytest.mark.parametrize("role", ["sales1", "manager", "admin"])
def test_timeline_tab_query_count_does_not_grow(org, login, role):
    from django.urls import reverse

    customer = CustomerFactory(owner=org.users.sales1)
    client = login(getattr(org.users, role))
    path = reverse("web:customer_detail", args=[customer.pk]) + "?tab=timeline"
    _history(org, customer)
    few, _response = _page_queries(client, path)
    for _ in range(4):
        _history(org, customer)
    many, response = _page_queries(client, path)
    assert len(response.context["timeline_rows"]) == 20
    assert few == many, (few, many)
