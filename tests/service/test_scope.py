"""Who sees which feedback, request and care action: a record is visible when the reader's
scope for the module covers any of the people on it; a deleted customer's are nobody's."""

import datetime

import pytest
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from guanxi.accounts.enums import Module
from guanxi.accounts.scoping import NOTHING, any_owner_scope_q
from guanxi.service import selectors as sel
from tests.factories import CustomerFactory, UserFactory

from .factories import (
    CareActionFactory,
    FeedbackFactory,
    ServiceRequestFactory,
    complaint_category,
    request_type,
)

pytestmark = pytest.mark.django_db

D = datetime.timedelta(days=1)


@pytest.fixture
def people(org):
    u = org.users
    c1 = CustomerFactory(owner=u.sales1, status="active", name="东一")
    c1b = CustomerFactory(owner=u.sales1b, status="active", name="东二")
    c2 = CustomerFactory(owner=u.sales2, status="active", name="北一")
    gone = CustomerFactory(owner=u.sales1, status="active", deleted_at=timezone.now())
    return c1, c1b, c2, gone


def _visible(rows):
    return {r.subject if hasattr(r, "subject") else r.content for r in rows}


# reader → expected visible records, for each module
FEEDBACK = {
    "sales1": {"f1", "f3"},
    "sales1b": {"f4"},
    "manager": {"f1", "f3", "f4"},
    "manager2": {"f2", "f3"},
    "sales2": {"f2", "f3"},
    "admin": {"f1", "f2", "f3", "f4"},
    "clerk": {"f1", "f2", "f3", "f4"},
    "researcher": {"f1", "f2", "f3", "f4"},
    "service": {"f1", "f2", "f3", "f4"},
    "svcmgr": {"f1", "f2", "f3", "f4"},
    "exec": {"f1", "f2", "f3", "f4"},
}


@pytest.mark.parametrize(("who", "expected"), FEEDBACK.items())
def test_feedback_scope(org, people, who, expected):
    u = org.users
    c1, c1b, c2, gone = people
    f1 = FeedbackFactory(customer=c1, reported_by=u.sales1, content="f1")
    FeedbackFactory(customer=c2, reported_by=u.sales2, created_by=u.clerk, content="f2")
    FeedbackFactory(customer=c2, reported_by=u.sales1, content="f3")  # sales1 was there
    FeedbackFactory(customer=c1b, reported_by=u.sales1b, content="f4")
    hidden = FeedbackFactory(customer=gone, reported_by=u.sales1, content="gone")
    reader = getattr(u, who)
    assert _visible(sel.feedback_list(reader=reader)) == expected
    with pytest.raises(Http404):
        sel.access_feedback(reader=reader, pk=hidden.pk)
    if "f1" in expected:
        assert sel.access_feedback(reader=reader, pk=f1.pk) == f1
    else:
        with pytest.raises(Http404):
            sel.access_feedback(reader=reader, pk=f1.pk)


REQUESTS = {
    "sales1": {"r1", "r3"},
    "sales1b": {"r4"},
    "manager": {"r1", "r3", "r4"},
    "manager2": {"r2", "r3"},
    "sales2": {"r2", "r3"},
    "service": {"r1", "r2", "r3", "r4"},
    "svcmgr": {"r1", "r2", "r3", "r4"},
    "researcher": {"r1", "r2", "r3", "r4"},
    "clerk": {"r1", "r2", "r3", "r4"},
    "exec": {"r1", "r2", "r3", "r4"},
    "admin": {"r1", "r2", "r3", "r4"},
}


@pytest.mark.parametrize(("who", "expected"), REQUESTS.items())
def test_request_scope(org, people, who, expected):
    u = org.users
    c1, c1b, c2, gone = people
    r1 = ServiceRequestFactory(customer=c1, created_by=u.service, subject="r1")
    ServiceRequestFactory(customer=c2, assignee=u.service, status="assigned", subject="r2")
    ServiceRequestFactory(customer=c2, created_by=u.sales1, subject="r3")
    ServiceRequestFactory(customer=c1b, subject="r4")
    hidden = ServiceRequestFactory(customer=gone, created_by=u.sales1, subject="gone")
    reader = getattr(u, who)
    assert _visible(sel.request_list(reader=reader)) == expected
    with pytest.raises(Http404):
        sel.access_request(reader=reader, pk=hidden.pk)
    if "r1" in expected:
        assert sel.access_request(reader=reader, pk=r1.pk) == r1
    else:
        with pytest.raises(Http404):
            sel.access_request(reader=reader, pk=r1.pk)


