"""Interaction feedback pages: who may open them (403) and whose feedback (404), recording
feedback for oneself and on behalf of someone else, the customer's contacts only, the
service's refusals next to the field, edit, delete, the list's filters, query counts and the
Chinese pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.reference.models import WorkMethod
from guanxi.service.models import Feedback
from guanxi.service.services import feedback as services

from ..factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def today():
    return timezone.localdate()


def channel(code="PHONE"):
    return WorkMethod.objects.get(code=code)


@pytest.fixture
def customer(org):
    return CustomerFactory(owner=org.users.sales1, code="C-FB1", name="宁波模具厂")


@pytest.fixture
def feedback(org, customer):
    return services.feedback_create(
        actor=org.users.sales1,
        customer=customer,
        content="客户希望下月交货",
        channel=channel(),
        date=today() - DAY,
    )


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def contents(response):
    assert response.status_code == 200
    return {f.content for f in response.context["page_obj"]}


def _form(customer, **extra):
    """What the create form posts; reported by the customer's owner unless told."""
    data = {
        "customer": customer.pk,
        "reported_by": customer.owner_id,
        "customer_q": f"{customer.code} · {customer.name}",
        "date": today().isoformat(),
        "channel": channel("VISIT").pk,
        "content": "上门了解新项目需求",
    }
    data.update(extra)
    return data


# --- permissions and scope ---------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["sales1", "manager", "admin", "clerk", "researcher", "service", "svcmgr", "exec"]
)
def test_list_and_detail_open_for_every_role_that_may_view(org, login, feedback, role):
    client = login(getattr(org.users, role))
    assert "客户希望下月交货" in html_of(client.get(url("feedback_list")))
    assert "客户希望下月交货" in html_of(client.get(url("feedback_detail", feedback.pk)))


def test_roles_without_the_permission_get_403(org, login, feedback):
    nobody = login(UserFactory(username="nobody", department=org.hq))
    assert nobody.get(url("feedback_list")).status_code == 403
    assert nobody.get(url("feedback_detail", feedback.pk)).status_code == 403
    assert nobody.get(url("feedback_create")).status_code == 403
    executive = login(org.users.exec)  # may view only
    assert executive.get(url("feedback_create")).status_code == 403
    assert executive.get(url("feedback_edit", feedback.pk)).status_code == 403
    assert executive.post(url("feedback_delete", feedback.pk)).status_code == 403
    html = html_of(executive.get(url("feedback_detail", feedback.pk)))
    assert "Delete" not in html and url("feedback_edit", feedback.pk) not in html
    service = login(org.users.service)  # may change, not delete
    assert service.get(url("feedback_edit", feedback.pk)).status_code == 200
    assert service.post(url("feedback_delete", feedback.pk)).status_code == 403
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_out_of_scope_feedback_is_404(org, login, feedback):
    client = login(org.users.sales2)
    for name in ("feedback_detail", "feedback_edit"):
        assert client.get(url(name, feedback.pk)).status_code == 404, name
    assert client.post(url("feedback_delete", feedback.pk)).status_code == 404
    assert (
        client.get(url("feedback_create") + f"?customer={feedback.customer_id}").status_code == 404
    )
    assert contents(client.get(url("feedback_list"))) == set()
    assert login(org.users.manager2).get(url("feedback_detail", feedback.pk)).status_code == 404
    assert login(org.users.manager).get(url("feedback_detail", feedback.pk)).status_code == 200
    assert Feedback.objects.filter(pk=feedback.pk).exists()


# --- recording ---------------------------------------------------------------------------


def test_create_preselects_the_customer_and_defaults_to_the_actor(org, login, customer):
    contact = ContactFactory(customer=customer, name="王工")
    ContactFactory(customer=CustomerFactory(owner=org.users.sales1), name="别家人")
    client = login(org.users.sales1)
    page = client.get(url("feedback_create") + f"?customer={customer.pk}")
    html = html_of(page)
    form = page.context["form"]
    assert 'value="C-FB1 · 宁波模具厂"' in html
    assert list(form.fields["contact"].queryset) == [contact]
    assert form["reported_by"].value() == org.users.sales1.pk
    assert list(form.fields["reported_by"].queryset) == [org.users.sales1]  # own scope
    assert form["date"].value() == today()
    assert set(form.fields["channel"].queryset) == set(WorkMethod.objects.filter(is_active=True))
    assert 'hx-get="' in html and "field=contact" in html
    response = client.post(url("feedback_create"), _form(customer, contact=contact.pk))
    saved = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == url("feedback_detail", saved.pk)
    assert saved.contact == contact and saved.reported_by == org.users.sales1
    assert saved.created_by == org.users.sales1 and saved.channel == channel("VISIT")
    html = html_of(client.get(url("customer_detail", customer.pk) + "?tab=timeline"))
    assert "上门了解新项目需求" in html  # on the customer's timeline


def test_a_researcher_records_feedback_reported_by_a_salesperson(org, login, customer):
    client = login(org.users.researcher)
    page = client.get(url("feedback_create"))
    assert org.users.sales1 in set(page.context["form"].fields["reported_by"].queryset)
    response = client.post(url("feedback_create"), _form(customer, reported_by=org.users.sales1.pk))
    assert response.status_code == 302
    saved = Feedback.objects.get()
    assert saved.reported_by == org.users.sales1 and saved.created_by == org.users.researcher
    html = html_of(client.get(url("feedback_detail", saved.pk)))
    assert "Reported by" in html and str(org.users.sales1) in html
    assert "上门了解新项目需求" in html_of(login(org.users.sales1).get(url("feedback_list")))


