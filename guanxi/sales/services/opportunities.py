"""Opportunities (销售机会): create, edit, move between stages, win or lose. Every change of
stage or outcome writes a StageChange row (from, to, who, when)."""

from __future__ import annotations

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
from guanxi.reference.models import OpportunityStage

from ..enums import OpportunityStatus
from ..models import Opportunity, StageChange
from ..search import opportunity_text_now
from .common import assign, check_customer, check_owner
from .pipeline import pipeline_apply, share_of

FIELDS = {
    "customer",
    "name",
    "project_type",
    "stage",
    "amount",
    "probability",
    "expected_close_date",
    "source",
    "competitor_notes",
    "owner",
    "notes",
}


def _competitor_names(opp: Opportunity) -> str:
    return ", ".join(sorted(c.name for c in opp.competitors.all()))


def _set_competitors(opp: Opportunity, competitors: Any, before: str) -> list[dict[str, str]]:
    """Link the opportunity to these competitors (records or ids); the history row for it."""
    from guanxi.market.models import Competitor

    ids = {getattr(c, "pk", c) for c in competitors or ()}
    found = list(Competitor.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]))
    if len(found) != len(ids):
        raise ValidationError({"competitors": _("Choose competitors from the list.")})
    opp.competitors.set(found)
    after = ", ".join(sorted(c.name for c in found))
    return [{"field": "competitors", "old": before, "new": after}] if after != before else []


def _index(opp: Opportunity) -> None:
    """Write the search text once the competitors are linked (they are part of it)."""
    text = opportunity_text_now(opp)
    if text != opp.search_text:
        opp.search_text = text
        Opportunity.objects.filter(pk=opp.pk).update(search_text=text)


def _first_stage() -> OpportunityStage | None:
    return OpportunityStage.objects.filter(is_active=True).order_by("sort_order", "code").first()


def _record_change(opp: Opportunity, actor: Any, *, from_stage, from_status: str, now) -> None:
    StageChange.objects.create(
        opportunity=opp,
        from_stage=from_stage,
        to_stage=opp.stage,
        from_status=from_status,
        to_status=opp.status,
        changed_by=actor if getattr(actor, "pk", None) else None,
        changed_at=now,
    )


def _lock(opp: Opportunity, expected_version: int | None = None) -> Opportunity:
    """The opportunity as it is now, locked, moved to its next version (Conflict when
    `expected_version` is stale)."""
    locked = Opportunity.objects.select_for_update().get(pk=opp.pk)
    bump_version(locked, expected_version)
    return locked


@transaction.atomic
def opportunity_create(*, actor: Any, **fields: Any) -> Opportunity:
    require(actor, Module.OPPORTUNITIES, Action.CREATE)
    fields.setdefault("owner", actor)
    if fields.get("stage") is None:
        fields["stage"] = _first_stage()
    if fields["stage"] is None:
        raise ValidationError({"stage": _("Set up the opportunity stages first.")})
    if fields.get("probability") in (None, ""):
        fields["probability"] = fields["stage"].default_probability
    competitors = fields.pop("competitors", None)
    opp = Opportunity()
    assign(opp, fields, FIELDS)
    opp.customer = check_customer(actor, opp.customer_id and opp.customer)
    check_owner(actor, Module.OPPORTUNITIES, opp.owner)
    if not opp.stage.is_active:
        raise ValidationError({"stage": _("This stage is no longer in use.")})
    now = clock.now()
    opp.stage_changed_at = now
    stamp(opp, actor, new=True)
    opp.full_clean()
    opp.save()
    pipeline_apply(before=[], after=[share_of(opp)])
    _record_change(opp, actor, from_stage=None, from_status="", now=now)
    extra = _set_competitors(opp, competitors, "") if competitors is not None else []
    _index(opp)
    log_create(user=actor, instance=opp, parent=opp.customer, extra_changes=extra)
    return opp


@transaction.atomic
def opportunity_update(
    *,
    actor: Any,
    opportunity: Opportunity,
    expected_version: int | None = None,
    **fields: Any,
) -> Opportunity:
    """Edit an opportunity. A new stage on an open opportunity is recorded as a stage change
    and, unless a probability is given too, takes the stage's default probability."""
    require(actor, Module.OPPORTUNITIES, Action.CHANGE)
    opp = _lock(opportunity, expected_version)
    before = snapshot(opp)
    share_before = share_of(opp)
    competitors = fields.pop("competitors", None)
    old_stage, old_customer_id, old_owner_id = opp.stage, opp.customer_id, opp.owner_id
    new_stage = fields.get("stage")
    if new_stage is not None and new_stage.pk != old_stage.pk:
        if not opp.is_open:
            raise ValidationError(
                {"stage": _("A closed opportunity no longer moves between stages.")}
            )
        if not new_stage.is_active:
            raise ValidationError({"stage": _("This stage is no longer in use.")})
        if fields.get("probability") in (None, "") or fields.get("probability") == opp.probability:
            fields["probability"] = new_stage.default_probability
    elif fields.get("probability") in (None, ""):
        fields.pop("probability", None)
    assign(opp, fields, FIELDS)
    if opp.customer_id != old_customer_id:
        opp.customer = check_customer(actor, opp.customer)
    if opp.owner_id != old_owner_id:
        check_owner(actor, Module.OPPORTUNITIES, opp.owner)
    now = clock.now()
    stage_moved = opp.stage_id != old_stage.pk
    if stage_moved:
        opp.stage_changed_at = now
    stamp(opp, actor, new=False)
    opp.full_clean()
    opp.save()
    pipeline_apply(before=[share_before], after=[share_of(opp)])
    if stage_moved:
        _record_change(opp, actor, from_stage=old_stage, from_status=opp.status, now=now)
    extra = (
        _set_competitors(opp, competitors, _competitor_names(opp))
        if competitors is not None
        else []
    )
    _index(opp)
    log_update(user=actor, instance=opp, before=before, parent=opp.customer, extra_changes=extra)
    return opp


