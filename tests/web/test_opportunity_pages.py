"""Opportunity pages and the pipeline board: permissions (403) and scope (404), every action
through the page, errors next to fields without a write, the board's two ways of moving a
card, query counts that do not grow with the rows, both languages."""

import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.reference.models import LostReason, OpportunityStage, ProjectType
from guanxi.sales.models import Opportunity, StageChange
from guanxi.sales.services import opportunities as opps

from ..factories import (
    ContractFactory,
    CustomerFactory,
    OpportunityFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def stage(code):
    return OpportunityStage.objects.get(code=code)


def url(name, *args):
    return reverse(f"web:{name}", args=args)


@pytest.fixture
def mine(org):
    """sales1's customer with an opportunity made through the service (so it has history)."""
    customer = CustomerFactory(owner=org.users.sales1, name="苏州精密机械有限公司")
    opp = opps.opportunity_create(
        actor=org.users.sales1, customer=customer, name="冲压线改造", amount="150000"
    )
    return opp


# --- permissions and scope ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales1", "manager", "admin", "exec", "researcher", "clerk"])
def test_pages_open_for_roles_that_may_view(org, login, mine, role):
    client = login(getattr(org.users, role))
    for page in (url("opportunity_list"), url("opportunity_board")):
        assert client.get(page).status_code == 200, page
    detail = client.get(url("opportunity_detail", mine.pk))
    assert detail.status_code == 200
    assert "冲压线改造" in detail.content.decode()


def test_roles_without_the_permission_get_403(org, login, mine):
    service = login(org.users.service)
    for page in (
        url("opportunity_list"),
        url("opportunity_board"),
        url("opportunity_create"),
        url("opportunity_detail", mine.pk),
    ):
        assert service.get(page).status_code == 403, page
    researcher = login(org.users.researcher)  # may view, not write
    assert researcher.get(url("opportunity_create")).status_code == 403
    assert researcher.get(url("opportunity_edit", mine.pk)).status_code == 403
    assert researcher.post(url("opportunity_win", mine.pk)).status_code == 403
    assert researcher.post(url("opportunity_delete", mine.pk)).status_code == 403
    sales1 = login(org.users.sales1)  # salesperson: no delete? (granted vcud: yes)
    assert sales1.get(url("opportunity_create")).status_code == 200
    mine.refresh_from_db()
    assert mine.status == "open" and Opportunity.objects.filter(pk=mine.pk).exists()


def test_out_of_scope_opportunity_is_404_everywhere(org, login, mine):
    client = login(org.users.sales2)
    for name in ("opportunity_detail", "opportunity_edit"):
        assert client.get(url(name, mine.pk)).status_code == 404
    for name in (
        "opportunity_win",
        "opportunity_lose",
        "opportunity_reopen",
        "opportunity_delete",
        "opportunity_move",
    ):
        assert client.post(url(name, mine.pk), {"stage": stage("NEEDS").pk}).status_code == 404
    response = client.post(
        url("opportunity_move", mine.pk),
        {"stage": stage("NEEDS").pk},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 404 and response.json()["ok"] is False
    assert client.get(url("opportunity_create") + f"?customer={mine.customer_id}").status_code == (
        404
    )
    body = client.get(url("opportunity_list")).content.decode()
    assert "冲压线改造" not in body
    assert "冲压线改造" not in client.get(url("opportunity_board")).content.decode()
    mine.refresh_from_db()
    assert mine.stage.code == "INITIAL" and mine.status == "open"


def test_manager_sees_the_sub_departments_opportunities(org, login):
    customer = CustomerFactory(owner=org.users.sales1b)
    opp = OpportunityFactory(customer=customer, name="上海组项目")
    manager = login(org.users.manager)
    assert manager.get(url("opportunity_detail", opp.pk)).status_code == 200
    assert "上海组项目" in manager.get(url("opportunity_list")).content.decode()
    assert "上海组项目" in manager.get(url("opportunity_board")).content.decode()
    assert login(org.users.manager2).get(url("opportunity_detail", opp.pk)).status_code == 404


# --- create and edit ---------------------------------------------------------------------


def test_create_prefills_the_customer_and_saves(org, login):
    customer = CustomerFactory(owner=org.users.sales1, code="C-100", name="无锡汽配")
    client = login(org.users.sales1)
    page = client.get(url("opportunity_create") + f"?customer={customer.pk}")
    html = page.content.decode()
    assert 'value="C-100 · 无锡汽配"' in html and f'value="{customer.pk}"' in html
    response = client.post(
        url("opportunity_create"),
        {
            "customer": customer.pk,
            "customer_q": "C-100 · 无锡汽配",
            "name": "焊装线",
            "amount": "88000.50",
            "owner": org.users.sales1.pk,
            "expected_close_date": "2030-06-30",
        },
    )
    opp = Opportunity.objects.get(name="焊装线")
    assert response.status_code == 302 and response["Location"] == url("opportunity_detail", opp.pk)
    assert opp.customer == customer and opp.stage.code == "INITIAL"
    assert opp.probability == opp.stage.default_probability
    assert opp.created_by == org.users.sales1
    assert StageChange.objects.filter(opportunity=opp).count() == 1


def test_create_without_javascript_finds_the_customer_from_the_text(org, login):
    customer = CustomerFactory(owner=org.users.sales1, code="C-200", name="常州轴承")
    CustomerFactory(owner=org.users.sales2, code="C-201", name="常州轴承二厂")
    client = login(org.users.sales1)
    data = {"customer": "", "name": "轴承线", "owner": org.users.sales1.pk}
    response = client.post(url("opportunity_create"), {**data, "customer_q": "c-200"})
    assert response.status_code == 302
    assert Opportunity.objects.get(name="轴承线").customer == customer
    # A search that only one visible customer matches is enough (the other is sales2's).
    response = client.post(url("opportunity_create"), {**data, "customer_q": "常州轴承"})
    assert response.status_code == 302
    assert Opportunity.objects.filter(name="轴承线").count() == 2


def test_create_with_bad_input_shows_errors_and_writes_nothing(org, login):
    CustomerFactory(owner=org.users.sales2, code="C-300", name="北方客户")
    client = login(org.users.sales1)
    response = client.post(
        url("opportunity_create"),
        {"customer_q": "C-300", "name": "", "owner": org.users.sales1.pk, "probability": "120"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"customer", "name", "probability"} <= set(errors)
    assert "No customer you can see matches" in str(errors["customer"])
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    # The hidden id of someone else's customer is not taken either.
    other = CustomerFactory(owner=org.users.sales2)
    response = client.post(
        url("opportunity_create"),
        {"customer": other.pk, "name": "X", "owner": org.users.sales1.pk},
    )
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    # Nor can the opportunity be handed to someone outside the salesperson's scope.
    mine = CustomerFactory(owner=org.users.sales1)
    response = client.post(
        url("opportunity_create"),
        {"customer": mine.pk, "name": "X", "owner": org.users.sales2.pk},
    )
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_edit_moves_the_stage_and_records_it(org, login, mine):
    client = login(org.users.sales1)
    page = client.get(url("opportunity_edit", mine.pk))
    assert page.status_code == 200
    response = client.post(
        url("opportunity_edit", mine.pk),
        {
            "customer": mine.customer_id,
            "customer_q": f"{mine.customer.code} · {mine.customer.name}",
            "name": "冲压线改造二期",
            "stage": stage("PROPOSAL").pk,
            "amount": "160000",
            "probability": str(mine.probability),
            "owner": org.users.sales1.pk,
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.name == "冲压线改造二期" and mine.stage.code == "PROPOSAL"
    assert mine.probability == stage("PROPOSAL").default_probability
    assert StageChange.objects.filter(opportunity=mine, to_stage__code="PROPOSAL").exists()


# --- detail and actions ------------------------------------------------------------------


def test_detail_shows_stage_history_tasks_and_changes(org, login, mine):
    opps.opportunity_move(actor=org.users.sales1, opportunity=mine, stage=stage("NEEDS"))
    TaskFactory(customer=mine.customer, opportunity=mine, purpose="需求调研")
    html = login(org.users.sales1).get(url("opportunity_detail", mine.pk)).content.decode()
    assert "Stage history" in html and "Needs analysis" in html and "so far" in html
    assert "需求调研" in html
    # The audit log's change of stage (stored in the language active at the time).
    assert "<ins>需求分析</ins>" in html or "<ins>Needs analysis</ins>" in html
    assert "Create contract" not in html


def test_win_then_create_contract_button(org, login, mine):
    client = login(org.users.sales1)
    response = client.post(url("opportunity_win", mine.pk), {"note": "签了"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "won" and mine.probability == 100
    html = client.get(url("opportunity_detail", mine.pk)).content.decode()
    assert f"/contracts/new/?opportunity={mine.pk}" in html and "Create contract" in html
    # Winning twice is refused with a message, nothing changes.
    response = client.post(url("opportunity_win", mine.pk), follow=True)
    assert "already closed" in response.content.decode()
    assert StageChange.objects.filter(opportunity=mine, to_status="won").count() == 1


def test_lose_needs_a_reason_shown_next_to_the_field(org, login, mine):
    client = login(org.users.sales1)
    response = client.post(url("opportunity_lose", mine.pk), {"lost_reason": ""})
    assert response.status_code == 200
    assert "lost_reason" in response.context["lose_form"].errors
    assert 'id="lose-form"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "open"
    reason = LostReason.objects.get(code="PRICE")
    response = client.post(url("opportunity_lose", mine.pk), {"lost_reason": reason.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "lost" and mine.lost_reason == reason


def test_reopen_and_delete(org, login, mine):
    client = login(org.users.sales1)
    opps.opportunity_win(actor=org.users.sales1, opportunity=mine)
    assert client.post(url("opportunity_reopen", mine.pk)).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "open"
    html = client.get(url("opportunity_detail", mine.pk)).content.decode()
    assert 'data-confirm="Delete this opportunity?"' in html
    assert client.post(url("opportunity_delete", mine.pk)).status_code == 302
    assert not Opportunity.objects.filter(pk=mine.pk).exists()
    assert AuditLog.objects.filter(object_id=mine.pk, action="delete").exists()


def test_delete_refused_when_a_contract_was_made(org, login, mine):
    ContractFactory(customer=mine.customer, opportunity=mine)
    response = login(org.users.sales1).post(url("opportunity_delete", mine.pk), follow=True)
    assert "has contracts" in response.content.decode()
    assert Opportunity.objects.filter(pk=mine.pk).exists()


def test_get_on_an_action_is_not_allowed(org, login, mine):
    client = login(org.users.sales1)
    for name in ("opportunity_win", "opportunity_lose", "opportunity_move", "opportunity_delete"):
        assert client.get(url(name, mine.pk)).status_code == 405


# --- the list ----------------------------------------------------------------------------


def test_list_search_filters_and_sort(org, login):
    c1 = CustomerFactory(owner=org.users.sales1, name="甲公司")
    c2 = CustomerFactory(owner=org.users.sales1, name="乙公司")
    OpportunityFactory(customer=c1, name="小项目", amount="1000.00")
    big = OpportunityFactory(
        customer=c2, name="大项目", amount="900000.00", stage=stage("PROPOSAL")
    )
    OpportunityFactory(customer=c2, name="丢单项目", status="lost")
    client = login(org.users.sales1)

    def names(params):
        response = client.get(url("opportunity_list"), params)
        assert response.status_code == 200
        return [o.name for o in response.context["page_obj"]]

    assert names({"q": "大"}) == ["大项目"]
    assert names({"stage": stage("PROPOSAL").pk}) == ["大项目"]
    assert names({"status": "lost"}) == ["丢单项目"]
    assert set(names({"customer": c2.pk})) == {"大项目", "丢单项目"}
    assert names({"ordering": "-amount", "status": "open"}) == ["大项目", "小项目"]
    assert names({"ordering": "amount", "status": "open"}) == ["小项目", "大项目"]
    big.expected_close_date = "2031-01-15"
    big.save()
    assert names({"closing_from": "2031-01-01", "closing_to": "2031-01-31"}) == ["大项目"]
    html = client.get(url("opportunity_list")).content.decode()
    assert "900,000.00" in html
    # The owner filter is offered only to those who see more than their own.
    assert "owner" not in client.get(url("opportunity_list")).context["form"].fields
    assert "owner" in login(org.users.manager).get(url("opportunity_list")).context["form"].fields
    # A customer outside the reader's scope in the address is 404, not an empty filter.
    other = CustomerFactory(owner=org.users.sales2)
    assert client.get(url("opportunity_list"), {"customer": other.pk}).status_code == 404


# --- the board ---------------------------------------------------------------------------


def test_board_columns_with_counts_and_totals(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    OpportunityFactory(customer=customer, amount="1000.50", stage=stage("NEEDS"))
    OpportunityFactory(customer=customer, amount="2000.25", stage=stage("NEEDS"))
    OpportunityFactory(customer=customer, amount="5.00", stage=stage("NEEDS"), status="won")
    response = login(org.users.sales1).get(url("opportunity_board"))
    columns = {c["stage"].code: c for c in response.context["columns"]}
    assert list(columns) == ["INITIAL", "NEEDS", "PROPOSAL", "NEGOTIATION", "COMMIT"]
    assert columns["NEEDS"]["count"] == 2
    assert str(columns["NEEDS"]["amount"]) == "3000.75"
    html = response.content.decode()
    assert "3,000.75" in html and "web/board.js" in html
    # 10% of each: 100.05 + 200.03 (half up to the cent, one card at a time)
    assert str(columns["NEEDS"]["weighted"]) == "300.08" and "300.08" in html


def test_board_has_one_stage_form_for_the_card_being_moved(org, login, mine):
    customer = mine.customer
    others = [OpportunityFactory(customer=customer, name=f"其他{i}") for i in range(3)]
    client = login(org.users.sales1)
    html = client.get(url("opportunity_board")).content.decode()
    assert 'name="stage"' not in html
    assert html.count("Change stage</a>") == 4 and html.count('draggable="true"') == 4
    response = client.get(url("opportunity_board"), {"move": others[1].pk})
    html = response.content.decode()
    assert response.context["moving"] == others[1]
    assert html.count('<select name="stage"') == 1
    assert f'action="{url("opportunity_move", others[1].pk)}"' in html
    # the one form posts back to the board as it was (without ?move)
    assert 'name="next" value="/opportunities/board/"' in html
    # a card outside the reader's scope is not there
    theirs = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales2))
    assert client.get(url("opportunity_board"), {"move": theirs.pk}).status_code == 404
    assert client.get(url("opportunity_board"), {"move": "x"}).status_code == 404
    # who may only look gets no form and no drag
    researcher = login(org.users.researcher).get(url("opportunity_board"), {"move": mine.pk})
    assert response.status_code == 200 and researcher.context["moving"] is None
    assert 'draggable="true"' not in researcher.content.decode()


def test_board_more_loads_the_next_cards_by_keyset(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    made = [OpportunityFactory(customer=customer, stage=stage("NEEDS")) for _ in range(23)]
    client = login(org.users.sales1)
    columns = {c["stage"].code: c for c in client.get(url("opportunity_board")).context["columns"]}
    needs = columns["NEEDS"]
    assert needs["count"] == 23 and len(needs["cards"]) == 20 and needs["more"]
    assert not columns["INITIAL"]["more"]
    html = client.get(url("opportunity_board")).content.decode()
    assert html.count('hx-get="/opportunities/board/cards/') == 1
    response = client.get(
        url("opportunity_board_cards"),
        {"stage": stage("NEEDS").pk, "after": needs["cursor"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    rest = response.context["col"]["cards"]
    assert len(rest) == 3 and not response.context["col"]["more"]
    shown = [c.pk for c in needs["cards"]] + [c.pk for c in rest]
    assert sorted(shown) == sorted(o.pk for o in made)
    assert "hx-get" not in response.content.decode()
    # filters travel with "more": another owner's column is empty
    other = client.get(
        url("opportunity_board_cards"),
        {"stage": stage("NEEDS").pk, "after": needs["cursor"], "customer": customer.pk},
    )
    assert len(other.context["col"]["cards"]) == 3
    for bad in (
        {"stage": stage("NEEDS").pk, "after": "yesterday|1"},
        {"stage": stage("NEEDS").pk, "after": "2026-01-01T00:00:00|99999999999999999999"},
        {"stage": stage("NEEDS").pk, "after": "2026-01-01T00:00:00|1"},  # no time zone
        {"stage": "abc", "after": needs["cursor"]},
        {"stage": stage("NEEDS").pk},
    ):
        assert client.get(url("opportunity_board_cards"), bad).status_code == 400, bad
    assert login(org.users.service).get(url("opportunity_board_cards")).status_code == 403


def test_board_move_without_javascript(org, login, mine):
    client = login(org.users.sales1)
    response = client.post(
        url("opportunity_move", mine.pk),
        {"stage": stage("NEGOTIATION").pk, "next": url("opportunity_board") + "?owner="},
    )
    assert response.status_code == 302
    assert response["Location"] == url("opportunity_board") + "?owner="
    mine.refresh_from_db()
    assert mine.stage.code == "NEGOTIATION" and mine.probability == 75
    change = StageChange.objects.filter(opportunity=mine).last()
    assert (change.from_stage.code, change.to_stage.code) == ("INITIAL", "NEGOTIATION")
    assert change.changed_by == org.users.sales1
    # A foreign `next` is not followed.
    response = client.post(
        url("opportunity_move", mine.pk),
        {"stage": stage("COMMIT").pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == url("opportunity_board")


@pytest.mark.parametrize(
    "headers", [{"accept": "application/json"}, {"HX-Request": "true"}], ids=["json", "htmx"]
)
def test_board_move_by_drag_and_drop_answers_json(org, login, mine, headers):
    client = login(org.users.sales1)
    response = client.post(
        url("opportunity_move", mine.pk), {"stage": stage("COMMIT").pk}, headers=headers
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["ok"] is True and data["stage"] == stage("COMMIT").pk
    mine.refresh_from_db()
    assert mine.stage.code == "COMMIT"


def test_board_move_errors(org, login, mine):
    json_headers = {"accept": "application/json"}
    client = login(org.users.sales1)
    # No stage, or one no longer in use.
    old = OpportunityStage.objects.create(code="T-OLD", name="旧阶段", is_active=False)
    for value in ("", old.pk, "abc"):
        response = client.post(
            url("opportunity_move", mine.pk), {"stage": value}, headers=json_headers
        )
        assert response.status_code == 400 and response.json()["ok"] is False
    # A closed opportunity stays where it is.
    opps.opportunity_win(actor=org.users.sales1, opportunity=mine)
    response = client.post(
        url("opportunity_move", mine.pk), {"stage": stage("NEEDS").pk}, headers=json_headers
    )
    assert response.status_code == 400
    assert "closed opportunity" in response.json()["error"]
    response = client.post(
        url("opportunity_move", mine.pk), {"stage": stage("NEEDS").pk}, follow=True
    )
    assert "closed opportunity" in response.content.decode()
    # May view but not change: 403, as JSON for the board's script.
    response = login(org.users.researcher).post(
        url("opportunity_move", mine.pk), {"stage": stage("NEEDS").pk}, headers=json_headers
    )
    assert response.status_code == 403 and response.json()["ok"] is False
    assert (
        login(org.users.researcher)
        .post(url("opportunity_move", mine.pk), {"stage": stage("NEEDS").pk})
        .status_code
        == 403
    )
    mine.refresh_from_db()
    assert mine.stage.code == "INITIAL"


def test_board_filters(org, login):
    a = CustomerFactory(owner=org.users.sales1, code="C-A", name="甲方")
    b = CustomerFactory(owner=org.users.sales1b, code="C-B", name="乙方")
    OpportunityFactory(customer=a, name="甲项目")
    OpportunityFactory(customer=b, name="乙项目")
    manager = login(org.users.manager)

    def names(client, params):
        response = client.get(url("opportunity_board"), params)
        assert response.status_code == 200
        return {card.name for col in response.context["columns"] for card in col["cards"]}

    assert names(manager, {}) == {"甲项目", "乙项目"}
    assert names(manager, {"owner": org.users.sales1b.pk}) == {"乙项目"}
    assert names(manager, {"customer_q": "甲方"}) == {"甲项目"}
    assert names(manager, {"customer": a.pk}) == {"甲项目"}
    sales1 = login(org.users.sales1)
    assert "owner" not in sales1.get(url("opportunity_board")).context["form"].fields
    assert names(sales1, {}) == {"甲项目"}


# --- query counts and language -----------------------------------------------------------


def _queries(client, path):
    client.get(path)  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["sales1", "manager", "admin"])
@pytest.mark.parametrize("page", ["opportunity_list", "opportunity_board"])
def test_query_count_does_not_grow_with_rows(org, login, role, page):
    client = login(getattr(org.users, role))
    stages = list(OpportunityStage.objects.filter(is_active=True))
    project_type = ProjectType.objects.first()
    reason = LostReason.objects.first()
    customers = [
        CustomerFactory(owner=org.users.sales1),
        CustomerFactory(owner=org.users.sales1b),
    ]

    def add(n):
        for i in range(n):
            lost = i % 7 == 6
            OpportunityFactory(
                customer=customers[i % 2],
                stage=stages[i % len(stages)],
                project_type=project_type,
                status="lost" if lost else "open",
                lost_reason=reason if lost else None,
                created_by=org.users.sales1,
            )

    add(3)
    few = _queries(client, url(page))
    add(25)
    many = _queries(client, url(page))
    assert few == many, (few, many)


@pytest.mark.parametrize("role", ["sales1", "manager", "admin"])
def test_board_with_a_customer_and_its_more_cards_do_not_query_per_row(org, login, role):
    client = login(getattr(org.users, role))
    customer = CustomerFactory(owner=org.users.sales1)
    needs = stage("NEEDS")

    def paths():
        board = client.get(url("opportunity_board"), {"customer": customer.pk})
        column = next(c for c in board.context["columns"] if c["stage"] == needs)
        query = urlencode({"stage": needs.pk, "after": column["cursor"]})
        more = f"{url('opportunity_board_cards')}?{query}"
        return [f"{url('opportunity_board')}?customer={customer.pk}", more]

    OpportunityFactory.create_batch(22, customer=customer, stage=needs)
    few = [_queries(client, path) for path in paths()]
    OpportunityFactory.create_batch(30, customer=customer, stage=needs)
    many = [_queries(client, path) for path in paths()]
    assert few == many, (few, many)


def test_customer_tab_query_count_does_not_grow(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    client = login(org.users.sales1)
    path = url("customer_detail", customer.pk) + "?tab=opportunities"
    OpportunityFactory.create_batch(2, customer=customer)
    few = _queries(client, path)
    OpportunityFactory.create_batch(15, customer=customer)
    many = _queries(client, path)
    assert few == many, (few, many)


def test_pages_in_chinese(org, login, mine):
    client = login(org.users.sales1, language="zh-hans")
    for page in (
        url("opportunity_list"),
        url("opportunity_board"),
        url("opportunity_detail", mine.pk),
        url("opportunity_create"),
    ):
        html = client.get(page).content.decode()
        assert 'lang="zh-Hans"' in html and ">客户<" in html, page
    assert "筛选" in client.get(url("opportunity_list")).content.decode()
    english = login(org.users.sales1).get(url("opportunity_list")).content.decode()
    assert ">Customers<" in english and "Filter" in english


def test_a_user_without_roles_is_refused(org, login):
    nobody = UserFactory(username="nobody", department=org.hq)
    assert login(nobody).get(url("opportunity_board")).status_code == 403
