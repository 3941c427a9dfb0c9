"""Customer care pages: care actions (views, mine/team, filters, create, edit, done and skip
with a required note, delete), the churn warning list, marking a customer lost, the lost list
with win-back actions; 403/404; query counts; the navigation; Chinese."""

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.customers.models import Customer
from guanxi.service.models import CareAction, Feedback, ServiceSettings
from guanxi.service.services import care as care_services
from guanxi.web.context_processors import navigation

from ..factories import ContactFactory, CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def today():
    return timezone.localdate()


def care(customer, *, assignee=None, days=0, kind="follow_up", title="", **fields):
    return CareAction.objects.create(
        customer=customer,
        assignee=assignee or customer.owner,
        kind=kind,
        title=title,
        due_date=today() + days * DAY,
        **fields,
    )


@pytest.fixture
def action(org):
    customer = CustomerFactory(owner=org.users.sales1, name="宁波模具厂", status="active")
    return care(customer, title="回访宁波模具厂")


def titles(response):
    assert response.status_code == 200
    return {str(a) for a in response.context["page_obj"]}


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


# --- permissions and scope ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["sales1", "manager", "admin", "service", "svcmgr", "clerk", "exec"]
)
def test_care_pages_open_for_roles_that_may_view(org, login, action, role):
    client = login(getattr(org.users, role))
    assert client.get(url("care_list")).status_code == 200
    assert client.get(url("care_detail", action.pk)).status_code == 200
    assert client.get(url("churn_list")).status_code == 200
    assert client.get(url("lost_list")).status_code == 200


def test_roles_without_the_permission_get_403(org, login, action):
    researcher = login(org.users.researcher)
    for name in ("care_list", "care_create", "churn_list", "lost_list"):
        assert researcher.get(url(name)).status_code == 403, name
    assert researcher.get(url("care_detail", action.pk)).status_code == 403
    clerk = login(org.users.clerk)  # may view only
    assert clerk.get(url("care_create")).status_code == 403
    assert clerk.get(url("care_edit", action.pk)).status_code == 403
    assert clerk.post(url("care_done", action.pk), {"note": "ok"}).status_code == 403
    assert clerk.post(url("care_skip", action.pk), {"note": "ok"}).status_code == 403
    assert clerk.post(url("care_delete", action.pk)).status_code == 403
    assert clerk.post(url("care_win_back", action.customer_id), {}).status_code == 403
    action.refresh_from_db()
    assert action.status == "pending"


def test_out_of_scope_care_action_is_404(org, login, action):
    client = login(org.users.sales2)
    for name in ("care_detail", "care_edit"):
        assert client.get(url(name, action.pk)).status_code == 404
    for name in ("care_done", "care_skip", "care_delete"):
        assert client.post(url(name, action.pk), {"note": "x"}).status_code == 404
    assert client.get(url("care_create") + f"?customer={action.customer_id}").status_code == 404
    assert client.get(url("care_list") + f"?customer={action.customer_id}").status_code == 404
    assert "回访宁波模具厂" not in client.get(url("care_list") + "?view=all").content.decode()
    assert login(org.users.manager2).get(url("care_detail", action.pk)).status_code == 404
    assert CareAction.objects.get(pk=action.pk).status == "pending"


def test_assignee_sees_the_action_on_a_customer_they_do_not_own(org, login):
    customer = CustomerFactory(owner=org.users.sales2)
    theirs = care(customer, assignee=org.users.sales1, title="代为回访")
    assert login(org.users.sales1).get(url("care_detail", theirs.pk)).status_code == 200


# --- the list ----------------------------------------------------------------------------


