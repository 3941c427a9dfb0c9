"""Due time from the priority (calendar hours from the opening moment), the at-risk moment,
and the three SLA states — the model's verdict and the list filter agree at every boundary."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.service.enums import SlaState
from guanxi.service.models import ServiceRequest, ServiceSettings
from guanxi.service.selectors import request_list, service_settings, sla_q, team_load
from guanxi.service.services import care
from guanxi.service.services import requests as rs

from .factories import ServiceRequestFactory, request_type

pytestmark = pytest.mark.django_db

H = datetime.timedelta(hours=1)
OPENED = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
DEFAULT_HOURS = {"urgent": 4, "high": 8, "normal": 24, "low": 72}


@pytest.mark.parametrize(("priority", "hours"), DEFAULT_HOURS.items())
def test_default_due_time_per_priority(db, priority, hours):
    due, at_risk = rs.due_times(OPENED, priority)
    assert due == OPENED + hours * H
    # At risk when a quarter of the time is left.
    assert at_risk == due - hours * H / 4


CHANGED = {"urgent": 2, "high": 6, "normal": 10, "low": 40}


@pytest.mark.parametrize(("priority", "hours"), CHANGED.items())
def test_changed_hours_and_share(org, customer, priority, hours):
    care.service_settings_update(
        actor=org.users.admin, at_risk_percent=50, **{f"hours_{p}": h for p, h in CHANGED.items()}
    )
    due, at_risk = rs.due_times(OPENED, priority)
    assert due == OPENED + hours * H and at_risk == OPENED + hours * H / 2
    request = rs.request_create(
        actor=org.users.service,
        customer=customer,
        type=request_type(),
        subject="x",
        priority=priority,
    )
    assert request.due_at == request.created_at + hours * H
    assert request.at_risk_at == request.created_at + hours * H / 2


def test_settings_object_can_be_passed_in(db):
    settings = ServiceSettings(hours_high=3, at_risk_percent=10)
    due, at_risk = rs.due_times(OPENED, "high", settings)
    assert due == OPENED + 3 * H and at_risk == due - 3 * H / 10


def test_new_hours_do_not_move_existing_due_times(org, customer):
    request = rs.request_create(
        actor=org.users.service, customer=customer, type=request_type(), subject="x"
    )
    care.service_settings_update(actor=org.users.admin, hours_normal=48)
    assert ServiceRequest.objects.get(pk=request.pk).due_at == request.due_at


def test_a_priority_change_recounts_from_the_opening_moment(org, customer):
    request = rs.request_create(
        actor=org.users.service, customer=customer, type=request_type(), subject="x"
    )
    opened = timezone.now() - 10 * H
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=opened)
    request = rs.request_update(actor=org.users.service, request=request, priority="urgent")
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.due_at == opened + 4 * H and fresh.at_risk_at == opened + 3 * H
    assert fresh.created_at == opened
    # Now breached: an urgent request opened ten hours ago.
    assert fresh.sla_state(timezone.now()) == SlaState.BREACHED
    request = rs.request_update(actor=org.users.service, request=fresh, priority="low")
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.due_at == opened + 72 * H
    # An edit that does not touch the priority leaves the due time alone.
    ServiceRequest.objects.filter(pk=request.pk).update(due_at=opened + 99 * H)
    rs.request_update(actor=org.users.service, request=fresh, subject="新主题")
    assert ServiceRequest.objects.get(pk=request.pk).due_at == opened + 99 * H


# --- the SLA boundaries ---------------------------------------------------------------------

DUE = OPENED + 24 * H
AT_RISK = OPENED + 18 * H
TICK = datetime.timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("resolved_at", "now", "expected"),
    [
        (None, OPENED, SlaState.ON_TIME),
        (None, AT_RISK - TICK, SlaState.ON_TIME),
        (None, AT_RISK, SlaState.AT_RISK),
        (None, AT_RISK + H, SlaState.AT_RISK),
        (None, DUE - TICK, SlaState.AT_RISK),
        (None, DUE, SlaState.AT_RISK),  # due at 10:00 is still on time at 10:00
        (None, DUE + TICK, SlaState.BREACHED),
        (None, DUE + 100 * H, SlaState.BREACHED),
        # A resolved request keeps the verdict of its resolution, whenever it is read.
        (OPENED + H, DUE + 100 * H, SlaState.ON_TIME),
        (AT_RISK + H, AT_RISK + 2 * H, SlaState.ON_TIME),
        (DUE, DUE + H, SlaState.ON_TIME),
        (DUE + TICK, DUE + H, SlaState.BREACHED),
        (DUE + H, OPENED + H, SlaState.BREACHED),
    ],
)
def test_sla_state_and_sla_q_agree(org, resolved_at, now, expected):
    request = ServiceRequestFactory(
        created_at=OPENED,
        due_at=DUE,
        at_risk_at=AT_RISK,
        resolved_at=resolved_at,
        status="resolved" if resolved_at else "assigned",
    )
    assert request.sla_state(now) == expected
    fresh = ServiceRequest.objects.get(pk=request.pk)
    assert fresh.sla_state(now) == expected
    matching = {
        state
        for state in SlaState.values
        if ServiceRequest.objects.filter(sla_q(state, now), pk=request.pk).exists()
    }
    assert matching == {expected}
    # The list filter is the same rule.
    listed = request_list(reader=org.users.admin, filters={"sla": expected}, now=now)
    assert list(listed.values_list("pk", flat=True)) == [request.pk]


def test_unknown_sla_filter_is_no_filter(org):
    request = ServiceRequestFactory(created_at=OPENED, due_at=DUE, at_risk_at=AT_RISK)
    assert ServiceRequest.objects.filter(sla_q("nope", DUE)).get() == request
    assert list(request_list(reader=org.users.admin, filters={"sla": "nope"})) == [request]


def test_team_load_counts_at_risk_and_breached_like_sla_state(org):
    u = org.users
    now = timezone.now()
    ServiceRequestFactory(
        assignee=u.service, status="assigned", due_at=now - H, at_risk_at=now - 2 * H
    )
    ServiceRequestFactory(assignee=u.service, status="assigned", due_at=now + H, at_risk_at=now)
    ServiceRequestFactory(
        assignee=u.service, status="in_progress", due_at=now + 9 * H, at_risk_at=now + 8 * H
    )
    ServiceRequestFactory(due_at=now + 9 * H, at_risk_at=now + 8 * H)  # unassigned
    ServiceRequestFactory(  # closed: not counted
        assignee=u.service, status="closed", due_at=now - H, at_risk_at=now - 2 * H
    )
    load = {row["assignee_id"]: row for row in team_load(reader=u.svcmgr)}
    assert (load[u.service.pk]["open"], load[u.service.pk]["breached"]) == (3, 1)
    assert load[u.service.pk]["at_risk"] == 1
    assert load[None]["open"] == 1
    assert list(load) == [None, u.service.pk]  # unassigned first
    assert team_load(reader=u.service) == []  # an agent does not dispatch


# --- the service settings -------------------------------------------------------------------


def test_settings_are_one_row_made_on_first_read(db):
    assert ServiceSettings.objects.count() == 0
    settings = service_settings()
    assert (settings.hours_urgent, settings.hours_high, settings.hours_normal) == (4, 8, 24)
    assert (settings.hours_low, settings.at_risk_percent, settings.churn_days) == (72, 25, 180)
    assert (settings.follow_up_days, settings.care_lead_days) == (30, 7)
    assert service_settings().pk == settings.pk and ServiceSettings.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"hours_urgent": 10, "hours_high": 8}, "hours_urgent"),
        ({"hours_normal": 100}, "hours_normal"),  # above low (72)
        ({"hours_urgent": 0}, "hours_urgent"),
        ({"at_risk_percent": 0}, "at_risk_percent"),
        ({"at_risk_percent": 100}, "at_risk_percent"),
        ({"churn_days": 0}, "churn_days"),
        ({"follow_up_days": 0}, "follow_up_days"),
        ({"care_lead_days": 61}, "care_lead_days"),
        ({"hours_low": "abc"}, "hours_low"),
    ],
)
def test_settings_validation_changes_nothing(org, fields, error):
    before = ServiceSettings.objects.values().get(pk=service_settings().pk)
    with pytest.raises(ValidationError) as err:
        care.service_settings_update(actor=org.users.admin, **fields)
    assert error in err.value.message_dict
    assert ServiceSettings.objects.values().get(pk=before["id"]) == before


def test_settings_accept_equal_hours_and_text_from_a_form(org):
    settings = care.service_settings_update(
        actor=org.users.admin,
        hours_urgent="8",
        hours_high="8",
        hours_normal="16",
        hours_low="100",
        churn_days="90",
    )
    fresh = ServiceSettings.objects.get(pk=settings.pk)
    assert (fresh.hours_urgent, fresh.hours_high, fresh.hours_normal, fresh.hours_low) == (
        8,
        8,
        16,
        100,
    )
    assert fresh.churn_days == 90 and fresh.updated_by == org.users.admin


def test_settings_need_the_reference_right(org):
    with pytest.raises(PermissionDenied):
        care.service_settings_update(actor=org.users.svcmgr, hours_low=100)
    with pytest.raises(TypeError):
        care.service_settings_update(actor=org.users.admin, nope=1)
