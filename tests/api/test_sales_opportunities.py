"""Opportunities and tasks through the API: create with defaults, stage moves and their
record, win / lose / reopen, filters, ordering and keyset pages; tasks with the derived
overdue flag, periods, "mine", completion and reopening."""

import datetime

import pytest

from guanxi.reference.models import LostReason, OpportunityStage
from guanxi.sales.models import Opportunity, StageChange, Task
from tests.factories import CustomerFactory, OpportunityFactory, TaskFactory

from .helpers import collect_pages, ids
from .test_sales_support import sales_state, today

URL = "/api/v1/opportunities/"
TASKS = "/api/v1/tasks/"


@pytest.fixture
def api(api):
    """The API clients of these tests read English messages."""

    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


@pytest.fixture
def stages(db):
    return list(OpportunityStage.objects.filter(is_active=True).order_by("sort_order", "code"))


def detail(obj, action=""):
    base = TASKS if isinstance(obj, Task) else URL
    return f"{base}{obj.pk}/{action + '/' if action else ''}"


# --- opportunities -----------------------------------------------------------------------


def test_create_takes_the_first_stage_and_its_probability(org, api, stages):
    customer = CustomerFactory(owner=org.users.sales1)
    response = api(org.users.sales1).post(
        URL,
        {
            "customer": customer.pk,
            "name": "冲压线改造",
            "amount": "150000.50",
            "expected_close_date": "2030-06-30",
            "competitor_notes": "博世",
            "status": "won",  # read-only: ignored
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == stages[0].pk
    assert body["stage_name"] == stages[0].name
    assert body["probability"] == stages[0].default_probability
    assert body["amount"] == "150000.50"
    assert body["status"] == "open"
    assert body["owner"] == org.users.sales1.pk
    assert body["customer_name"] == customer.name
    opp = Opportunity.objects.get(pk=body["id"])
    assert opp.created_by == org.users.sales1
    change = StageChange.objects.get(opportunity=opp)
    assert (change.from_stage, change.to_stage) == (None, stages[0])


def test_probability_defaults_from_the_given_stage_unless_given(org, api, stages):
    customer = CustomerFactory(owner=org.users.sales1)
    client = api(org.users.sales1)
    stage = stages[2]
    for sent, expected in ((None, stage.default_probability), (77, 77)):
        payload = {"customer": customer.pk, "name": "项目", "stage": stage.pk}
        if sent is not None:
            payload["probability"] = sent
        body = client.post(URL, payload).json()
        assert body["probability"] == expected
    body = client.post(
        URL, {"customer": customer.pk, "name": "项目", "stage": stage.pk, "probability": None}
    ).json()
    assert body["probability"] == stage.default_probability


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"probability": 101}, "probability"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"stage": 999999}, "stage"),
        ({"owner": "sales2"}, "owner"),
    ],
)
def test_bad_opportunity_input_is_400(org, api, payload, field):
    customer = CustomerFactory(owner=org.users.sales1)
    if payload.get("owner") == "sales2":
        payload = {"owner": org.users.sales2.pk}
    before = sales_state()
    response = api(org.users.sales1).post(URL, {"customer": customer.pk, "name": "项目", **payload})
    assert response.status_code == 400
    assert field in response.json()
    assert sales_state() == before


def test_inactive_stage_is_refused(org, api, stages):
    stages[1].is_active = False
    stages[1].save()
    customer = CustomerFactory(owner=org.users.sales1)
    response = api(org.users.sales1).post(
        URL, {"customer": customer.pk, "name": "项目", "stage": stages[1].pk}
    )
    assert response.status_code == 400
    assert "stage" in response.json()