def test_views_and_overdue_marking(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    care(customer, title="今天")
    care(customer, days=-5, title="过期")
    care(customer, days=10, title="以后")
    care(customer, days=-3, title="已完成", status="done", note="ok", finished_at=timezone.now())
    care(customer, days=-2, title="已跳过", status="skipped", note="no", finished_at=timezone.now())
    client = login(org.users.sales1)
    assert titles(client.get(url("care_list"))) == {"今天", "过期"}  # due by default
    assert titles(client.get(url("care_list"), {"view": "upcoming"})) == {"以后"}
    assert titles(client.get(url("care_list"), {"view": "done"})) == {"已完成", "已跳过"}
    assert len(titles(client.get(url("care_list"), {"view": "all"}))) == 5
    assert titles(client.get(url("care_list"), {"view": "bogus"})) == {"今天", "过期"}
    html = client.get(url("care_list")).content.decode()
    assert html.count('class="task-overdue"') == 1 and "Overdue" in html
    assert "Mine" not in html  # own scope: no toggle
    assert "My care actions" not in html and "Care actions" in html


def test_filters_and_mine_or_team(org, login):
    a = CustomerFactory(owner=org.users.sales1, code="C-CA", name="甲厂")
    b = CustomerFactory(owner=org.users.sales1b, code="C-CB", name="乙厂")
    contact = ContactFactory(customer=b, name="王经理")
    care(a, title="甲回访")
    care(b, kind="birthday", contact=contact)
    care(a, assignee=org.users.manager, title="经理回访")
    manager = login(org.users.manager)
    team = {"view": "all", "mine": "0"}
    assert titles(manager.get(url("care_list"), team)) == {
        "甲回访",
        "Birthday greeting: 王经理",
        "经理回访",
    }
    assert titles(manager.get(url("care_list"), {"view": "all"})) == {"经理回访"}
    assert titles(manager.get(url("care_list"), {**team, "kind": "birthday"})) == {
        "Birthday greeting: 王经理"
    }
    assert titles(manager.get(url("care_list"), {**team, "customer": a.pk})) == {
        "甲回访",
        "经理回访",
    }
    assert titles(manager.get(url("care_list"), {**team, "customer_q": "C-CB"})) == {
        "Birthday greeting: 王经理"
    }
    assert titles(manager.get(url("care_list"), {**team, "assignee": org.users.sales1.pk})) == {
        "甲回访"
    }
    assert titles(manager.get(url("care_list"), {**team, "q": "王经理"})) == {
        "Birthday greeting: 王经理"
    }
    html = manager.get(url("care_list"), team).content.decode()
    assert "Mine" in html and "Team" in html and 'name="assignee"' in html
    html = manager.get(url("care_list"), {"view": "all"}).content.decode()
    assert "My care actions" in html and 'name="assignee"' not in html


@pytest.mark.parametrize("role", ["sales1", "manager", "svcmgr"])
def test_care_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))
    customer = CustomerFactory(owner=org.users.sales1)
    contact = ContactFactory(customer=customer)

    def add(n):
        for i in range(n):
            care(customer, days=-i, kind="birthday", contact=contact)

    path = url("care_list") + "?view=all&mine=0"
    add(3)
    few = _queries(client, path)
    add(20)
    assert _queries(client, path) == few


# --- detail, create, edit, done, skip, delete --------------------------------------------


def test_detail_shows_the_action_and_its_history(org, login):
    customer = CustomerFactory(owner=org.users.sales1, name="杭州齿轮")
    contact = ContactFactory(customer=customer, name="李总", birthday=datetime.date(1980, 5, 6))
    action = care_services.care_create(
        actor=org.users.sales1,
        customer=customer,
        contact=contact,
        kind="birthday",
        title="",
        due_date=today(),
    )
    html = login(org.users.sales1).get(url("care_detail", action.pk)).content.decode()
    assert "Birthday greeting: 李总" in html and "杭州齿轮" in html and "05-06" in html
    assert 'id="finish-form"' in html and url("care_skip", action.pk) in html
    assert "Created" in html and "No history yet." not in html
    assert url("care_delete", action.pk) not in html  # salesperson may not delete


