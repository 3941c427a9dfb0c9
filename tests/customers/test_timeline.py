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
    with translation.override("zh-hans"):  # the rows were described in Chinese
        won_label = str(OpportunityStatus.WON.label)
    assert won and won[0]["link"] == opp.pk and won[0]["state_label"] == won_label
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


# --- the customer's own kinds and the service kinds (issue 4) ------------------------------


def _service_history(org, customer, n=0):
    """A contact added and edited, the customer edited, feedback, a complaint worked to
    closing, a care action done."""
    from guanxi.customers import services as cs
    from guanxi.reference.models import ComplaintCategory, JobTitle, ServiceRequestType, WorkMethod
    from guanxi.service.services import care as care_
    from guanxi.service.services import feedback as fb
    from guanxi.service.services import requests as rq

    u = org.users
    contact = cs.contact_create(
        actor=u.sales1,
        customer=customer,
        name=f"王工{n}",
        department="采购部",
        job_title=JobTitle.objects.order_by("sort_order").first(),
    )
    cs.contact_update(actor=u.sales1, contact=contact, department="设备部")
    cs.customer_update(actor=u.sales1, customer=customer, notes=f"重点客户{n}")
    fb.feedback_create(
        actor=u.sales1,
        customer=customer,
        contact=contact,
        channel=WorkMethod.objects.get(code="PHONE"),
        content=f"客户反映交期紧{n}",
    )
    request = rq.request_create(
        actor=u.service,
        customer=customer,
        type=ServiceRequestType.objects.get(code="COMPLAINT"),
        complaint_category=ComplaintCategory.objects.get(code="QUALITY"),
        subject=f"刹车片异响{n}",
        assignee=u.service,
    )
    request = rq.request_start(actor=u.service, request=request)
    request = rq.request_resolve(actor=u.service, request=request, resolution="更换批次")
    rq.request_close(actor=u.service, request=request, satisfaction=5)
    action = care_.care_create(
        actor=u.sales1,
        customer=customer,
        kind="follow_up",
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    care_.care_done(actor=u.sales1, action=action, note="客户满意")
    return contact, request, action


def test_the_new_kinds_with_their_headings_and_states(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    contact, request, action = _service_history(org, customer)
    with translation.override("en"):
        rows = describe(customer_timeline(reader=org.users.sales1, customer=customer))
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r)
    assert set(by_kind) == {"contact", "change", "feedback", "service_request", "care_action"}

    (c,) = by_kind["contact"]
    # The contact as it is now (its edit is a change entry of its own).
    assert (c["heading"], c["detail"], c["link"]) == (contact.name, "设备部", customer.pk)
    assert c["extra"] == str(contact.job_title.name_en or contact.job_title.name)
    assert c["kind_label"] == "Contact" and c["person"] == str(org.users.sales1)

    # Changes: the contact's edit and the customer's edit (creations are entries of their own).
    changes = by_kind["change"]
    assert {(r["heading"], r["state"]) for r in changes} == {
        (str(contact.name), "update"),
        (str(customer.name), "update"),
    }
    assert {r["state_label"] for r in changes} == {"Changed"}

    (f,) = by_kind["feedback"]
    assert (f["heading"], f["detail"], f["extra"]) == (contact.name, "客户反映交期紧0", "Phone")
    assert f["day"] == timezone.localdate() and f["person"] == str(org.users.sales1)
    assert f["kind_label"] == "Feedback" and f["state_label"] == ""

    (s,) = by_kind["service_request"]
    assert (s["heading"], s["detail"], s["extra"]) == (request.number, "刹车片异响0", "Complaint")
    assert (s["state"], s["state_label"], s["link"]) == ("closed", "Closed", request.pk)
    assert s["person"] == str(org.users.service)

    (a,) = by_kind["care_action"]
    assert (a["heading"], a["detail"], a["extra"]) == (
        "Follow-up after sale",
        f"Follow up with {customer.name}",
        "客户满意",
    )
    assert (a["state"], a["state_label"], a["link"]) == ("done", "Done", action.pk)
    assert a["day"] == timezone.localdate() - datetime.timedelta(days=1)

    ats = [r["at"] for r in rows]
    assert ats == sorted(ats, reverse=True)
    # Chinese labels in Chinese.
    from guanxi.service.enums import CareKind

    with translation.override("zh-hans"):
        rows = describe(
            customer_timeline(
                reader=org.users.sales1, customer=customer, kinds=["care_action", "feedback"]
            )
        )
        label = str(CareKind.FOLLOW_UP.label)
    assert {r["kind"] for r in rows} == {"care_action", "feedback"}
    care_row = [r for r in rows if r["kind"] == "care_action"][0]
    assert care_row["heading"] == label
    assert [r["extra"] for r in rows if r["kind"] == "feedback"] == ["电话"]


def test_a_customer_marked_lost_and_a_deleted_contact_are_changes(org):
    from guanxi.customers import services as cs

    customer = CustomerFactory(owner=org.users.sales1, status="active")
    contact = cs.contact_create(actor=org.users.sales1, customer=customer, name="李四")
    cs.contact_delete(actor=org.users.sales1, contact=contact)
    cs.customer_mark_lost(actor=org.users.sales1, customer=customer, reason="价格")
    with translation.override("en"):
        rows = describe(
            customer_timeline(reader=org.users.sales1, customer=customer, kinds=["change"])
        )
    assert [(r["state"], r["state_label"]) for r in rows] == [
        ("transition", "Status changed"),
        ("delete", "Deleted"),
    ]


def test_the_new_kinds_follow_their_modules_scope(org):
    """sales1 owns the customer and sees everything about it; sales1b (own scope) only what
    they reported, entered or were given; the researcher has no care module; a North
    salesperson sees only what names them."""
    from guanxi.service.services import feedback as fb
    from tests.service.factories import CareActionFactory, ServiceRequestFactory

    u = org.users
    customer = CustomerFactory(owner=u.sales1, status="active")
    _service_history(org, customer)
    fb.feedback_create(actor=u.clerk, customer=customer, reported_by=u.sales1b, content="b的反馈")
    ServiceRequestFactory(customer=customer, created_by=u.sales1b, subject="b提的请求")
    CareActionFactory(customer=customer, assignee=u.sales1b, title="b的关怀")
    CareActionFactory(customer=customer, assignee=u.sales2, title="北方关怀")
    gone = CustomerFactory(owner=u.sales1, status="active", deleted_at=timezone.now())
    CareActionFactory(customer=gone, assignee=u.sales1, title="回收站")

    def seen(reader, c=customer):
        rows = describe(customer_timeline(reader=reader, customer=c))
        return {
            (r["kind"], r["detail"])
            for r in rows
            if r["kind"] in ("feedback", "service_request", "care_action")
        }

    owner = seen(u.sales1)
    assert ("feedback", "b的反馈") in owner and ("care_action", "北方关怀") in owner
    assert len(owner) == 2 + 2 + 3
    assert seen(u.sales1b) == {
        ("feedback", "b的反馈"),
        ("service_request", "b提的请求"),
        ("care_action", "b的关怀"),
    }
    assert seen(u.sales2) == {("care_action", "北方关怀")}
    assert seen(u.manager) == owner
    researcher = {
        r["kind"] for r in describe(customer_timeline(reader=u.researcher, customer=customer))
    }
    assert "care_action" not in researcher and "feedback" in researcher
    assert "care_action" not in visible_kinds(reader=u.researcher, customer=customer)
    assert seen(u.admin, gone) == set()
    # Contacts follow the customer scope: sales1b does not see the contact entries.
    assert "contact" not in {
        r["kind"] for r in describe(customer_timeline(reader=u.sales1b, customer=customer))
    }


@pytest.mark.parametrize("role", ["sales1", "manager", "admin", "service", "svcmgr"])
def test_timeline_with_the_new_kinds_is_a_fixed_number_of_queries(org, login, role):
    from django.urls import reverse

    customer = CustomerFactory(owner=org.users.sales1, status="active")
    client = login(getattr(org.users, role))
    path = reverse("web:customer_detail", args=[customer.pk]) + "?tab=timeline"
    _history(org, customer)
    _service_history(org, customer)
    few, _response = _page_queries(client, path)
    for n in range(1, 4):
        _history(org, customer)
        _service_history(org, customer, n)
    many, response = _page_queries(client, path)
    assert len(response.context["timeline_rows"]) == 20
    assert few == many, (few, many)
    # A filtered page too.
    few_f, _ = _page_queries(client, path + "&kind=service_request&kind=care_action")
    assert few_f <= many


def test_generated_care_actions_say_what_they_are_about(org):
    from guanxi.reference.models import Holiday
    from guanxi.service.scheduled import run_scheduled
    from tests.factories import ContactFactory

    Holiday.objects.update(is_active=False)
    today = timezone.localdate()
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    soon = today + datetime.timedelta(days=2)
    Holiday.objects.create(
        code="T", name="测试节", name_en="Test day", month=soon.month, day=soon.day
    )
    ContactFactory(
        customer=customer,
        name="赵经理",
        birthday=datetime.date(1980, soon.month, soon.day),  # 1980: a leap year
    )
    contract = ContractFactory(
        customer=customer,
        owner=org.users.sales1,
        status="completed",
        completed_on=today - datetime.timedelta(days=29),
    )
    run_scheduled()
    with translation.override("en"):
        rows = describe(
            customer_timeline(reader=org.users.sales1, customer=customer, kinds=["care_action"])
        )
    about = {r["heading"]: r["detail"] for r in rows}
    assert about == {
        "Holiday greeting": "Test day",
        "Birthday greeting": "赵经理",
        "Follow-up after sale": contract.number,
    }