def test_an_agent_of_an_own_scope_sees_their_queue(org, people):
    """An agent whose role were limited to their own records still sees what is assigned to
    them and what they entered, nothing else."""
    from guanxi.accounts.models import Role

    c1, _c1b, c2, _gone = people
    role = Role.objects.get(code="service")
    role.scope = "own"
    role.save()
    agent = UserFactory(username="own_agent", department=org.north, roles=[role])
    ServiceRequestFactory(customer=c1, assignee=agent, status="assigned", subject="mine")
    ServiceRequestFactory(customer=c2, created_by=agent, subject="entered")
    ServiceRequestFactory(customer=c2, subject="other")
    assert _visible(sel.request_list(reader=agent)) == {"mine", "entered"}
    assert _visible(sel.my_queue(reader=agent)) == {"mine"}


CARE = {
    "sales1": {"a1", "a3"},
    "sales1b": {"a4"},
    "manager": {"a1", "a3", "a4"},
    "manager2": {"a2", "a3"},
    "service": {"a1", "a2", "a3", "a4"},
    "clerk": {"a1", "a2", "a3", "a4"},
    "researcher": set(),  # no care module
    "admin": {"a1", "a2", "a3", "a4"},
}


@pytest.mark.parametrize(("who", "expected"), CARE.items())
def test_care_scope(org, people, who, expected):
    u = org.users
    c1, c1b, c2, gone = people
    a1 = CareActionFactory(customer=c1, assignee=u.sales1, title="a1")
    CareActionFactory(customer=c2, assignee=u.sales2, title="a2")
    CareActionFactory(customer=c2, assignee=u.sales1, title="a3")
    CareActionFactory(customer=c1b, assignee=u.sales1b, title="a4")
    hidden = CareActionFactory(customer=gone, assignee=u.sales1, title="gone")
    reader = getattr(u, who)
    rows = sel.care_list(reader=reader, view="all")
    assert {a.title for a in rows} == expected
    with pytest.raises(Http404):
        sel.access_care(reader=reader, pk=hidden.pk)
    if "a1" in expected:
        assert sel.access_care(reader=reader, pk=a1.pk) == a1
    else:
        with pytest.raises(Http404):
            sel.access_care(reader=reader, pk=a1.pk)


def test_any_owner_scope_q_shapes(org):
    u = org.users
    fields = ("assignee", "customer__owner")
    assert any_owner_scope_q(u.admin, Module.SERVICE_REQUESTS, fields) == Q()
    assert any_owner_scope_q(u.researcher, Module.CARE, fields) == NOTHING
    nobody = UserFactory(department=org.hq)
    assert any_owner_scope_q(nobody, Module.FEEDBACK, fields) == NOTHING
    own = any_owner_scope_q(u.sales1, Module.CARE, fields)
    assert own != NOTHING and own != Q()


@pytest.mark.parametrize("pk", ["abc", None, "", "1.5", 10**9])
def test_access_with_a_bad_id_is_a_404(org, pk):
    for access in (sel.access_feedback, sel.access_request, sel.access_care):
        with pytest.raises(Http404):
            access(reader=org.users.admin, pk=pk)


# --- queues and list filters ------------------------------------------------------------------


def test_my_queue_and_team_queue(org, people):
    u = org.users
    c1, _c1b, c2, _gone = people
    now = timezone.now()
    later = ServiceRequestFactory(
        customer=c1, assignee=u.service, status="assigned", due_at=now + 5 * D, subject="later"
    )
    sooner = ServiceRequestFactory(
        customer=c2, assignee=u.service, status="in_progress", due_at=now + D, subject="sooner"
    )
    ServiceRequestFactory(
        customer=c2, assignee=u.service, status="resolved", resolved_at=now, subject="done"
    )
    free = ServiceRequestFactory(customer=c2, due_at=now + 9 * D, subject="free")
    assert list(sel.my_queue(reader=u.service)) == [sooner, later]
    assert list(sel.team_queue(reader=u.svcmgr)) == [free, sooner, later]
    assert list(sel.team_queue(reader=u.svcmgr, assignee="none")) == [free]
    assert list(sel.team_queue(reader=u.svcmgr, assignee=u.service.pk)) == [sooner, later]
    assert list(sel.team_queue(reader=u.service)) == []  # not a dispatcher
    assert sel.can_dispatch(u.svcmgr) and sel.can_dispatch(u.admin)
    assert not sel.can_dispatch(u.service) and not sel.can_dispatch(u.manager)