def test_skip_without_note_shows_the_error_then_skip_and_done_refused_after(org, login, action):
    client = login(org.users.sales1)
    response = client.post(url("care_skip", action.pk), {"note": "  "})
    assert response.status_code == 200
    assert "note" in response.context["finish_form"].errors
    html = response.content.decode()
    assert 'class="invalid-feedback d-block">Write a note on what was done, or why not.' in html
    action.refresh_from_db()
    assert action.status == "pending" and action.finished_at is None
    response = client.post(url("care_skip", action.pk), {"note": "客户出差"})
    assert response.status_code == 302 and response["Location"] == url("care_detail", action.pk)
    action.refresh_from_db()
    assert action.status == "skipped" and action.note == "客户出差" and action.finished_at
    response = client.post(url("care_done", action.pk), {"note": "again"}, follow=True)
    assert "finished already" in response.content.decode()
    assert CareAction.objects.get(pk=action.pk).status == "skipped"
    response = client.get(url("care_edit", action.pk), follow=True)
    assert "This care action is finished." in response.content.decode()
    html = client.get(url("care_detail", action.pk)).content.decode()
    assert 'id="finish-form"' not in html and url("care_edit", action.pk) not in html


def test_done_with_note_and_next(org, login, action):
    client = login(org.users.sales1)
    back = url("care_list") + "?view=due"
    response = client.post(url("care_done", action.pk), {"note": "电话问候", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    action.refresh_from_db()
    assert action.status == "done" and action.updated_by == org.users.sales1


def test_create_by_hand_with_customer_preselected(org, login):
    customer = CustomerFactory(owner=org.users.sales1, code="C-CR", name="温州阀门")
    contact = ContactFactory(customer=customer, name="陈工")
    ContactFactory(customer=CustomerFactory(owner=org.users.sales1), name="别家联系人")
    client = login(org.users.sales1)
    page = client.get(url("care_create") + f"?customer={customer.pk}")
    assert page.status_code == 200
    assert 'value="C-CR · 温州阀门"' in page.content.decode()
    assert list(page.context["form"].fields["contact"].queryset) == [contact]
    response = client.post(
        url("care_create"),
        {
            "customer": customer.pk,
            "customer_q": "C-CR · 温州阀门",
            "kind": "follow_up",
            "contact": contact.pk,
            "title": "售后回访",
            "due_date": "2030-03-04",
            "assignee": "",
        },
    )
    action = CareAction.objects.get(title="售后回访")
    assert response.status_code == 302 and response["Location"] == url("care_detail", action.pk)
    assert action.assignee == org.users.sales1  # the customer's owner by default
    assert action.contact == contact and action.due_date == datetime.date(2030, 3, 4)
    assert action.created_by == org.users.sales1 and action.key is None


def test_create_refused_shows_errors_and_writes_nothing(org, login):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    client = login(org.users.sales1)
    response = client.post(url("care_create"), {"customer": "", "customer_q": "", "kind": ""})
    assert response.status_code == 200
    assert {"customer", "kind", "due_date"} <= set(response.context["form"].errors)
    response = client.post(
        url("care_create"),
        {"customer": customer.pk, "kind": "win_back", "due_date": "2030-01-01"},
    )
    assert response.status_code == 200
    assert "Win-back actions are for lost customers." in response.context["form"].errors["kind"]
    response = client.post(
        url("care_create"),
        {
            "customer": customer.pk,
            "kind": "follow_up",
            "due_date": "2030-01-01",
            "assignee": org.users.sales2.pk,
        },
    )
    assert response.status_code == 200 and "assignee" in response.context["form"].errors
    assert not CareAction.objects.exists()


def test_edit_a_pending_action_and_delete_one_made_by_hand(org, login, action):
    manager = login(org.users.manager)
    response = manager.post(
        url("care_edit", action.pk),
        {"title": "改期回访", "due_date": "2030-02-03", "assignee": org.users.sales1b.pk},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "改期回访" and action.assignee == org.users.sales1b
    html = manager.get(url("care_detail", action.pk)).content.decode()
    assert 'data-confirm="Delete this care action?"' in html and "改期回访" in html
    assert manager.post(url("care_delete", action.pk)).status_code == 302
    assert not CareAction.objects.filter(pk=action.pk).exists()


def test_a_generated_action_is_not_deleted(org, login, action):
    CareAction.objects.filter(pk=action.pk).update(key="follow-up:1")
    client = login(org.users.manager)
    assert (
        url("care_delete", action.pk)
        not in client.get(url("care_detail", action.pk)).content.decode()
    )
    response = client.post(url("care_delete", action.pk), follow=True)
    assert "Skip this care action instead" in response.content.decode()
    assert CareAction.objects.filter(pk=action.pk).exists()


# --- churn warning -----------------------------------------------------------------------


def dormant(owner, name, *, days_ago=400, **fields):
    customer = CustomerFactory(owner=owner, name=name, status="active", **fields)
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - days_ago * DAY)
    return customer


def test_churn_list_shows_dormant_customers_in_scope_with_last_activity(org, login):
    quiet = dormant(org.users.sales1, "沉睡汽配")
    TaskFactory(customer=quiet, status="done", result="ok", date=today() - 200 * DAY)
    Feedback.objects.create(
        customer=quiet, date=today() - 300 * DAY, content="电话", reported_by=org.users.sales1
    )
    busy = dormant(org.users.sales1, "活跃汽配")
    TaskFactory(customer=busy, status="done", result="ok", date=today() - 5 * DAY)
    dormant(org.users.sales2, "北方沉睡")
    dormant(org.users.sales1, "新客户", days_ago=10)
    client = login(org.users.sales1)
    response = client.get(url("churn_list"))
    names = {c.name for c, _activity in response.context["rows"]}
    assert names == {"沉睡汽配"}
    html = response.content.decode()
    assert "no order and no contact for 180 days" in html
    row = html[html.index("沉睡汽配") :]
    assert (today() - 200 * DAY).isoformat() in row and "never" in row
    assert url("customer_mark_lost", quiet.pk) in html
    assert f"{url('task_create')}?customer={quiet.pk}" in html
    ServiceSettings.objects.update_or_create(pk=1, defaults={"churn_days": 30})
    response = login(org.users.manager).get(url("churn_list"))
    assert "for 30 days" in response.content.decode()
    assert {c.name for c, _a in response.context["rows"]} == {"沉睡汽配"}
    assert "Mark lost" not in login(org.users.service).get(url("churn_list")).content.decode()


def test_churn_list_search(org, login):
    dormant(org.users.sales1, "沉睡甲", code="C-Z1")
    dormant(org.users.sales1, "沉睡乙", code="C-Z2")
    response = login(org.users.sales1).get(url("churn_list"), {"q": "C-Z2"})
    assert [c.name for c, _a in response.context["rows"]] == ["沉睡乙"]


@pytest.mark.parametrize("role", ["sales1", "manager", "admin"])
def test_churn_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))

    def add(n):
        for _i in range(n):
            c = dormant(org.users.sales1, "沉睡")
            TaskFactory(customer=c, status="done", result="ok", date=today() - 300 * DAY)

    add(2)
    few = _queries(client, url("churn_list"))
    add(15)
    assert _queries(client, url("churn_list")) == few