def opportunity_move(
    *,
    actor: Any,
    opportunity: Opportunity,
    stage: OpportunityStage,
    expected_version: int | None = None,
):
    """Move an open opportunity to another stage (the pipeline board's drop)."""
    return opportunity_update(
        actor=actor, opportunity=opportunity, stage=stage, expected_version=expected_version
    )


@transaction.atomic
def opportunity_win(
    *, actor: Any, opportunity: Opportunity, note: str = "", expected_version: int | None = None
) -> Opportunity:
    require(actor, Module.OPPORTUNITIES, Action.CHANGE)
    return _close(actor, opportunity, OpportunityStatus.WON, None, note, expected_version)


@transaction.atomic
def opportunity_lose(
    *,
    actor: Any,
    opportunity: Opportunity,
    reason: Any,
    note: str = "",
    expected_version: int | None = None,
) -> Opportunity:
    require(actor, Module.OPPORTUNITIES, Action.CHANGE)
    if reason is None:
        raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
    if not reason.is_active:
        raise ValidationError({"lost_reason": _("This reason is no longer in use.")})
    return _close(actor, opportunity, OpportunityStatus.LOST, reason, note, expected_version)


def _close(
    actor: Any,
    opportunity: Opportunity,
    status: str,
    reason: Any,
    note: str,
    expected_version: int | None,
):
    opp = _lock(opportunity, expected_version)
    if not opp.is_open:
        raise ValidationError(_("This opportunity is already closed."))
    before = snapshot(opp)
    share_before = share_of(opp)
    now = clock.now()
    opp.status = status
    opp.lost_reason = reason
    opp.probability = 100 if status == OpportunityStatus.WON else 0
    opp.closed_at = now
    note = (note or "").strip()
    if note:
        opp.notes = f"{opp.notes}\n{note}".strip()
    stamp(opp, actor, new=False)
    opp.save()
    pipeline_apply(before=[share_before], after=[])
    _record_change(opp, actor, from_stage=opp.stage, from_status=OpportunityStatus.OPEN, now=now)
    log_update(
        user=actor, instance=opp, before=before, parent=opp.customer, action=AuditAction.TRANSITION
    )
    return opp


@transaction.atomic
def opportunity_reopen(
    *, actor: Any, opportunity: Opportunity, expected_version: int | None = None
) -> Opportunity:
    """Take a closed opportunity back into the pipeline, at the stage it was closed in."""
    require(actor, Module.OPPORTUNITIES, Action.CHANGE)
    opp = _lock(opportunity, expected_version)
    if opp.is_open:
        raise ValidationError(_("This opportunity is open already."))
    if opp.contracts.exists():
        raise ValidationError(_("A contract was made from this opportunity; it stays won."))
    before = snapshot(opp)
    old_status = opp.status
    now = clock.now()
    opp.status, opp.lost_reason, opp.closed_at = OpportunityStatus.OPEN, None, None
    opp.probability = opp.stage.default_probability
    opp.stage_changed_at = now
    stamp(opp, actor, new=False)
    opp.save()
    pipeline_apply(before=[], after=[share_of(opp)])
    _record_change(opp, actor, from_stage=opp.stage, from_status=old_status, now=now)
    log_update(
        user=actor, instance=opp, before=before, parent=opp.customer, action=AuditAction.TRANSITION
    )
    return opp


@transaction.atomic
def opportunity_delete(
    *, actor: Any, opportunity: Opportunity, expected_version: int | None = None
) -> None:
    require(actor, Module.OPPORTUNITIES, Action.DELETE)
    opp = _lock(opportunity, expected_version)
    if opp.contracts.exists():
        raise ValidationError(_("This opportunity has contracts; close it instead."))
    log_event(action=AuditAction.DELETE, user=actor, instance=opp, parent=opp.customer)
    opp.tasks.update(opportunity=None)
    pipeline_apply(before=[share_of(opp)], after=[])
    opp.delete()