def test_request_list_filters(org, people):
    u = org.users
    c1, _c1b, c2, _gone = people
    repair = ServiceRequestFactory(customer=c1, subject="repair", priority="low")
    complaint = ServiceRequestFactory(
        customer=c2,
        subject="complaint",
        type=request_type("COMPLAINT"),
        complaint_category=complaint_category(),
        priority="urgent",
        assignee=u.service,
        status="in_progress",
    )
    closed = ServiceRequestFactory(
        customer=c2, subject="closed", status="closed", created_at=timezone.now() - 40 * D
    )

    def subjects(**filters):
        return [r.subject for r in sel.request_list(reader=u.admin, filters=filters)]

    assert set(subjects(status="open")) == {"repair", "complaint"}
    assert subjects(status="closed") == ["closed"]
    assert set(subjects(status=["new", "closed", "bogus"])) == {"repair", "closed"}
    assert set(subjects(status="bogus")) == {"repair", "complaint", "closed"}
    assert subjects(complaint="yes") == ["complaint"]
    assert set(subjects(complaint="0")) == {"repair", "closed"}
    assert set(subjects(assignee="none")) == {"repair", "closed"}
    assert subjects(assignee=u.service.pk) == ["complaint"]
    assert subjects(priority="urgent") == ["complaint"]
    assert subjects(customer=c1.pk) == ["repair"]
    assert subjects(created_to=(timezone.localdate() - 30 * D).isoformat()) == ["closed"]
    assert set(subjects(created_from=timezone.localdate())) == {"repair", "complaint"}
    assert subjects(created_from="not a date", customer=c1.pk) == ["repair"]
    searched = sel.request_list(reader=u.admin, search=c1.name)
    assert [r.pk for r in searched] == [repair.pk]
    by_priority = sel.request_list(reader=u.admin, ordering="priority")
    assert [r.subject for r in by_priority][0] == "complaint"
    assert list(sel.request_list(reader=u.admin, ordering="DROP TABLE")) == [
        closed,
        complaint,
        repair,
    ]


def test_care_list_views(org, people):
    u = org.users
    c1, _c1b, _c2, _gone = people
    today = timezone.localdate()
    overdue = CareActionFactory(customer=c1, due_date=today - 2 * D, title="overdue")
    due = CareActionFactory(customer=c1, due_date=today, title="today", kind="birthday")
    ahead = CareActionFactory(customer=c1, due_date=today + D, title="ahead")
    done = CareActionFactory(
        customer=c1, due_date=today, title="done", status="done", finished_at=timezone.now()
    )

    def titles(view, **kw):
        return [a.title for a in sel.care_list(reader=u.sales1, view=view, today=today, **kw)]

    assert titles("due") == ["overdue", "today"]
    assert titles("upcoming") == ["ahead"]
    assert titles("done") == ["done"]
    assert set(titles("all")) == {"overdue", "today", "ahead", "done"}
    assert titles("due", filters={"kind": "birthday"}) == ["today"]
    assert titles("all", filters={"status": "done"}) == ["done"]
    assert titles("all", search="ahea") == ["ahead"]
    assert {overdue, due, ahead, done} == set(sel.care_list(reader=u.sales1, view="all"))


def test_feedback_list_filters(org, people):
    u = org.users
    c1, _c1b, c2, _gone = people
    today = timezone.localdate()
    FeedbackFactory(customer=c1, reported_by=u.sales1, date=today - 10 * D, content="旧")
    FeedbackFactory(customer=c2, reported_by=u.sales2, date=today, content="新")

    def contents(**filters):
        return [f.content for f in sel.feedback_list(reader=u.admin, filters=filters)]

    assert contents() == ["新", "旧"]
    assert contents(reported_by=u.sales1.pk) == ["旧"]
    assert contents(customer=c2.pk) == ["新"]
    assert contents(date_from=(today - D).isoformat()) == ["新"]
    assert contents(date_to=today - D) == ["旧"]
    assert [f.content for f in sel.feedback_list(reader=u.admin, search="北一")] == ["新"]
