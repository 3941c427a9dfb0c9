"""Task pages: periods and the mine/team toggle, overdue marking, create with the customer's
opportunities, complete with a required result, reopen, delete; 403/404; query counts; the
home page panel and the customer's tasks tab."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.reference.models import WorkMethod
from guanxi.sales.models import Task

from ..factories import CustomerFactory, OpportunityFactory, TaskFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def today():
    return timezone.localdate()


@pytest.fixture
def task(org):
    customer = CustomerFactory(owner=org.users.sales1, name="宁波模具厂")
    return TaskFactory(customer=customer, salesperson=org.users.sales1, purpose="上门拜访")


def purposes(response):
    assert response.status_code == 200
    return {t.purpose for t in response.context["page_obj"]}


# --- permissions and scope ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales1", "manager", "admin", "exec", "clerk"])
def test_pages_open_for_roles_that_may_view(org, login, task, role):
    client = login(getattr(org.users, role))
    assert client.get(url("task_list")).status_code == 200
    assert client.get(url("task_detail", task.pk)).status_code == 200


def test_roles_without_the_permission_get_403(org, login, task):
    for role in ("service", "researcher"):
        client = login(getattr(org.users, role))
        assert client.get(url("task_list")).status_code == 403
        assert client.get(url("task_detail", task.pk)).status_code == 403
        assert client.get(url("task_create")).status_code == 403
    clerk = login(org.users.clerk)  # may view only
    assert clerk.get(url("task_create")).status_code == 403
    assert clerk.get(url("task_edit", task.pk)).status_code == 403
    assert clerk.post(url("task_complete", task.pk), {"result": "ok"}).status_code == 403
    assert clerk.post(url("task_delete", task.pk)).status_code == 403
    task.refresh_from_db()
    assert task.status == "planned"


def test_out_of_scope_task_is_404(org, login, task):
    client = login(org.users.sales2)
    for name in ("task_detail", "task_edit"):
        assert client.get(url(name, task.pk)).status_code == 404
    for name in ("task_complete", "task_reopen", "task_delete"):
        assert client.post(url(name, task.pk), {"result": "x"}).status_code == 404
    assert client.get(url("task_create") + f"?customer={task.customer_id}").status_code == 404
    assert "上门拜访" not in client.get(url("task_list") + "?period=all").content.decode()
    assert Task.objects.get(pk=task.pk).status == "planned"


def test_manager_sees_the_sub_departments_tasks(org, login):
    theirs = TaskFactory(customer=CustomerFactory(owner=org.users.sales1b), purpose="上海组拜访")
    manager = login(org.users.manager)
    assert manager.get(url("task_detail", theirs.pk)).status_code == 200
    assert "上海组拜访" in purposes(manager.get(url("task_list"), {"period": "all", "mine": "0"}))
    assert "上海组拜访" not in purposes(manager.get(url("task_list"), {"period": "all"}))
    assert login(org.users.manager2).get(url("task_detail", theirs.pk)).status_code == 404


# --- the list ----------------------------------------------------------------------------


def test_periods_and_overdue_marking(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    t = today()
    TaskFactory(customer=customer, date=t, purpose="今天")
    TaskFactory(customer=customer, date=t - 10 * DAY, purpose="过期")
    TaskFactory(customer=customer, date=t + 30 * DAY, purpose="以后")
    TaskFactory(customer=customer, date=t - 3 * DAY, purpose="已完成", status="done", result="好")
    client = login(org.users.sales1)
    assert purposes(client.get(url("task_list"))) == {"今天"}  # today by default
    assert purposes(client.get(url("task_list"), {"period": "overdue"})) == {"过期"}
    assert purposes(client.get(url("task_list"), {"period": "upcoming"})) == {"今天", "以后"}
    assert purposes(client.get(url("task_list"), {"period": "done"})) == {"已完成"}
    assert len(purposes(client.get(url("task_list"), {"period": "all"}))) == 4
    assert purposes(client.get(url("task_list"), {"period": "bogus"})) == {"今天"}
    html = client.get(url("task_list"), {"period": "all"}).content.decode()
    assert html.count('class="task-overdue"') == 1 and "Overdue" in html
    assert "Mine" not in html  # a salesperson sees only their own: no toggle


def test_filters_and_mine_or_team(org, login):
    a = CustomerFactory(owner=org.users.sales1, code="C-TA", name="甲厂")
    b = CustomerFactory(owner=org.users.sales1b, code="C-TB", name="乙厂")
    TaskFactory(customer=a, purpose="甲任务")
    TaskFactory(customer=b, purpose="乙任务", status="done", result="ok")
    TaskFactory(customer=a, salesperson=org.users.manager, purpose="经理任务")
    manager = login(org.users.manager)
    team = {"period": "all", "mine": "0"}
    assert purposes(manager.get(url("task_list"), team)) == {"甲任务", "乙任务", "经理任务"}
    assert purposes(manager.get(url("task_list"), {"period": "all"})) == {"经理任务"}
    assert purposes(manager.get(url("task_list"), {**team, "customer": b.pk})) == {"乙任务"}
    assert purposes(manager.get(url("task_list"), {**team, "customer_q": "C-TA"})) == {
        "甲任务",
        "经理任务",
    }
    assert purposes(
        manager.get(url("task_list"), {**team, "salesperson": org.users.sales1b.pk})
    ) == {"乙任务"}
    assert purposes(manager.get(url("task_list"), {**team, "status": "done"})) == {"乙任务"}
    assert purposes(manager.get(url("task_list"), {**team, "q": "经理"})) == {"经理任务"}
    html = manager.get(url("task_list"), team).content.decode()
    assert "Mine" in html and "Team" in html


# --- create, edit, complete, reopen, delete ----------------------------------------------


def test_create_offers_only_the_customers_opportunities(org, login):
    customer = CustomerFactory(owner=org.users.sales1, code="C-T1", name="杭州齿轮")
    other = CustomerFactory(owner=org.users.sales1)
    opp = OpportunityFactory(customer=customer, name="齿轮项目")
    OpportunityFactory(customer=other, name="别家项目")
    client = login(org.users.sales1)
    page = client.get(url("task_create") + f"?customer={customer.pk}")
    choices = list(page.context["form"].fields["opportunity"].queryset)
    assert choices == [opp]
    page = client.get(url("task_create") + f"?opportunity={opp.pk}")
    assert page.context["form"]["opportunity"].value() == opp.pk
    assert 'value="C-T1 · 杭州齿轮"' in page.content.decode()
    visit = WorkMethod.objects.get(code="VISIT")
    response = client.post(
        url("task_create"),
        {
            "customer": customer.pk,
            "customer_q": "C-T1 · 杭州齿轮",
            "opportunity": opp.pk,
            "salesperson": org.users.sales1.pk,
            "date": "2030-05-06",
            "time": "14:30",
            "work_method": visit.pk,
            "purpose": "技术交流",
            "location": "杭州",
        },
    )
    task = Task.objects.get(purpose="技术交流")
    assert response.status_code == 302 and response["Location"] == url("task_detail", task.pk)
    assert task.opportunity == opp and task.time == datetime.time(14, 30)
    assert task.created_by == org.users.sales1 and task.status == "planned"


def test_create_with_bad_input_shows_errors_and_writes_nothing(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    foreign = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    client = login(org.users.sales1)
    response = client.post(
        url("task_create"),
        {"customer": "", "customer_q": "", "salesperson": org.users.sales1.pk, "purpose": ""},
    )
    assert response.status_code == 200
    assert {"customer", "date", "purpose"} <= set(response.context["form"].errors)
    response = client.post(
        url("task_create"),
        {
            "customer": customer.pk,
            "opportunity": foreign.pk,
            "salesperson": org.users.sales2.pk,
            "date": "2030-01-01",
            "purpose": "x",
        },
    )
    assert response.status_code == 200
    assert {"opportunity", "salesperson"} <= set(response.context["form"].errors)
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Task.objects.exists()


def test_edit_and_next_back_to_the_customer(org, login, task):
    client = login(org.users.sales1)
    back = url("customer_detail", task.customer_id) + "?tab=tasks"
    response = client.post(
        url("task_edit", task.pk),
        {
            "customer": task.customer_id,
            "salesperson": org.users.sales1.pk,
            "date": "2030-02-03",
            "purpose": "改期拜访",
            "result": "",
            "next": back,
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    task.refresh_from_db()
    assert task.purpose == "改期拜访" and task.date == datetime.date(2030, 2, 3)


def test_complete_needs_a_result_then_reopen_and_delete(org, login, task):
    client = login(org.users.sales1)
    response = client.post(url("task_complete", task.pk), {"result": "  "})
    assert response.status_code == 200
    assert "result" in response.context["complete_form"].errors
    assert 'id="complete-form"' in response.content.decode()
    task.refresh_from_db()
    assert task.status == "planned" and task.done_at is None
    response = client.post(url("task_complete", task.pk), {"result": "客户同意试样"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.result == "客户同意试样" and task.done_at
    response = client.post(url("task_complete", task.pk), {"result": "again"}, follow=True)
    assert "done already" in response.content.decode()
    assert client.post(url("task_reopen", task.pk)).status_code == 302
    task.refresh_from_db()
    assert task.status == "planned"
    html = client.get(url("task_detail", task.pk)).content.decode()
    assert 'data-confirm="Delete this task?"' in html and "客户同意试样" in html
    assert client.post(url("task_delete", task.pk)).status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()


# --- home, customer tab, query counts, language ------------------------------------------


def test_home_shows_my_tasks_today(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    TaskFactory(customer=customer, purpose="今天第一件")
    TaskFactory(customer=customer, purpose="昨天的", date=today() - DAY)
    TaskFactory(customer=CustomerFactory(owner=org.users.sales1b), purpose="别人的")
    html = login(org.users.sales1).get(url("home")).content.decode()
    assert "My tasks today" in html and "今天第一件" in html
    assert "昨天的" not in html and "别人的" not in html
    assert "1 overdue" in html
    assert f'href="{url("task_list")}?period=today"' in html
    assert "My tasks today" not in login(org.users.service).get(url("home")).content.decode()


def test_home_shows_contracts_waiting_for_approval(org, login):
    from ..factories import ContractFactory

    ContractFactory(
        customer=CustomerFactory(owner=org.users.sales1),
        status="pending",
        submitted_at=timezone.now(),
    )
    html = login(org.users.manager).get(url("home")).content.decode()
    start = html.index('id="home-approvals"')
    block = html[start : html.index("</div></div>", start)]
    assert f'href="{url("approval_queue")}">1</a>' in block
    assert (
        "Contracts waiting for your approval"
        not in login(org.users.sales1).get(url("home")).content.decode()
    )


def test_customer_tasks_tab(org, login, task):
    client = login(org.users.sales1)
    html = client.get(url("customer_detail", task.customer_id) + "?tab=tasks").content.decode()
    assert "上门拜访" in html and f"?customer={task.customer_id}" in html
    assert login(org.users.service).get(
        url("customer_detail", task.customer_id) + "?tab=tasks"
    ).status_code in (403, 404)


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["sales1", "manager", "admin"])
def test_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))
    customer = CustomerFactory(owner=org.users.sales1)
    visit = WorkMethod.objects.get(code="VISIT")
    opp = OpportunityFactory(customer=customer)

    def add(n):
        for i in range(n):
            TaskFactory(
                customer=customer,
                opportunity=opp,
                work_method=visit,
                date=today() - i * DAY,
            )

    path = url("task_list") + "?period=all&mine=0"
    add(3)
    few = _queries(client, path)
    add(20)
    many = _queries(client, path)
    assert few == many, (few, many)
    tab = url("customer_detail", customer.pk) + "?tab=tasks"
    few_tab = _queries(client, tab)
    add(5)
    assert _queries(client, tab) == few_tab


def test_home_query_count_does_not_grow(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    client = login(org.users.sales1)
    TaskFactory.create_batch(2, customer=customer)
    few = _queries(client, url("home"))
    TaskFactory.create_batch(12, customer=customer)
    TaskFactory.create_batch(12, customer=customer, date=today() - DAY)
    assert _queries(client, url("home")) == few


def test_pages_in_chinese(org, login, task):
    client = login(org.users.sales1, language="zh-hans")
    for page in (url("task_list"), url("task_detail", task.pk), url("task_create")):
        html = client.get(page).content.decode()
        assert 'lang="zh-Hans"' in html and ">客户<" in html, page
    assert "筛选" in client.get(url("task_list")).content.decode()
