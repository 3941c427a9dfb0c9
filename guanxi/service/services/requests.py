"""Service requests: new → assigned → in progress → resolved → closed, reopened from resolved
or closed. Every move locks the row, checks the state it starts from, stamps, and writes a
history entry; a refused move changes nothing.

Who may do what: anyone with `service_requests.create` opens a request for a customer they
can see; `change` works on requests (start, resolve, close, reopen, edit); starting and
resolving belong to the assignee, or to a dispatcher. A dispatcher (`approve`: the service
manager) assigns requests to anyone who works on requests; an agent may take an unassigned or
own request for themselves.

The due time is counted from the moment the request is opened, in calendar hours, from the
hours configured for its priority (ServiceSettings); it is at risk when the configured share
of that time is left. A change of priority recounts it from the same moment.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can, require
from guanxi.accounts.scoping import owner_in_scope
from guanxi.common import clock
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.versioning import bump_version
from guanxi.notifications.models import NotificationKind
from guanxi.notifications.services import Note, notify
from guanxi.sales.models import NumberSequence
from guanxi.sales.services.common import assign, check_customer

from ..enums import OPEN_STATUSES, Priority, RequestStatus
from ..models import ServiceRequest, ServiceSettings
from ..selectors import can_dispatch, service_settings

FIELDS = {
    "customer",
    "contact",
    "type",
    "complaint_category",
    "priority",
    "subject",
    "description",
    "contract",
    "product",
}


# --- due time ----------------------------------------------------------------------------


def due_times(
    opened_at: datetime.datetime, priority: str, settings: ServiceSettings | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """(due, at risk from) for a request opened at `opened_at` with `priority`."""
    settings = settings or service_settings()
    hours = settings.hours_for(priority)
    allowed = datetime.timedelta(hours=hours)
    due = opened_at + allowed
    at_risk = due - allowed * settings.at_risk_percent / 100
    return due, at_risk


def _next_number(when: datetime.datetime) -> str:
    prefix = f"SR-{timezone.localtime(when):%Y}-"
    seq, _created = NumberSequence.objects.select_for_update().get_or_create(key=prefix)
    while True:
        seq.last += 1
        number = f"{prefix}{seq.last:05d}"
        if not ServiceRequest.objects.filter(number=number).exists():
            break
    seq.save(update_fields=["last"])
    return number


# --- checks ------------------------------------------------------------------------------


def _check(request: ServiceRequest) -> None:
    errors: dict[str, str] = {}
    if request.priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if not request.type_id:
        errors["type"] = _("Choose the type of request.")
    elif request.type.is_complaint:
        if not request.complaint_category_id:
            errors["complaint_category"] = _("A complaint needs a complaint category.")
    elif request.complaint_category_id:
        request.complaint_category = None  # only complaints are categorised
    if request.contact_id and request.contact.customer_id != request.customer_id:
        errors["contact"] = _("This contact belongs to another customer.")
    if request.contract_id and request.contract.customer_id != request.customer_id:
        errors["contract"] = _("This contract belongs to another customer.")
    request.subject = (request.subject or "").strip()
    if not request.subject:
        errors["subject"] = _("Give the request a subject.")
    if errors:
        raise ValidationError(errors)


def _works_on_requests(user: Any) -> bool:
    return (
        user is not None
        and user.is_active
        and can(user, Module.SERVICE_REQUESTS, Action.CHANGE)
        and can(user, Module.SERVICE_REQUESTS, Action.VIEW)
    )


def _check_assignee(actor: Any, request: ServiceRequest, assignee: Any) -> None:
    if assignee is None:
        raise ValidationError({"assignee": _("Choose who works on the request.")})
    if not assignee.is_active:
        raise ValidationError({"assignee": _("This user is deactivated.")})
    if not _works_on_requests(assignee):
        raise ValidationError({"assignee": _("This user does not work on service requests.")})
    if assignee.pk == actor.pk:
        if request.assignee_id not in (None, actor.pk) and not can_dispatch(actor):
            raise PermissionDenied(_("Only a service manager can take over another's request."))
    elif not can_dispatch(actor):
        raise PermissionDenied(_("Only a service manager can assign requests to others."))
    elif not owner_in_scope(actor, Module.SERVICE_REQUESTS, assignee):
        # A department's service lead hands work only to people in their department tree.
        raise ValidationError({"assignee": _("You can only assign records within your own scope.")})


def _check_worker(actor: Any, request: ServiceRequest) -> None:
    """Starting and resolving are for the assignee, or a dispatcher."""
    if request.assignee_id != actor.pk and not can_dispatch(actor):
        raise PermissionDenied(_("Only the assignee or a service manager can do this."))


def _lock(request: ServiceRequest, expected_version: int | None = None) -> ServiceRequest:
    """The request as it is now, locked, moved to its next version (Conflict when
    `expected_version` is stale)."""
    locked = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "type", "assignee")
        .get(pk=request.pk)
    )
    bump_version(locked, expected_version)
    return locked


def _refuse_unless(request: ServiceRequest, allowed: set[str], message: str) -> None:
    if request.status not in allowed:
        raise ValidationError(message)


def _notify(request: ServiceRequest, kind: str, recipient: Any, key: str, **params: Any) -> None:
    notify(
        [
            Note(
                recipient_id=getattr(recipient, "pk", recipient),
                kind=kind,
                key=key,
                subject=request.number,
                params={"id": request.pk, "customer": request.customer.name, **params},
            )
        ]
    )


def _notify_assignee(actor: Any, request: ServiceRequest) -> None:
    if request.assignee_id and request.assignee_id != getattr(actor, "pk", None):
        _notify(
            request,
            NotificationKind.REQUEST_ASSIGNED,
            request.assignee_id,
            f"sr-assigned:{request.pk}:{request.assigned_at.isoformat()}",
        )


def _transition(
    request: ServiceRequest,
    actor: Any,
    before: dict[str, str],
    detail: dict[str, Any] | None = None,
) -> None:
    stamp(request, actor, new=False)
    request.save()
    log_update(
        user=actor,
        instance=request,
        before=before,
        parent=request.customer,
        action=AuditAction.TRANSITION,
        detail=detail,
    )


# --- writes ------------------------------------------------------------------------------


@transaction.atomic
def request_create(*, actor: Any, assignee: Any = None, **fields: Any) -> ServiceRequest:
    """Open a request for a customer in the actor's scope; give an assignee to assign it at
    once. A complaint notifies the customer's owner."""
    require(actor, Module.SERVICE_REQUESTS, Action.CREATE)
    fields.setdefault("priority", Priority.NORMAL)
    request = ServiceRequest()
    assign(request, fields, FIELDS)
    request.customer = check_customer(actor, request.customer_id and request.customer)
    _check(request)
    stamp(request, actor, new=True)
    request.number = _next_number(request.created_at)
    request.due_at, request.at_risk_at = due_times(request.created_at, request.priority)
    if assignee is not None:
        if assignee.pk != actor.pk and not can_dispatch(actor):
            # Named on the new record, the assignee is a field like any owner: only a
            # dispatcher may name someone else (the assign action answers 403 instead).
            raise ValidationError({"assignee": _("You can only assign a new request to yourself.")})
        _check_assignee(actor, request, assignee)
        request.assignee, request.status = assignee, RequestStatus.ASSIGNED
        request.assigned_at = request.created_at
    request.full_clean()
    request.save()
    log_create(user=actor, instance=request, parent=request.customer)
    owner_id = request.customer.owner_id
    if request.type.is_complaint and owner_id and owner_id != actor.pk:
        _notify(request, NotificationKind.COMPLAINT, owner_id, f"sr-complaint:{request.pk}")
    _notify_assignee(actor, request)
    return request


