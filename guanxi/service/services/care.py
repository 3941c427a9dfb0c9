"""Customer care (客户关怀): care actions done or skipped with a note, win-back actions for lost
customers, and the service parameters. The scheduled generation is in `..scheduled`."""

from __future__ import annotations

import datetime
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.versioning import bump_version
from guanxi.customers.enums import CustomerStatus
from guanxi.sales.services.common import assign, check_customer, check_owner

from ..enums import CareKind, CareStatus
from ..models import CareAction, ServiceSettings
from ..selectors import service_settings

FIELDS = {"customer", "contact", "kind", "title", "due_date", "assignee", "note"}
EDITABLE = {"contact", "title", "due_date", "assignee", "note"}


def _check(action: CareAction, *, new: bool = False) -> None:
    if action.contact_id and action.contact.customer_id != action.customer_id:
        raise ValidationError({"contact": _("This contact belongs to another customer.")})
    if action.kind not in CareKind.values:
        raise ValidationError({"kind": _("Choose what kind of care this is.")})
    # Planned for a lost customer; it stays editable when the customer comes back meanwhile.
    if new and action.kind == CareKind.WIN_BACK and action.customer.status != CustomerStatus.LOST:
        raise ValidationError({"kind": _("Win-back actions are for lost customers.")})
    if not action.due_date:
        raise ValidationError({"due_date": _("Give the day it is due.")})
    action.title = (action.title or "").strip()
    if not action.title and action.kind in {CareKind.WIN_BACK, CareKind.FOLLOW_UP}:
        if action.kind == CareKind.WIN_BACK:
            action.title = _("Win back %(customer)s") % {"customer": action.customer.name}
        else:
            action.title = _("Follow up with %(customer)s") % {"customer": action.customer.name}


@transaction.atomic
def care_create(*, actor: Any, **fields: Any) -> CareAction:
    """A care action entered by hand (a win-back attempt, a visit after a complaint…). It is
    assigned to the customer's owner unless someone else is named."""
    require(actor, Module.CARE, Action.CREATE)
    action = CareAction()
    assign(action, fields, FIELDS)
    action.customer = check_customer(actor, action.customer_id and action.customer)
    if not action.assignee_id:
        if action.customer.owner_id is None:
            raise ValidationError({"assignee": _("The customer has no owner: name someone.")})
        action.assignee = action.customer.owner
    check_owner(actor, Module.CARE, action.assignee, field="assignee")
    _check(action, new=True)
    stamp(action, actor, new=True)
    action.full_clean()
    action.save()
    log_create(user=actor, instance=action, parent=action.customer)
    return action


def win_back_create(
    *, actor: Any, customer: Any, due_date: datetime.date | None = None, note: str = "", **more
) -> CareAction:
    return care_create(
        actor=actor,
        customer=customer,
        kind=CareKind.WIN_BACK,
        due_date=due_date or clock.localdate(),
        note=note,
        **more,
    )


def _lock(action: CareAction, expected_version: int | None = None) -> CareAction:
    # Only the action's row: the customer is read, not locked. Moved to its next version
    # (Conflict when `expected_version` is stale).
    locked = (
        CareAction.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=action.pk)
    )
    bump_version(locked, expected_version)
    return locked


@transaction.atomic
def care_update(
    *, actor: Any, action: CareAction, expected_version: int | None = None, **fields: Any
) -> CareAction:
    require(actor, Module.CARE, Action.CHANGE)
    action = _lock(action, expected_version)
    if action.status != CareStatus.PENDING:
        raise ValidationError(_("This care action is finished."))
    before = snapshot(action)
    old_assignee = action.assignee_id
    assign(action, fields, EDITABLE)
    if action.assignee_id != old_assignee:
        check_owner(actor, Module.CARE, action.assignee, field="assignee")
    _check(action)
    stamp(action, actor, new=False)
    action.full_clean()
    action.save()
    log_update(user=actor, instance=action, before=before, parent=action.customer)
    return action


def _finish(
    actor: Any, action: CareAction, status: str, note: str, expected_version: int | None
) -> CareAction:
    require(actor, Module.CARE, Action.CHANGE)
    action = _lock(action, expected_version)
    if action.status != CareStatus.PENDING:
        raise ValidationError(_("This care action is finished already."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write a note on what was done, or why not.")})
    before = snapshot(action)
    action.status, action.note, action.finished_at = status, note, clock.now()
    stamp(action, actor, new=False)
    action.save()
    log_update(
        user=actor,
        instance=action,
        before=before,
        parent=action.customer,
        action=AuditAction.TRANSITION,
    )
    return action


@transaction.atomic
def care_done(
    *, actor: Any, action: CareAction, note: str, expected_version: int | None = None
) -> CareAction:
    return _finish(actor, action, CareStatus.DONE, note, expected_version)


@transaction.atomic
def care_skip(
    *, actor: Any, action: CareAction, note: str, expected_version: int | None = None
) -> CareAction:
    return _finish(actor, action, CareStatus.SKIPPED, note, expected_version)


@transaction.atomic
def care_delete(*, actor: Any, action: CareAction, expected_version: int | None = None) -> None:
    """Only an action entered by hand and not finished can be deleted; a generated one is
    skipped instead (or the scheduler would make it again)."""
    require(actor, Module.CARE, Action.DELETE)
    action = _lock(action, expected_version)
    if action.key or action.status != CareStatus.PENDING:
        raise ValidationError(_("Skip this care action instead, with a note."))
    log_event(action=AuditAction.DELETE, user=actor, instance=action, parent=action.customer)
    action.delete()


SETTINGS_FIELDS = {
    "hours_urgent",
    "hours_high",
    "hours_normal",
    "hours_low",
    "at_risk_percent",
    "follow_up_days",
    "care_lead_days",
    "churn_days",
}


@transaction.atomic
def service_settings_update(*, actor: Any, **fields: Any) -> ServiceSettings:
    """The administrator's service parameters. Due times already given keep their value; the
    new hours apply to requests opened (or re-prioritised) from now on."""
    require(actor, Module.REFERENCE, Action.CHANGE)
    settings = service_settings()
    settings = ServiceSettings.objects.select_for_update().get(pk=settings.pk)
    before = snapshot(settings)
    assign(settings, fields, SETTINGS_FIELDS)
    settings.full_clean()  # converts text from a form to numbers before they are compared
    order = ["hours_urgent", "hours_high", "hours_normal", "hours_low"]
    for higher, lower in pairwise(order):
        if getattr(settings, higher) > getattr(settings, lower):
            raise ValidationError(
                {higher: _("A higher priority cannot have more hours than a lower one.")}
            )
    settings.updated_by = actor
    settings.save()
    log_update(user=actor, instance=settings, before=before)
    return settings
