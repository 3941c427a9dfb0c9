"""Interaction feedback (交往反馈): who talked with the customer, when, how, and what came of
it. A researcher or clerk may record what someone else reported and name them."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.sales.services.common import assign, check_customer, check_owner

from ..models import Feedback
from ..search import feedback_text_now

FIELDS = {"customer", "contact", "date", "channel", "content", "reported_by"}


def _check(feedback: Feedback) -> None:
    if feedback.date and not isinstance(feedback.date, datetime.date):  # text from a caller
        try:
            feedback.date = Feedback._meta.get_field("date").to_python(feedback.date)
        except ValidationError as exc:
            raise ValidationError({"date": exc.messages}) from None
    if feedback.contact_id and feedback.contact.customer_id != feedback.customer_id:
        raise ValidationError({"contact": _("This contact belongs to another customer.")})
    if feedback.date and feedback.date > clock.localdate():
        raise ValidationError({"date": _("Feedback is about a contact that has happened.")})
    feedback.content = (feedback.content or "").strip()
    if not feedback.content:
        raise ValidationError({"content": _("Say what was discussed.")})


@transaction.atomic
def feedback_create(*, actor: Any, **fields: Any) -> Feedback:
    require(actor, Module.FEEDBACK, Action.CREATE)
    fields.setdefault("reported_by", actor)
    fields.setdefault("date", clock.localdate())
    feedback = Feedback()
    assign(feedback, fields, FIELDS)
    feedback.customer = check_customer(actor, feedback.customer_id and feedback.customer)
    check_owner(actor, Module.FEEDBACK, feedback.reported_by, field="reported_by")
    _check(feedback)
    feedback.search_text = feedback_text_now(feedback)
    stamp(feedback, actor, new=True)
    feedback.full_clean()
    feedback.save()
    log_create(user=actor, instance=feedback, parent=feedback.customer)
    return feedback


@transaction.atomic
def feedback_update(*, actor: Any, feedback: Feedback, **fields: Any) -> Feedback:
    require(actor, Module.FEEDBACK, Action.CHANGE)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    before = snapshot(feedback)
    old_customer_id, old_reporter_id = feedback.customer_id, feedback.reported_by_id
    assign(feedback, fields, FIELDS)
    if feedback.customer_id != old_customer_id:
        feedback.customer = check_customer(actor, feedback.customer)
    if feedback.reported_by_id != old_reporter_id:
        check_owner(actor, Module.FEEDBACK, feedback.reported_by, field="reported_by")
    _check(feedback)
    feedback.search_text = feedback_text_now(feedback)
    stamp(feedback, actor, new=False)
    feedback.full_clean()
    feedback.save()
    log_update(user=actor, instance=feedback, before=before, parent=feedback.customer)
    return feedback


@transaction.atomic
def feedback_delete(*, actor: Any, feedback: Feedback) -> None:
    require(actor, Module.FEEDBACK, Action.DELETE)
    feedback = Feedback.objects.select_related("customer").get(pk=feedback.pk)
    log_event(action=AuditAction.DELETE, user=actor, instance=feedback, parent=feedback.customer)
    feedback.delete()