@transaction.atomic
def request_update(
    *, actor: Any, request: ServiceRequest, expected_version: int | None = None, **fields: Any
) -> ServiceRequest:
    """Edit what the request is about while it is not closed. The customer stays."""
    require(actor, Module.SERVICE_REQUESTS, Action.CHANGE)
    request = _lock(request, expected_version)
    if request.status == RequestStatus.CLOSED:
        raise ValidationError(_("A closed request cannot be edited; reopen it first."))
    if "customer" in fields and getattr(fields["customer"], "pk", fields["customer"]) != (
        request.customer_id
    ):
        raise ValidationError({"customer": _("A request stays with its customer.")})
    fields.pop("customer", None)
    before = snapshot(request)
    old_priority = request.priority
    assign(request, fields, FIELDS)
    _check(request)
    if request.priority != old_priority:
        if request.status not in OPEN_STATUSES:
            # Its due time has been judged: changing it now would rewrite the verdict.
            raise ValidationError(
                {"priority": _("A resolved request keeps its priority; reopen it first.")}
            )
        request.due_at, request.at_risk_at = due_times(request.created_at, request.priority)
    stamp(request, actor, new=False)
    request.full_clean()
    request.save()
    log_update(user=actor, instance=request, before=before, parent=request.customer)
    return request


