"""The demo's service, care and market data: requests in every status and due-time state,
scores on the closed ones, care actions done, skipped and to do, lost customers with their
reasons, news and competitors — all dated in the past, the same for the same seed, and the
scheduled work already done for today."""

import datetime
import random
import statistics

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.demo.loader import load_demo
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Customer
from guanxi.market.models import Competitor, IndustryNews
from guanxi.notifications.models import Notification
from guanxi.reference.models import ServiceRequestType
from guanxi.sales.enums import ACTIVE_CUSTOMER_STATUSES
from guanxi.sales.models import Contract
from guanxi.service.demo import _ServiceDemo
from guanxi.service.enums import OPEN_STATUSES, CareKind, CareStatus, Priority, RequestStatus
from guanxi.service.models import CareAction, Feedback, ServiceRequest
from guanxi.service.scheduled import run_scheduled

pytestmark = pytest.mark.django_db

CUSTOMERS = 40


def test_demo_service_data():
    """One load, checked from several sides."""
    result = load_demo(customers=CUSTOMERS)
    check_requests(result)
    check_feedback()
    check_care_and_lost_customers()
    check_market()
    check_dated_in_the_past()
    check_notifications_and_scheduled_work()


def check_requests(result):
    now = timezone.now()
    requests = list(ServiceRequest.objects.select_related("type", "assignee", "created_by"))
    assert result["service_requests"] == len(requests) >= CUSTOMERS * 0.6
    assert {r.status for r in requests} == set(RequestStatus.values)
    assert {r.priority for r in requests} == set(Priority.values)
    assert {r.type.code for r in requests} == set(
        ServiceRequestType.objects.values_list("code", flat=True)
    )
    assert all(r.complaint_category_id for r in requests if r.type.is_complaint)
    assert not any(r.complaint_category_id for r in requests if not r.type.is_complaint)
    assert any(r.reopen_count for r in requests if r.status == RequestStatus.CLOSED)
    assert any(r.reopen_count for r in requests if r.status in OPEN_STATUSES)

    # Due times as the settings give them; late ones resolved and open ones late now, some at
    # risk now, and open work on time in both queues.
    hours = {"urgent": 4, "high": 8, "normal": 24, "low": 72}
    for r in requests:
        assert r.due_at - r.created_at == datetime.timedelta(hours=hours[r.priority])
    states = {(r.status, r.sla_state(now)) for r in requests}
    assert ("closed", "breached") in states and ("closed", "on_time") in states
    for status in ("new", "assigned", "in_progress"):
        assert {(status, "on_time"), (status, "at_risk"), (status, "breached")} <= states
    assert result["breached_requests"] == sum(r.sla_state(now) == "breached" for r in requests)
    open_ = [r for r in requests if r.status in OPEN_STATUSES]
    assert {r.assignee.username for r in open_ if r.assignee} == {"service", "svcmgr"}
    assert any(r.assignee is None for r in open_)
    assert all(r.assignee is None for r in requests if r.status == RequestStatus.NEW)
    assert {r.created_by.username for r in requests} >= {"service", "svcmgr"}

    # Resolution and scores: a resolution on every resolved one, a score 1-5 on every closed
    # one, with comments; none on the others.
    for r in requests:
        if r.status in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
            assert r.resolution and r.resolved_at
        if r.status == RequestStatus.CLOSED:
            assert 1 <= r.satisfaction <= 5 and r.closed_at >= r.resolved_at
        else:
            assert r.satisfaction is None
    closed = [r for r in requests if r.status == RequestStatus.CLOSED]
    assert len({r.satisfaction for r in closed}) >= 4
    assert any(r.satisfaction_comment for r in closed)
    # Numbered by the year they were opened, in order.
    for r in requests:
        assert r.number.startswith(f"SR-{timezone.localtime(r.created_at):%Y}-")


def check_feedback():
    feedback = Feedback.objects.select_related("reported_by", "created_by", "channel")
    assert feedback.count() >= CUSTOMERS * 1.5
    assert not feedback.filter(content="").exists()
    assert feedback.exclude(reported_by=F("created_by")).exists()  # typed in for someone
    assert {f.created_by.username for f in feedback} >= {"clerk", "researcher", "sales1"}
    assert len({f.channel.code for f in feedback if f.channel}) >= 5
    assert not feedback.filter(created_at__date__lt=F("date")).exists()
    dates = list(feedback.values_list("date", flat=True))
    assert max(dates) - min(dates) > datetime.timedelta(days=365)