def test_refusals_are_shown_next_to_the_field_and_nothing_is_written(org, login, customer):
    other = ContactFactory(customer=CustomerFactory(owner=org.users.sales1), name="别家人")
    client = login(org.users.sales1)
    response = client.post(url("feedback_create"), {"customer": "", "customer_q": ""})
    assert response.status_code == 200
    assert {"customer", "date", "content"} <= set(response.context["form"].errors)
    response = client.post(url("feedback_create"), _form(customer, contact=other.pk))
    assert "contact" in response.context["form"].errors
    tomorrow = (today() + DAY).isoformat()
    response = client.post(url("feedback_create"), _form(customer, date=tomorrow))
    assert response.context["form"].errors["date"] == [
        "Feedback is about a contact that has happened."
    ]
    response = client.post(
        url("feedback_create"), _form(customer, reported_by=org.users.sales1b.pk)
    )
    assert "reported_by" in response.context["form"].errors
    north = CustomerFactory(owner=org.users.sales2, code="C-N1", name="天津轴承")
    response = client.post(url("feedback_create"), _form(north, customer_q="C-N1 · 天津轴承"))
    assert "customer" in response.context["form"].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Feedback.objects.exists()


def test_contact_options_follow_the_customer(org, login, customer):
    ContactFactory(customer=customer, name="王工")
    north = CustomerFactory(owner=org.users.sales2)
    ContactFactory(customer=north, name="北方人")
    client = login(org.users.sales1)
    options = client.get(
        url("service_customer_options"), {"field": "contact", "customer_q": "C-FB1"}
    )
    assert "王工" in html_of(options)
    options = client.get(
        url("service_customer_options"), {"field": "contact", "customer": north.pk}
    )
    assert "北方人" not in html_of(options)  # not a customer sales1 may see
    nobody = login(UserFactory(username="nobody", department=org.hq))
    assert nobody.get(url("service_customer_options"), {"field": "contact"}).status_code == 403


def test_edit_delete_and_history(org, login, feedback):
    client = login(org.users.sales1)
    response = client.post(
        url("feedback_edit", feedback.pk),
        _form(feedback.customer, content="客户确认下月交货", date=feedback.date.isoformat()),
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.content == "客户确认下月交货" and feedback.channel == channel("VISIT")
    html = html_of(client.get(url("feedback_detail", feedback.pk)))
    assert "History" in html and "客户希望下月交货" in html  # the old text in the history
    assert 'data-confirm="Delete this feedback?"' in html
    response = client.post(url("feedback_delete", feedback.pk))
    assert response.status_code == 302 and response["Location"] == url("feedback_list")
    assert not Feedback.objects.filter(pk=feedback.pk).exists()


# --- the list ----------------------------------------------------------------------------


def test_list_filters(org, login, customer):
    other = CustomerFactory(owner=org.users.sales1b, code="C-FB2", name="上海冲压")
    t = today()
    make = services.feedback_create
    make(actor=org.users.sales1, customer=customer, content="电话回访", channel=channel(), date=t)
    make(
        actor=org.users.sales1b,
        customer=other,
        content="上门拜访",
        channel=channel("VISIT"),
        date=t - 10 * DAY,
    )
    make(
        actor=org.users.manager,
        customer=customer,
        content="经理微信",
        channel=channel("WECHAT"),
        date=t - 40 * DAY,
    )
    client = login(org.users.manager)
    lst = url("feedback_list")
    assert contents(client.get(lst)) == {"电话回访", "上门拜访", "经理微信"}
    assert [f.content for f in client.get(lst).context["page_obj"]] == [
        "电话回访",
        "上门拜访",
        "经理微信",
    ]  # newest first
    assert contents(client.get(lst, {"customer": other.pk})) == {"上门拜访"}
    assert contents(client.get(lst, {"customer_q": "C-FB1"})) == {"电话回访", "经理微信"}
    assert contents(client.get(lst, {"channel": channel("WECHAT").pk})) == {"经理微信"}
    assert contents(client.get(lst, {"reported_by": org.users.sales1b.pk})) == {"上门拜访"}
    since = (t - 15 * DAY).isoformat()
    assert contents(client.get(lst, {"date_from": since})) == {"电话回访", "上门拜访"}
    until = (t - 5 * DAY).isoformat()
    assert contents(client.get(lst, {"date_from": since, "date_to": until})) == {"上门拜访"}
    assert contents(client.get(lst, {"q": "微信"})) == {"经理微信"}
    html = html_of(client.get(lst))
    assert "Interaction feedback" in html and "Record feedback" in html
    # a salesperson sees their own customers' feedback and has no "reported by" filter
    sales1 = login(org.users.sales1)
    page = sales1.get(lst)
    assert contents(page) == {"电话回访", "经理微信"}
    assert "reported_by" not in page.context["form"].fields


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["sales1", "manager", "researcher"])
def test_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))
    customer = CustomerFactory(owner=org.users.sales1)

    def add(n):
        for i in range(n):
            services.feedback_create(
                actor=org.users.sales1,
                customer=customer,
                contact=ContactFactory(customer=customer),
                channel=channel(),
                content=f"第{i}次",
                date=today() - i * DAY,
            )

    path = url("feedback_list")
    add(3)
    few = _queries(client, path)
    add(20)
    assert _queries(client, path) == few


def test_pages_in_chinese(org, login, feedback):
    client = login(org.users.sales1, language="zh-hans")
    for page in (url("feedback_list"), url("feedback_detail", feedback.pk), url("feedback_create")):
        html = html_of(client.get(page))
        assert 'lang="zh-Hans"' in html and "客户" in html, page