@transaction.atomic
def request_assign(
    *, actor: Any, request: ServiceRequest, assignee: Any, expected_version: int | None = None
) -> ServiceRequest:
    require(actor, Module.SERVICE_REQUESTS, Action.CHANGE)
    request = _lock(request, expected_version)
    _refuse_unless(request, set(OPEN_STATUSES), _("Only an open request can be assigned."))
    _check_assignee(actor, request, assignee)
    if request.assignee_id == assignee.pk and request.status != RequestStatus.NEW:
        raise ValidationError({"assignee": _("The request is already assigned to this user.")})
    before = snapshot(request)
    request.assignee, request.status = assignee, RequestStatus.ASSIGNED
    request.assigned_at = clock.now()
    _transition(request, actor, before)
    _notify_assignee(actor, request)
    return request


@transaction.atomic
def request_start(
    *, actor: Any, request: ServiceRequest, expected_version: int | None = None
) -> ServiceRequest:
    require(actor, Module.SERVICE_REQUESTS, Action.CHANGE)
    request = _lock(request, expected_version)
    _refuse_unless(request, {RequestStatus.ASSIGNED}, _("Only an assigned request can be started."))
    _check_worker(actor, request)
    before = snapshot(request)
    request.status = RequestStatus.IN_PROGRESS
    _transition(request, actor, before)
    return request


@transaction.atomic
def request_resolve(
    *, actor: Any, request: ServiceRequest, resolution: str, expected_version: int | None = None
) -> ServiceRequest:
    require(actor, Module.SERVICE_REQUESTS, Action.CHANGE)
    request = _lock(request, expected_version)
    _refuse_unless(
        request, {RequestStatus.IN_PROGRESS}, _("Only a request in progress can be resolved.")
    )
    _check_worker(actor, request)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the request was resolved.")})
    before = snapshot(request)
    request.status, request.resolution = RequestStatus.RESOLVED, resolution
    request.resolved_at = clock.now()
    _transition(request, actor, before)
    return request


def _score(value: Any) -> int:
    """A whole number from 1 to 5 (as a number or as text); anything else is refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        score = value
    elif isinstance(value, str) and value.strip() in {"1", "2", "3", "4", "5"}:
        score = int(value.strip())
    else:
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"satisfaction": _("Give a satisfaction score from 1 to 5.")})
    return score


@transaction.atomic
def request_close(
    *,
    actor: Any,
    request: ServiceRequest,
    satisfaction: Any,
    comment: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """Close a resolved request with the customer's satisfaction (1–5) and their comment."""
    require(actor, Module.SERVICE_REQUESTS, Action.CHANGE)
    request = _lock(request, expected_version)
    _refuse_unless(request, {RequestStatus.RESOLVED}, _("Only a resolved request can be closed."))
    score = _score(satisfaction)
    before = snapshot(request)
    request.status, request.satisfaction = RequestStatus.CLOSED, score
    request.satisfaction_comment = (comment or "").strip()
    request.closed_at = clock.now()
    _transition(request, actor, before)
    owner_id = request.customer.owner_id
    if request.type.is_complaint and owner_id and owner_id != actor.pk:
        _notify(
            request,
            NotificationKind.REQUEST_CLOSED,
            owner_id,
            f"sr-closed:{request.pk}:{request.closed_at.isoformat()}",
            score=score,
        )
    return request


@transaction.atomic
def request_reopen(
    *, actor: Any, request: ServiceRequest, reason: str = "", expected_version: int | None = None
) -> ServiceRequest:
    """Back to work: in progress with its assignee (new without one). The resolution stays
    for reference; the resolution time, closing and score are cleared, and the original due
    time stands — a reopened request counts against the time it was first given."""
    require(actor, Module.SERVICE_REQUESTS, Action.CHANGE)
    request = _lock(request, expected_version)
    _refuse_unless(
        request,
        {RequestStatus.RESOLVED, RequestStatus.CLOSED},
        _("Only a resolved or closed request can be reopened."),
    )
    before = snapshot(request)
    request.status = RequestStatus.IN_PROGRESS if request.assignee_id else RequestStatus.NEW
    request.resolved_at = request.closed_at = None
    request.satisfaction, request.satisfaction_comment = None, ""
    request.reopen_count += 1
    reason = (reason or "").strip()
    _transition(request, actor, before, detail={"reason": reason} if reason else None)
    return request


@transaction.atomic
def request_delete(
    *, actor: Any, request: ServiceRequest, expected_version: int | None = None
) -> None:
    """Only a request nobody has picked up yet can be deleted (entered by mistake)."""
    require(actor, Module.SERVICE_REQUESTS, Action.DELETE)
    request = _lock(request, expected_version)
    if request.status != RequestStatus.NEW:
        raise ValidationError(_("Only a new request can be deleted."))
    log_event(action=AuditAction.DELETE, user=actor, instance=request, parent=request.customer)
    request.delete()
