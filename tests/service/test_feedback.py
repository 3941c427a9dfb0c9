"""Interaction feedback: who reported it, who may record it for whom, what is refused."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi.common.models import AuditAction, AuditLog
from guanxi.reference.models import WorkMethod
from guanxi.service.models import Feedback
from guanxi.service.services import feedback as fs
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _log(feedback):
    ct = ContentType.objects.get_for_model(Feedback)
    return AuditLog.objects.filter(content_type=ct, object_id=feedback.pk).latest("id")


def test_reported_by_defaults_to_the_actor_and_date_to_today(org, customer):
    contact = ContactFactory(customer=customer, name="王工")
    feedback = fs.feedback_create(
        actor=org.users.sales1,
        customer=customer,
        contact=contact,
        channel=WorkMethod.objects.get(code="PHONE"),
        content="  客户关心交期  ",
    )
    fresh = Feedback.objects.get(pk=feedback.pk)
    assert fresh.reported_by == org.users.sales1 == fresh.created_by == fresh.updated_by
    assert fresh.date == timezone.localdate() and fresh.content == "客户关心交期"
    entry = _log(feedback)
    assert entry.action == AuditAction.CREATE and entry.parent_id == customer.pk
    changes = {c["field"]: c["new"] for c in entry.changes}
    assert changes["reported_by"] == str(org.users.sales1) and changes["channel"] == "电话"


@pytest.mark.parametrize("recorder", ["researcher", "clerk", "admin"])
def test_a_researcher_or_clerk_records_for_someone_else(org, customer, recorder):
    actor = getattr(org.users, recorder)
    feedback = fs.feedback_create(
        actor=actor,
        customer=customer,
        reported_by=org.users.sales2,
        date=timezone.localdate() - datetime.timedelta(days=3),
        content="展会上遇到客户采购",
    )
    assert feedback.reported_by == org.users.sales2 and feedback.created_by == actor


def test_a_salesperson_cannot_name_someone_outside_their_scope(org, customer):
    before = Feedback.objects.count()
    with pytest.raises(ValidationError) as err:
        fs.feedback_create(
            actor=org.users.sales1,
            customer=customer,
            reported_by=org.users.sales1b,
            content="x",
        )
    assert "reported_by" in err.value.message_dict
    assert Feedback.objects.count() == before
    # A manager may name a salesperson of their department tree, not one of another.
    made = fs.feedback_create(
        actor=org.users.manager, customer=customer, reported_by=org.users.sales1b, content="y"
    )
    assert made.reported_by == org.users.sales1b
    with pytest.raises(ValidationError):
        fs.feedback_create(
            actor=org.users.manager, customer=customer, reported_by=org.users.sales2, content="z"
        )


def test_the_reporter_must_be_active(org, customer):
    gone = org.users.sales2
    gone.is_active = False
    gone.save()
    with pytest.raises(ValidationError) as err:
        fs.feedback_create(actor=org.users.clerk, customer=customer, reported_by=gone, content="x")
    assert "reported_by" in err.value.message_dict


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "date"),
        ({"content": "   "}, "content"),
        ({"customer": None}, "customer"),
    ],
)
def test_validation(org, customer, fields, error):
    fields = {"customer": customer, "content": "ok", **fields}
    with pytest.raises(ValidationError) as err:
        fs.feedback_create(actor=org.users.sales1, **fields)
    assert error in err.value.message_dict
    assert not Feedback.objects.exists()


def test_today_is_not_the_future(org, customer):
    fs.feedback_create(
        actor=org.users.sales1, customer=customer, content="x", date=timezone.localdate()
    )


def test_contact_of_another_customer_refused(org, customer):
    other = CustomerFactory(owner=org.users.sales1)
    with pytest.raises(ValidationError) as err:
        fs.feedback_create(
            actor=org.users.sales1,
            customer=customer,
            contact=ContactFactory(customer=other),
            content="x",
        )
    assert "contact" in err.value.message_dict
    assert not Feedback.objects.exists()


def test_customer_out_of_scope_refused(org, customer):
    with pytest.raises(ValidationError) as err:
        fs.feedback_create(actor=org.users.sales2, customer=customer, content="x")
    assert "customer" in err.value.message_dict
    with pytest.raises(PermissionDenied):  # no feedback rights at all
        fs.feedback_create(actor=UserFactory(department=org.hq), customer=customer, content="x")


def test_update_rechecks_what_changed(org, customer):
    feedback = fs.feedback_create(actor=org.users.clerk, customer=customer, content="初稿")
    feedback = fs.feedback_update(
        actor=org.users.clerk, feedback=feedback, content="定稿", reported_by=org.users.sales2
    )
    fresh = Feedback.objects.get(pk=feedback.pk)
    assert fresh.content == "定稿" and fresh.reported_by == org.users.sales2
    assert fresh.updated_by == org.users.clerk
    changes = {c["field"]: (c["old"], c["new"]) for c in _log(feedback).changes}
    assert changes["content"] == ("初稿", "定稿")
    # The salesperson cannot move it to a customer outside their scope, nor date it ahead.
    mine = fs.feedback_create(actor=org.users.sales1, customer=customer, content="拜访")
    north = CustomerFactory(owner=org.users.sales2)
    before = Feedback.objects.values().get(pk=mine.pk)
    for fields in (
        {"customer": north},
        {"date": timezone.localdate() + datetime.timedelta(days=2)},
        {"contact": ContactFactory(customer=north)},
        {"reported_by": org.users.sales2},
    ):
        with pytest.raises(ValidationError):
            fs.feedback_update(actor=org.users.sales1, feedback=mine, **fields)
        assert Feedback.objects.values().get(pk=mine.pk) == before


def test_delete_needs_the_right_and_is_logged(org, customer):
    feedback = fs.feedback_create(actor=org.users.service, customer=customer, content="x")
    with pytest.raises(PermissionDenied):  # the service role has no delete on feedback
        fs.feedback_delete(actor=org.users.service, feedback=feedback)
    fs.feedback_delete(actor=org.users.clerk, feedback=feedback)
    assert not Feedback.objects.exists()
    entry = AuditLog.objects.latest("id")
    assert entry.action == AuditAction.DELETE and entry.parent_id == customer.pk


def test_a_date_as_text(org, customer):
    feedback = fs.feedback_create(
        actor=org.users.sales1, customer=customer, content="x", date="2026-01-05"
    )
    assert Feedback.objects.get(pk=feedback.pk).date == datetime.date(2026, 1, 5)
    for bad in ("2999-01-01", "not a date"):
        with pytest.raises(ValidationError) as err:
            fs.feedback_create(actor=org.users.sales1, customer=customer, content="x", date=bad)
        assert "date" in err.value.message_dict
