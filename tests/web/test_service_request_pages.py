"""Service request pages: who may open which page (403) and which request (404), opening a
request (complaints need a category, a dispatcher may assign at once), every move through
the detail page including the refused ones, the queues, the list's filters and SLA badges,
the service settings page, the navigation, query counts and the Chinese pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.reference.models import ComplaintCategory, ServiceRequestType
from guanxi.service.models import ServiceRequest, ServiceSettings
from guanxi.service.services import requests as services

from ..factories import ContactFactory, ContractFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def rtype(code):
    return ServiceRequestType.objects.get(code=code)


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1, code="C-SR1", name="宁波模具厂")


@pytest.fixture
def agent2(org):
    return UserFactory(username="service2", department=org.hq, roles=["service"])


@pytest.fixture
def make():
    """make(actor, customer, **fields) → a request opened through the service."""

    def _make(actor, customer, *, code="REPAIR", subject="设备异响", **fields):
        if code == "COMPLAINT":
            fields.setdefault("complaint_category", ComplaintCategory.objects.get(code="QUALITY"))
        return services.request_create(
            actor=actor, customer=customer, type=rtype(code), subject=subject, **fields
        )

    return _make


@pytest.fixture
def sr(org, customer, make):
    return make(org.users.service, customer, priority="high")


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def numbers(response):
    assert response.status_code == 200
    return {r.number for r in response.context["page_obj"]}


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- permissions and scope ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["service", "svcmgr", "sales1", "manager", "admin", "clerk", "researcher", "exec"]
)
def test_list_and_detail_open_for_every_role_that_may_view(org, login, sr, role):
    client = login(getattr(org.users, role))
    assert sr.number in html_of(client.get(url("service_request_list")))
    assert sr.subject in html_of(client.get(url("service_request_detail", sr.pk)))


def test_roles_without_the_permission_get_403(org, login, sr):
    nobody = login(UserFactory(username="nobody", department=org.hq))
    for name, args in (
        ("service_request_list", ()),
        ("service_request_create", ()),
        ("service_queue_mine", ()),
        ("service_request_detail", (sr.pk,)),
    ):
        assert nobody.get(url(name, *args)).status_code == 403, name
    for role in ("researcher", "exec"):  # may view only
        client = login(getattr(org.users, role))
        assert client.get(url("service_request_create")).status_code == 403
        assert client.get(url("service_request_edit", sr.pk)).status_code == 403
        assert client.post(url("service_request_start", sr.pk)).status_code == 403
    sales1 = login(org.users.sales1)  # may view and open, not work on requests
    assert sales1.get(url("service_request_create")).status_code == 200
    assert sales1.get(url("service_request_edit", sr.pk)).status_code == 403
    response = sales1.post(url("service_request_assign", sr.pk), {"assignee": org.users.sales1.pk})
    assert response.status_code == 403
    assert sales1.post(url("service_request_delete", sr.pk)).status_code == 403
    html = html_of(sales1.get(url("service_request_detail", sr.pk)))
    assert "Take it" not in html and "Edit" not in html and 'id="assign-form"' not in html
    assert reload(sr).status == "new"


def test_salesperson_sees_only_requests_of_own_customers(org, login, make, sr):
    north = CustomerFactory(owner=org.users.sales2, name="天津轴承")
    theirs = make(org.users.service, north, subject="北方投诉")
    sales1 = login(org.users.sales1)
    assert numbers(sales1.get(url("service_request_list"))) == {sr.number}
    for name in ("service_request_detail", "service_request_edit"):
        assert sales1.get(url(name, theirs.pk)).status_code == 404, name
    for name in ("service_request_assign", "service_request_start", "service_request_delete"):
        assert sales1.post(url(name, theirs.pk), {"assignee": org.users.sales1.pk}).status_code in (
            403,
            404,
        )
    assert sales1.get(url("service_request_create") + f"?customer={north.pk}").status_code == 404
    assert sales1.get(url("service_request_list") + f"?customer={north.pk}").status_code == 404
    manager2 = login(org.users.manager2)
    assert manager2.get(url("service_request_detail", sr.pk)).status_code == 404
    assert numbers(manager2.get(url("service_request_list"))) == {theirs.number}
    assert reload(theirs).status == "new"


def test_queues_are_for_agents_and_the_team_queue_for_dispatchers(org, login, make, customer):
    mine = make(org.users.service, customer, subject="我的", assignee=org.users.service)
    other = make(org.users.svcmgr, customer, subject="别人的", assignee=org.users.svcmgr)
    loose = make(org.users.sales1, customer, subject="没人管")
    service = login(org.users.service)
    assert numbers(service.get(url("service_queue_mine"))) == {mine.number}
    assert service.get(url("service_queue_team")).status_code == 403
    assert login(org.users.sales1).get(url("service_queue_team")).status_code == 403
    svcmgr = login(org.users.svcmgr)
    assert numbers(svcmgr.get(url("service_queue_team"))) == {
        mine.number,
        other.number,
        loose.number,
    }
    assert numbers(svcmgr.get(url("service_queue_team"), {"assignee": "none"})) == {loose.number}
    html = html_of(svcmgr.get(url("service_queue_team")))
    assert "Open requests per agent" in html and "Unassigned" in html
    load = {
        row["assignee_id"]: row["open"]
        for row in svcmgr.get(url("service_queue_team")).context["load"]
    }
    assert load == {None: 1, org.users.service.pk: 1, org.users.svcmgr.pk: 1}
    assert login(org.users.admin).get(url("service_queue_team")).status_code == 200


# --- opening a request -------------------------------------------------------------------


def _form(customer, **extra):
    data = {
        "customer": customer.pk,
        "customer_q": f"{customer.code} · {customer.name}",
        "type": rtype("REPAIR").pk,
        "priority": "normal",
        "subject": "冲床漏油",
        "description": "二号机",
    }
    data.update(extra)
    return data


def test_create_preselects_the_customer_and_offers_its_contacts(org, login, customer):
    contact = ContactFactory(customer=customer, name="王工")
    ContactFactory(customer=CustomerFactory(owner=org.users.sales1), name="别家人")
    contract = ContractFactory(customer=customer, owner=org.users.sales1)
    client = login(org.users.service)
    page = client.get(url("service_request_create") + f"?customer={customer.pk}")
    html = html_of(page)
    assert 'value="C-SR1 · 宁波模具厂"' in html
    form = page.context["form"]
    assert list(form.fields["contact"].queryset) == [contact]
    assert list(form.fields["contract"].queryset) == [contract]
    assert "assignee" not in form.fields  # an agent does not assign at creation
    complaint = rtype("COMPLAINT")
    assert str(complaint.pk) in form.fields["type"].widget.attrs["data-complaint-types"]
    assert "web/service.js" in html
    options = client.get(
        url("service_customer_options"), {"field": "contact", "customer": customer.pk}
    )
    assert "王工" in html_of(options) and "别家人" not in options.content.decode()
    options = client.get(
        url("service_customer_options"), {"field": "contract", "customer_q": "C-SR1"}
    )
    assert contract.number in html_of(options)


def test_create_a_complaint_needs_a_category_and_notifies_the_owner(org, login, customer):
    client = login(org.users.service)
    response = client.post(
        url("service_request_create"), _form(customer, type=rtype("COMPLAINT").pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["complaint_category"] == [
        "A complaint needs a complaint category."
    ]
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not ServiceRequest.objects.exists()
    category = ComplaintCategory.objects.get(code="DELIVERY")
    response = client.post(
        url("service_request_create"),
        _form(customer, type=rtype("COMPLAINT").pk, complaint_category=category.pk),
    )
    sr = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("service_request_detail", sr.pk)
    assert sr.complaint_category == category and sr.status == "new"
    assert sr.created_by == org.users.service and sr.customer == customer
    assert org.users.sales1.notifications.filter(kind="complaint").exists()


def test_create_with_bad_input_shows_errors_and_writes_nothing(org, login, customer):
    other = ContactFactory(customer=CustomerFactory(owner=org.users.sales1))
    client = login(org.users.service)
    response = client.post(
        url("service_request_create"), {"customer": "", "customer_q": "", "subject": ""}
    )
    assert response.status_code == 200
    assert {"customer", "type", "subject"} <= set(response.context["form"].errors)
    response = client.post(url("service_request_create"), _form(customer, contact=other.pk))
    assert "contact" in response.context["form"].errors
    response = client.post(url("service_request_create"), _form(customer, subject="   "))
    assert "subject" in response.context["form"].errors
    assert not ServiceRequest.objects.exists()


def test_a_dispatcher_may_assign_at_creation(org, login, customer):
    client = login(org.users.svcmgr)
    page = client.get(url("service_request_create"))
    assignees = set(page.context["form"].fields["assignee"].queryset)
    assert {org.users.service, org.users.svcmgr} <= assignees
    assert org.users.sales1 not in assignees  # does not work on requests
    response = client.post(
        url("service_request_create"), _form(customer, assignee=org.users.service.pk)
    )
    assert response.status_code == 302
    sr = ServiceRequest.objects.get()
    assert sr.status == "assigned" and sr.assignee == org.users.service
    assert org.users.service.notifications.filter(kind="request_assigned").exists()


def test_salesperson_opens_a_request_for_own_customer_only(org, login, customer):
    client = login(org.users.sales1)
    north = CustomerFactory(owner=org.users.sales2, code="C-N1", name="天津轴承")
    response = client.post(
        url("service_request_create"), _form(north, customer_q="C-N1 · 天津轴承")
    )
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    response = client.post(url("service_request_create"), _form(customer))
    assert response.status_code == 302
    assert ServiceRequest.objects.get().customer == customer


def test_edit_changes_priority_and_keeps_the_customer(org, login, sr):
    client = login(org.users.service)
    page = client.get(url("service_request_edit", sr.pk))
    assert "customer" not in page.context["form"].fields
    response = client.post(
        url("service_request_edit", sr.pk),
        {"type": sr.type_id, "priority": "urgent", "subject": "设备异响（急）"},
    )
    assert response.status_code == 302
    sr2 = reload(sr)
    assert sr2.priority == "urgent" and sr2.subject == "设备异响（急）"
    assert sr2.due_at < sr.due_at  # recounted from the same moment with fewer hours


# --- moves -------------------------------------------------------------------------------


def test_full_flow_through_the_pages(org, login, sr):
    agent = login(org.users.service)
    html = html_of(agent.get(url("service_request_detail", sr.pk)))
    assert "Take it" in html and 'data-confirm="Delete this service request?"' not in html
    assert 'id="start-form"' not in html and 'id="resolve-form"' not in html
    response = agent.post(url("service_request_assign", sr.pk), {"assignee": org.users.service.pk})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == "assigned" and sr.assignee == org.users.service
    html = html_of(agent.get(url("service_request_detail", sr.pk)))
    assert 'id="start-form"' in html and "Take it" not in html
    assert agent.post(url("service_request_start", sr.pk)).status_code == 302
    assert reload(sr).status == "in_progress"
    # resolving needs a resolution: shown next to the field, nothing changes
    response = agent.post(url("service_request_resolve", sr.pk), {"resolution": "   "})
    assert response.status_code == 200
    assert "resolution" in response.context["resolve_form"].errors
    assert 'id="resolve-form"' in response.content.decode()
    assert reload(sr).status == "in_progress"
    response = agent.post(url("service_request_resolve", sr.pk), {"resolution": "更换密封圈"})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == "resolved" and sr.resolution == "更换密封圈" and sr.resolved_at
    # closing needs a score from 1 to 5
    response = agent.post(url("service_request_close", sr.pk), {"satisfaction": "6"})
    assert response.status_code == 200
    assert response.context["close_form"].errors["satisfaction"] == [
        "Give a satisfaction score from 1 to 5."
    ]
    assert "Give a satisfaction score from 1 to 5." in response.content.decode()
    assert reload(sr).status == "resolved"
    response = agent.post(url("service_request_close", sr.pk), {"comment": "x"})
    assert "satisfaction" in response.context["close_form"].errors
    response = agent.post(
        url("service_request_close", sr.pk), {"satisfaction": "4", "comment": "响应及时"}
    )
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == "closed" and sr.satisfaction == 4 and sr.satisfaction_comment == "响应及时"
    html = html_of(agent.get(url("service_request_detail", sr.pk)))
    assert "4 / 5" in html and 'id="reopen-form"' in html and 'id="close-form"' not in html
    assert agent.get(url("service_request_edit", sr.pk)).status_code == 302  # closed: reopen first
    # reopen with a reason: back to work with the same assignee, the reason in the history
    response = agent.post(url("service_request_reopen", sr.pk), {"reason": "又漏油了"})
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.status == "in_progress" and sr.satisfaction is None and sr.reopen_count == 1
    html = html_of(agent.get(url("service_request_detail", sr.pk)))
    assert "又漏油了" in html and "reopened once" in html


def test_refused_moves_never_fail_the_page(org, login, agent2, sr):
    agent = login(org.users.service)
    # start a new (unassigned) request: refused by the status, shown as a message
    response = agent.post(url("service_request_start", sr.pk), follow=True)
    assert response.status_code == 200
    assert "Only an assigned request can be started." in response.content.decode()
    response = agent.post(url("service_request_close", sr.pk), {"satisfaction": "5"}, follow=True)
    assert "Only a resolved request can be closed." in html_of(response)
    response = agent.post(url("service_request_reopen", sr.pk), follow=True)
    assert "Only a resolved or closed request can be reopened." in html_of(response)
    # an agent cannot hand a request to someone else
    assert (
        agent.post(url("service_request_assign", sr.pk), {"assignee": agent2.pk}).status_code == 403
    )
    # an unknown assignee is a form error, not a crash
    response = agent.post(url("service_request_assign", sr.pk), {"assignee": "999999"})
    assert response.status_code in (200, 403)
    agent.post(url("service_request_assign", sr.pk), {"assignee": org.users.service.pk})
    # starting belongs to the assignee (or a dispatcher)
    other = login(agent2)
    assert other.post(url("service_request_start", sr.pk)).status_code == 403
    html = html_of(other.get(url("service_request_detail", sr.pk)))
    assert 'id="start-form"' not in html and "Take it" not in html
    # taking over another's request is for a dispatcher
    assert (
        other.post(url("service_request_assign", sr.pk), {"assignee": agent2.pk}).status_code == 403
    )
    assert reload(sr).status == "assigned" and reload(sr).assignee == org.users.service
    # the same assignee again: a field error next to the select
    svcmgr = login(org.users.svcmgr)
    response = svcmgr.post(url("service_request_assign", sr.pk), {"assignee": org.users.service.pk})
    assert response.status_code == 200
    assert response.context["assign_form"].errors["assignee"] == [
        "The request is already assigned to this user."
    ]
    # a dispatcher reassigns and starts for the agent
    assert (
        svcmgr.post(url("service_request_assign", sr.pk), {"assignee": agent2.pk}).status_code
        == 302
    )
    assert svcmgr.post(url("service_request_start", sr.pk)).status_code == 302
    assert reload(sr).status == "in_progress" and reload(sr).assignee == agent2
    # deleting is only for a new request
    response = svcmgr.post(url("service_request_delete", sr.pk), follow=True)
    assert "Only a new request can be deleted." in html_of(response)
    assert ServiceRequest.objects.filter(pk=sr.pk).exists()


def test_dispatcher_sees_the_assign_select_and_deletes_a_new_request(org, login, sr):
    svcmgr = login(org.users.svcmgr)
    html = html_of(svcmgr.get(url("service_request_detail", sr.pk)))
    assert 'id="assign-form"' in html and "Take it" not in html
    assert 'data-confirm="Delete this service request?"' in html
    response = svcmgr.post(url("service_request_delete", sr.pk))
    assert response.status_code == 302 and response["Location"] == url("service_request_list")
    assert not ServiceRequest.objects.filter(pk=sr.pk).exists()


def test_a_department_dispatcher_is_offered_only_agents_in_their_scope(org, login, sr):
    from guanxi.accounts.models import Role

    codes = [f"service_requests.{a}" for a in ("view", "create", "change", "approve")]
    Role.objects.create(
        code="east_service_lead",
        name="华东客服组长",
        scope="department",
        permissions=[*codes, "customers.view"],
    )
    lead = UserFactory(username="eastlead", department=org.east, roles=["east_service_lead"])
    east_agent = UserFactory(username="eastagent", department=org.east, roles=["service"])
    html = html_of(login(lead).get(url("service_request_detail", sr.pk)))
    options = html.split('id="assign-form"')[1].split("</select>")[0]
    assert str(east_agent) in options and str(lead) in options
    assert str(org.users.service) not in options  # hq: outside the lead's department


# --- the list ----------------------------------------------------------------------------


def _set_due(sr, due, at_risk):
    ServiceRequest.objects.filter(pk=sr.pk).update(due_at=due, at_risk_at=at_risk)


def test_list_filters_ordering_and_sla_badges(org, login, make, customer):
    now = timezone.now()
    late = make(org.users.service, customer, subject="已超时", priority="urgent")
    _set_due(late, now - HOUR, now - 2 * HOUR)
    risky = make(org.users.service, customer, subject="快到期", assignee=org.users.service)
    _set_due(risky, now + HOUR, now - HOUR)
    calm = make(org.users.svcmgr, customer, code="COMPLAINT", subject="投诉", priority="low")
    done = make(org.users.svcmgr, customer, subject="已解决", assignee=org.users.service)
    services.request_start(actor=org.users.service, request=done)
    services.request_resolve(actor=org.users.service, request=done, resolution="ok")
    client = login(org.users.svcmgr)
    lst = url("service_request_list")
    assert numbers(client.get(lst)) == {late.number, risky.number, calm.number, done.number}
    assert numbers(client.get(lst, {"status": "open"})) == {late.number, risky.number, calm.number}
    assert numbers(client.get(lst, {"status": "resolved"})) == {done.number}
    assert numbers(client.get(lst, {"priority": "urgent"})) == {late.number}
    assert numbers(client.get(lst, {"assignee": "none"})) == {late.number, calm.number}
    assert numbers(client.get(lst, {"assignee": org.users.service.pk})) == {
        risky.number,
        done.number,
    }
    assert numbers(client.get(lst, {"complaint": "yes"})) == {calm.number}
    assert calm.number not in numbers(client.get(lst, {"complaint": "no"}))
    assert numbers(client.get(lst, {"type": rtype("COMPLAINT").pk})) == {calm.number}
    assert numbers(client.get(lst, {"sla": "breached"})) == {late.number}
    assert numbers(client.get(lst, {"sla": "at_risk"})) == {risky.number}
    assert numbers(client.get(lst, {"sla": "on_time"})) == {calm.number, done.number}
    assert numbers(client.get(lst, {"q": "快到期"})) == {risky.number}
    assert numbers(client.get(lst, {"customer_q": "C-SR1"})) == {
        late.number,
        risky.number,
        calm.number,
        done.number,
    }
    rows = list(client.get(lst, {"ordering": "due_at"}).context["page_obj"])
    assert rows[0] == late
    rows = list(client.get(lst, {"ordering": "priority"}).context["page_obj"])
    assert rows[0] == late and rows[-1] == calm
    html = html_of(client.get(lst))
    assert html.count("sla-breached") == 1 and html.count("sla-at-risk") == 1
    assert html.count("sla-on-time") == 2 and "Unassigned" in html
    assert "Breached" in html and "At risk" in html and "On time" in html
    detail = html_of(client.get(url("service_request_detail", late.pk)))
    assert "sla-breached" in detail


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["service", "svcmgr", "sales1"])
def test_list_query_counts_do_not_grow_with_rows(org, login, make, role):
    client = login(getattr(org.users, role))
    customers = [CustomerFactory(owner=org.users.sales1) for _ in range(3)]

    def add(n):
        for i in range(n):
            make(
                org.users.svcmgr,
                customers[i % 3],
                code="COMPLAINT" if i % 2 else "REPAIR",
                assignee=org.users.service if i % 3 else None,
                contact=ContactFactory(customer=customers[i % 3]),
            )

    paths = [url("service_request_list"), url("service_request_list") + "?status=open&sla=on_time"]
    if role == "service":
        paths.append(url("service_queue_mine"))
    if role == "svcmgr":
        paths.append(url("service_queue_team"))
    add(3)
    few = [_queries(client, p) for p in paths]
    add(20)
    assert [_queries(client, p) for p in paths] == few


# --- settings ----------------------------------------------------------------------------


def test_service_settings_page(org, login):
    for role in ("sales1", "service", "svcmgr", "manager"):
        assert login(getattr(org.users, role)).get(url("service_settings")).status_code == 403
    admin = login(org.users.admin)
    html = html_of(admin.get(url("service_settings")))
    assert "Service settings" in html and 'name="hours_urgent"' in html
    data = {
        "hours_urgent": 4,
        "hours_high": 30,  # more than a normal request
        "hours_normal": 24,
        "hours_low": 72,
        "at_risk_percent": 25,
        "follow_up_days": 30,
        "care_lead_days": 7,
        "churn_days": 180,
    }
    response = admin.post(url("service_settings"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["hours_high"] == [
        "A higher priority cannot have more hours than a lower one."
    ]
    response = admin.post(url("service_settings"), {**data, "hours_high": 8, "at_risk_percent": 0})
    assert response.status_code == 200 and "at_risk_percent" in response.context["form"].errors
    response = admin.post(url("service_settings"), {**data, "hours_high": 6, "churn_days": 90})
    assert response.status_code == 302
    row = ServiceSettings.objects.get()
    assert row.hours_high == 6 and row.churn_days == 90 and row.updated_by == org.users.admin
    nav = html_of(admin.get(url("home")))
    assert f'href="{url("service_settings")}"' in nav


# --- navigation and language -------------------------------------------------------------


def test_service_menu_follows_the_permissions(org, login):
    links = {
        "feedback": url("feedback_list"),
        "requests": url("service_request_list"),
        "mine": url("service_queue_mine"),
        "team": url("service_queue_team"),
    }

    def shown(user):
        html = html_of(login(user).get(url("home")))
        return {key for key, href in links.items() if f'href="{href}"' in html}

    assert shown(org.users.svcmgr) == {"feedback", "requests", "mine", "team"}
    assert shown(org.users.service) == {"feedback", "requests", "mine"}
    assert shown(org.users.sales1) == {"feedback", "requests"}
    assert shown(UserFactory(username="nobody", department=org.hq)) == set()


def test_pages_in_chinese(org, login, sr):
    client = login(org.users.svcmgr, language="zh-hans")
    for page in (url("service_request_list"), url("service_request_detail", sr.pk)):
        html = html_of(client.get(page))
        assert 'lang="zh-Hans"' in html and "宁波模具厂" in html, page
    for page in (
        url("service_request_create"),
        url("service_queue_team"),
        url("service_queue_mine"),
    ):
        assert 'lang="zh-Hans"' in html_of(client.get(page)), page
    assert 'lang="zh-Hans"' in html_of(
        login(org.users.admin, "zh-hans").get(url("service_settings"))
    )