def test_move_records_the_change_and_takes_the_new_default(org, api, stages):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1), stage=stages[0])
    client = api(org.users.sales1)
    response = client.post(detail(opp, "move"), {"stage": stages[2].pk})
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == stages[2].pk
    assert response.json()["probability"] == stages[2].default_probability
    assert response.json()["stage_changed_at"]
    response = client.post(detail(opp, "move"), {})
    assert response.status_code == 400
    assert "stage" in response.json()

    changes = client.get(detail(opp, "stage-changes"))
    assert changes.status_code == 200
    assert [(c["from_stage"], c["to_stage"]) for c in changes.json()] == [
        (stages[0].pk, stages[2].pk)
    ]
    row = changes.json()[0]
    assert row["changed_by"] == org.users.sales1.pk
    assert row["from_stage_name"] == stages[0].name and row["to_stage_name"] == stages[2].name


def test_patch_stage_moves_too(org, api, stages):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1), stage=stages[0])
    response = api(org.users.sales1).patch(detail(opp), {"stage": stages[1].pk})
    assert response.status_code == 200
    assert response.json()["probability"] == stages[1].default_probability
    assert StageChange.objects.filter(opportunity=opp, to_stage=stages[1]).count() == 1


def test_win_lose_reopen(org, api, stages):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1), stage=stages[1])
    client = api(org.users.sales1)
    response = client.post(detail(opp, "win"), {"note": "签了"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["probability"]) == ("won", 100)
    assert body["closed_at"] and "签了" in body["notes"]

    before = sales_state()
    for action, payload in (("win", {}), ("move", {"stage": stages[2].pk})):
        response = client.post(detail(opp, action), payload)
        assert response.status_code == 400
    assert sales_state() == before

    response = client.post(detail(opp, "reopen"))
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert response.json()["probability"] == stages[1].default_probability
    assert client.post(detail(opp, "reopen")).status_code == 400

    response = client.post(detail(opp, "lose"), {"note": "价格"})
    assert response.status_code == 400
    assert "lost_reason" in response.json()
    reason = LostReason.objects.filter(is_active=True).first()
    response = client.post(detail(opp, "lose"), {"lost_reason": reason.pk, "note": "价格"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["lost_reason"], body["probability"]) == ("lost", reason.pk, 0)

    statuses = [
        (c["from_status"], c["to_status"]) for c in client.get(detail(opp, "stage-changes")).json()
    ]
    assert statuses == [("open", "won"), ("won", "open"), ("open", "lost")]


def test_out_of_scope_opportunity_actions_are_404(org, api, stages):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales2))
    reason = LostReason.objects.first()
    client = api(org.users.sales1)
    before = sales_state()
    for action, payload in (
        ("move", {"stage": stages[1].pk}),
        ("win", {}),
        ("lose", {"lost_reason": reason.pk}),
        ("reopen", {}),
        ("contract", {}),
    ):
        assert client.post(detail(opp, action), payload).status_code == 404
    assert client.get(detail(opp, "stage-changes")).status_code == 404
    assert sales_state() == before


@pytest.mark.parametrize("role", ["clerk", "researcher", "exec"])
def test_readers_cannot_move_opportunities(org, api, stages, role):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    client = api(getattr(org.users, role))
    before = sales_state()
    assert client.post(detail(opp, "move"), {"stage": stages[1].pk}).status_code == 403
    assert client.post(detail(opp, "win")).status_code == 403
    assert client.get(detail(opp, "stage-changes")).status_code == 200
    assert sales_state() == before