def check_care_and_lost_customers():
    actions = CareAction.objects.all()
    assert set(actions.values_list("status", flat=True)) == set(CareStatus.values)
    assert set(actions.values_list("kind", flat=True)) == set(CareKind.values)
    finished = actions.exclude(status=CareStatus.PENDING)
    assert not finished.filter(note="").exists()
    assert not finished.filter(finished_at=None).exists()
    assert not finished.filter(finished_at__lt=F("created_at")).exists()
    # Generated ones carry their key (the scheduler does not make them again).
    generated = actions.exclude(kind=CareKind.WIN_BACK)
    assert not generated.filter(key=None).exists()
    assert actions.filter(
        status=CareStatus.PENDING, due_date__lt=timezone.localdate()
    ).exists()  # overdue

    lost = Customer.objects.filter(status=CustomerStatus.LOST)
    assert lost.count() >= 3
    assert not lost.filter(lost_reason="").exists() and not lost.filter(lost_at=None).exists()
    live = Contract.objects.filter(status__in=ACTIVE_CUSTOMER_STATUSES).values("customer")
    assert not lost.filter(pk__in=live).exists()
    win_back = actions.filter(kind=CareKind.WIN_BACK)
    assert not win_back.exclude(customer__status=CustomerStatus.LOST).exists()
    assert win_back.filter(status=CareStatus.PENDING, due_date__gte=timezone.localdate()).exists()
    # Marked lost by someone, after they were entered; nothing recorded for them afterwards.
    for customer in lost:
        assert customer.lost_at > customer.created_at
        assert not customer.feedback.filter(date__gt=customer.lost_at.date()).exists()
        assert not customer.service_requests.filter(created_at__gt=customer.lost_at).exists()


def check_market():
    news = IndustryNews.objects.all()
    assert 30 <= news.count() <= 60
    assert not news.filter(tags="").exists()
    assert news.filter(competitors__isnull=False).exists()
    assert news.exclude(industry=None).exists()
    days = list(news.values_list("published_on", flat=True))
    assert max(days) - min(days) > datetime.timedelta(days=600)
    assert Competitor.objects.filter(opportunities__isnull=False).exists()
    assert Competitor.objects.filter(news__isnull=False).exists()


def check_dated_in_the_past():
    """Nothing the demo did is dated on the day of the load."""
    today = timezone.localdate()
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    entries = AuditLog.objects.exclude(action=AuditAction.IMPORT)
    assert not entries.filter(at__gte=start_of_today).exists()
    for model in (Feedback, ServiceRequest, IndustryNews):
        assert not model.objects.filter(created_at__gte=start_of_today).exists(), model
    assert not CareAction.objects.filter(finished_at__gte=start_of_today).exists()
    for r in ServiceRequest.objects.all():
        history = list(
            AuditLog.objects.filter(content_type__model="servicerequest", object_id=r.pk).order_by(
                "at", "pk"
            )
        )
        assert history[0].action == AuditAction.CREATE and history[0].at == r.created_at
        assert history[-1].at == r.updated_at
        assert all(e.object_repr.startswith(r.number) for e in history)
        due = {c["field"]: c["new"] for c in history[0].changes}["due_at"]
        assert datetime.datetime.fromisoformat(due) == r.due_at


def check_notifications_and_scheduled_work():
    notifications = Notification.objects.all()
    for username in ("service", "svcmgr", "sales1"):
        assert notifications.filter(recipient__username=username, read_at=None).exists()
    assert notifications.exclude(read_at=None).exists()  # old ones read
    assert not notifications.filter(created_at__gt=timezone.now()).exists()
    # The scheduled work has run for today: running it again makes nothing new.
    assert set(run_scheduled().values()) == {0}


def fingerprint(result):
    return {
        "result": result,
        "requests": sorted(
            ServiceRequest.objects.values_list(
                "number", "customer__name", "type__code", "priority", "status", "satisfaction"
            )
        ),
        "feedback": sorted(
            Feedback.objects.values_list("date", "customer__name", "reported_by__username")
        ),
        "care": sorted(
            CareAction.objects.values_list("kind", "status", "due_date", "customer__name", "note")
        ),
        "news": sorted(IndustryNews.objects.values_list("published_on", "title")),
        "lost": sorted(Customer.objects.filter(status="lost").values_list("name", "lost_reason")),
    }


class _Undo(Exception):
    pass


def load_and_undo(seed):
    found = []
    with pytest.raises(_Undo), transaction.atomic():
        found.append(fingerprint(load_demo(customers=12, seed=seed)))
        raise _Undo
    return found[0]


def test_the_same_seed_gives_the_same_demo():
    first = load_and_undo(5)
    assert first["requests"] and first["feedback"] and first["care"]
    assert load_and_undo(5) == first


def test_complaints_score_lower_and_trouble_lowers_scores():
    demo = _ServiceDemo.__new__(_ServiceDemo)
    demo.rng = random.Random(1)

    def mean(code, troubled):
        return statistics.mean(demo.score(code, troubled) for _ in range(2000))

    assert mean("COMPLAINT", False) + 1 < mean("REPAIR", False)
    assert mean("COMPLAINT", True) < mean("COMPLAINT", False)
    assert mean("REPAIR", True) < mean("REPAIR", False)