# --- mark lost, lost list, win back ------------------------------------------------------


def test_mark_lost_needs_a_reason_then_moves_to_the_lost_list(org, login):
    customer = dormant(org.users.sales1, "流失汽配")
    client = login(org.users.sales1)
    back = url("churn_list")
    response = client.post(url("customer_mark_lost", customer.pk), {"reason": " ", "next": back})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="mark-lost-form"' in html and "Say why the customer was lost." in html
    customer.refresh_from_db()
    assert customer.status == "active"
    response = client.post(
        url("customer_mark_lost", customer.pk), {"reason": "转向竞争对手", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    customer.refresh_from_db()
    assert customer.status == "lost" and customer.lost_reason == "转向竞争对手" and customer.lost_at
    response = client.post(url("customer_mark_lost", customer.pk), {"reason": "x"}, follow=True)
    assert "already marked lost" in response.content.decode()
    html = client.get(url("lost_list")).content.decode()
    assert "流失汽配" in html and "转向竞争对手" in html
    assert timezone.localdate(customer.lost_at).isoformat() in html


def test_mark_lost_permission_and_scope(org, login):
    customer = dormant(org.users.sales1, "别动")
    assert (
        login(org.users.service)
        .post(url("customer_mark_lost", customer.pk), {"reason": "x"})
        .status_code
        == 403
    )
    assert (
        login(org.users.sales2)
        .post(url("customer_mark_lost", customer.pk), {"reason": "x"})
        .status_code
        == 404
    )
    assert (
        login(org.users.researcher)
        .post(url("customer_mark_lost", customer.pk), {"reason": "x"})
        .status_code
        == 403
    )
    customer.refresh_from_db()
    assert customer.status == "active"


def test_win_back_from_the_lost_list(org, login):
    lost = CustomerFactory(
        owner=org.users.sales1,
        name="流失阀门",
        status="lost",
        lost_reason="价格",
        lost_at=timezone.now(),
    )
    care(
        lost, kind="win_back", title="上次挽回", status="done", note="x", finished_at=timezone.now()
    )
    client = login(org.users.sales1)
    html = client.get(url("lost_list")).content.decode()
    assert "流失阀门" in html and url("care_win_back", lost.pk) in html
    back = url("lost_list")
    response = client.post(
        url("care_win_back", lost.pk), {"due_date": "2030-06-01", "note": "上门拜访", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    action = CareAction.objects.get(customer=lost, status="pending")
    assert action.kind == "win_back" and action.due_date == datetime.date(2030, 6, 1)
    assert action.note == "上门拜访" and action.assignee == org.users.sales1
    response = client.get(url("lost_list"))
    assert [c.open_win_back for c in response.context["page_obj"]] == [1]
    response = client.post(url("care_win_back", lost.pk), {"due_date": "bad"})
    assert response.status_code == 200 and "due_date" in response.context["form"].errors
    active = CustomerFactory(owner=org.users.sales1, status="active")
    response = client.post(url("care_win_back", active.pk), {"due_date": "2030-06-01"})
    assert response.status_code == 200
    assert "Win-back actions are for lost customers." in response.content.decode()
    assert (
        login(org.users.sales2)
        .post(url("care_win_back", lost.pk), {"due_date": "2030-06-01"})
        .status_code
        == 404
    )
    assert CareAction.objects.filter(customer=lost, status="pending").count() == 1


@pytest.mark.parametrize("role", ["sales1", "manager"])
def test_lost_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))

    def add(n):
        for _i in range(n):
            c = CustomerFactory(
                owner=org.users.sales1, status="lost", lost_reason="价格", lost_at=timezone.now()
            )
            care(c, kind="win_back")

    add(2)
    few = _queries(client, url("lost_list"))
    add(15)
    assert _queries(client, url("lost_list")) == few


def _partial(user, customer):
    request = RequestFactory().get(url("customer_detail", customer.pk))
    request.user = user
    context = {"customer": customer, "request": request, **navigation(request)}
    return render_to_string("web/customers/mark_lost.html", context, request=request)


def test_customer_page_partial_offers_mark_lost_or_shows_the_loss(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    html = _partial(org.users.sales1, customer)
    assert url("customer_mark_lost", customer.pk) in html and 'name="reason"' in html
    assert _partial(org.users.service, customer).strip() == ""
    customer.status, customer.lost_reason, customer.lost_at = "lost", "倒闭", timezone.now()
    html = _partial(org.users.sales1, customer)
    assert "倒闭" in html and url("care_win_back", customer.pk) in html
    assert url("customer_mark_lost", customer.pk) not in html


# --- navigation, language ----------------------------------------------------------------


def test_navigation_shows_care_and_market_by_permission(org, login):
    html = login(org.users.sales1).get(url("home")).content.decode()
    assert 'id="nav-care"' in html and url("churn_list") in html and url("lost_list") in html
    assert 'id="nav-market"' in html and url("competitor_list") in html and url("news_list") in html
    html = login(org.users.researcher).get(url("home")).content.decode()
    assert 'id="nav-care"' not in html and url("care_list") not in html
    assert 'id="nav-market"' in html and url("news_list") in html


def test_care_pages_in_chinese(org, login, action):
    client = login(org.users.sales1, language="zh-hans")
    for page in (url("care_list"), url("care_detail", action.pk), url("care_create")):
        html = client.get(page).content.decode()
        assert 'lang="zh-Hans"' in html and ">客户<" in html, page