def test_delete_an_opportunity_keeps_its_tasks(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    opp = OpportunityFactory(customer=customer)
    task = TaskFactory(customer=customer, opportunity=opp)
    assert api(org.users.sales1).delete(detail(opp)).status_code == 204
    task.refresh_from_db()
    assert task.opportunity is None


def test_opportunity_filters(org, api, stages):
    c1 = CustomerFactory(owner=org.users.sales1, name="宁波东海汽配")
    c2 = CustomerFactory(owner=org.users.sales1b, name="上海西湖机械")
    a = OpportunityFactory(customer=c1, name="冲压线", stage=stages[0])
    b = OpportunityFactory(customer=c2, name="焊装线", stage=stages[1], competitor_notes="博世")
    won = OpportunityFactory(customer=c1, name="涂装线", stage=stages[1], status="won")
    client = api(org.users.manager)
    assert set(ids(client.get(URL))) == {a.pk, b.pk, won.pk}
    assert ids(client.get(URL, {"search": "冲压"})) == [a.pk]
    assert ids(client.get(URL, {"search": "西湖"})) == [b.pk]
    assert ids(client.get(URL, {"search": "博世"})) == [b.pk]
    assert ids(client.get(URL, {"stage": stages[1].pk, "status": "open"})) == [b.pk]
    assert ids(client.get(URL, {"status": "won"})) == [won.pk]
    assert ids(client.get(URL, {"owner": org.users.sales1b.pk})) == [b.pk]
    assert set(ids(client.get(URL, {"customer": c1.pk}))) == {a.pk, won.pk}
    assert client.get(URL, {"status": "maybe"}).status_code == 400
    assert client.get(URL, {"stage": "x"}).status_code == 400


@pytest.mark.parametrize(
    "ordering", ["-id", "id", "name", "-name", "amount", "-amount", "-updated_at"]
)
def test_opportunity_keyset_pages_in_every_ordering(org, api, ordering):
    customer = CustomerFactory(owner=org.users.sales1)
    made = [
        OpportunityFactory(customer=customer, name=f"项目{n % 3}", amount=f"{(n % 4) * 1000}.00")
        for n in range(9)
    ]
    rows, pages = collect_pages(api(org.users.sales1), URL, {"page_size": 2, "ordering": ordering})
    assert pages == 5
    assert sorted(r["id"] for r in rows) == sorted(o.pk for o in made)
    key = ordering.lstrip("-")
    values = [(float(r[key]) if key == "amount" else r[key]) for r in rows]
    assert values == sorted(values, reverse=ordering.startswith("-"))


def test_unlisted_ordering_is_400(org, api):
    response = api(org.users.sales1).get(URL, {"ordering": "expected_close_date"})
    assert response.status_code == 400
    assert "ordering" in response.json()


# --- tasks -------------------------------------------------------------------------------


def test_create_task_and_overdue_flag(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    opp = OpportunityFactory(customer=customer)
    client = api(org.users.sales1)
    yesterday = today() - datetime.timedelta(days=1)
    response = client.post(
        TASKS,
        {
            "customer": customer.pk,
            "opportunity": opp.pk,
            "date": yesterday.isoformat(),
            "time": "09:30",
            "purpose": "拜访采购经理",
            "location": "宁波",
            "status": "done",  # read-only: ignored
            "overdue": False,  # read-only: ignored
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["overdue"]) == ("planned", True)
    assert body["salesperson"] == org.users.sales1.pk
    assert body["customer_name"] == customer.name
    assert body["time"] == "09:30:00"

    tomorrow = client.post(
        TASKS,
        {
            "customer": customer.pk,
            "date": (today() + datetime.timedelta(days=1)).isoformat(),
            "purpose": "电话回访",
        },
    ).json()
    assert tomorrow["overdue"] is False


def test_task_opportunity_must_be_visible_and_of_the_customer(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    other = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    hidden = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales2))
    client = api(org.users.sales1)
    before = sales_state()
    for opp in (other, hidden):
        response = client.post(
            TASKS,
            {"customer": customer.pk, "opportunity": opp.pk, "date": "2030-01-01", "purpose": "x"},
        )
        assert response.status_code == 400
        assert "opportunity" in response.json()
    assert sales_state() == before


def test_complete_requires_a_result_then_reopen(org, api):
    task = TaskFactory(
        customer=CustomerFactory(owner=org.users.sales1), date=today() - datetime.timedelta(days=3)
    )
    client = api(org.users.sales1)
    before = sales_state()
    for body in ({}, {"result": "  "}):
        response = client.post(detail(task, "complete"), body)
        assert response.status_code == 400
        assert "result" in response.json()
    assert sales_state() == before

    response = client.post(detail(task, "complete"), {"result": "客户同意试用"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["result"], body["overdue"]) == ("done", "客户同意试用", False)
    assert body["done_at"]
    response = client.post(detail(task, "complete"), {"result": "再来"})
    assert response.status_code == 400
    assert "done already" in response.json()["non_field_errors"][0]

    response = client.post(detail(task, "reopen"))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["overdue"]) == ("planned", True)
    assert client.post(detail(task, "reopen")).status_code == 400


def test_task_periods_mine_and_filters(org, api):
    d = today()
    monday = d - datetime.timedelta(days=d.weekday())
    mine = CustomerFactory(owner=org.users.sales1)
    team = CustomerFactory(owner=org.users.sales1b)
    opp = OpportunityFactory(customer=mine)
    t_today = TaskFactory(customer=mine, date=d, opportunity=opp)
    t_past = TaskFactory(customer=mine, date=d - datetime.timedelta(days=10))
    t_done = TaskFactory(
        customer=mine, date=d - datetime.timedelta(days=10), status="done", result="ok"
    )
    t_future = TaskFactory(customer=team, date=d + datetime.timedelta(days=10))
    t_week = TaskFactory(customer=team, date=monday + datetime.timedelta(days=6))
    manager = TaskFactory(customer=CustomerFactory(owner=org.users.manager), date=d)

    client = api(org.users.manager)

    def listed(**params):
        return set(ids(client.get(TASKS, params)))

    assert listed(period="today") == {t_today.pk, manager.pk} | (
        {t_week.pk} if d == monday + datetime.timedelta(days=6) else set()
    )
    assert listed(period="week") >= {t_today.pk, t_week.pk, manager.pk}
    assert listed(period="overdue") == {t_past.pk}
    assert listed(period="upcoming") == {t_today.pk, t_future.pk, t_week.pk, manager.pk}
    assert listed(period="done") == {t_done.pk}
    assert listed(period="today", mine="1") == {manager.pk}
    assert listed(salesperson=org.users.sales1b.pk) == {t_future.pk, t_week.pk}
    assert listed(customer=mine.pk) == {t_today.pk, t_past.pk, t_done.pk}
    assert listed(opportunity=opp.pk) == {t_today.pk}
    assert listed(status="done") == {t_done.pk}
    assert client.get(TASKS, {"period": "someday"}).status_code == 400
    assert set(ids(api(org.users.sales1).get(TASKS))) == {t_today.pk, t_past.pk, t_done.pk}

    rows = client.get(TASKS, {"period": "upcoming"}).json()["results"]
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    rows = client.get(TASKS).json()["results"]
    assert [r["date"] for r in rows] == sorted((r["date"] for r in rows), reverse=True)


@pytest.mark.parametrize("period", ["", "upcoming"])
def test_task_keyset_pages(org, api, period):
    customer = CustomerFactory(owner=org.users.sales1)
    made = [
        TaskFactory(customer=customer, date=today() + datetime.timedelta(days=n % 3))
        for n in range(7)
    ]
    params = {"page_size": 2, **({"period": period} if period else {})}
    rows, pages = collect_pages(api(org.users.sales1), TASKS, params)
    assert pages == 4
    assert sorted(r["id"] for r in rows) == sorted(t.pk for t in made)


def test_task_reassigned_only_within_scope(org, api):
    task = TaskFactory(customer=CustomerFactory(owner=org.users.sales1))
    client = api(org.users.manager)
    assert client.patch(detail(task), {"salesperson": org.users.sales1b.pk}).status_code == 200
    before = sales_state()
    response = client.patch(detail(task), {"salesperson": org.users.sales2.pk})
    assert response.status_code == 400
    assert "salesperson" in response.json()
    assert sales_state() == before
