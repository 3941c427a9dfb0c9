"""The service kinds of the customer timeline: feedback, service requests, care actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import can
from guanxi.customers.timeline import day_start, person_name, reference_name, register_kind, row

from .enums import CareKind, CareStatus, RequestStatus
from .models import CareAction, Feedback, ServiceRequest
from .selectors import care_scope_q, feedback_scope_q, request_scope_q


@register_kind("feedback", _("Feedback"))
def _feedback(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.FEEDBACK, Action.VIEW):
        return None
    return Feedback.objects.filter(feedback_scope_q(reader), customer=customer).values(
        **row(
            kind="feedback",
            at=day_start("date"),
            day="date",
            heading=Coalesce(NullIf(F("contact__name"), Value("")), Value("")),
            detail="content",
            extra=reference_name("channel"),
            person=person_name("reported_by"),
        )
    )


@register_kind("service_request", _("Service request"), RequestStatus.choices)
def _service_request(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.SERVICE_REQUESTS, Action.VIEW):
        return None
    return ServiceRequest.objects.filter(request_scope_q(reader), customer=customer).values(
        **row(
            kind="service_request",
            at="created_at",
            heading="number",
            detail="subject",
            extra=reference_name("type"),
            state="status",
            person=person_name("assignee"),
        )
    )


@register_kind("care_action", _("Care action"), CareStatus.choices)
def _care_action(reader: Any, customer: Any) -> QuerySet | None:
    if not can(reader, Module.CARE, Action.VIEW):
        return None
    return CareAction.objects.filter(care_scope_q(reader), customer=customer).values(
        **row(
            kind="care_action",
            at=day_start("due_date"),
            day="due_date",
            heading=Case(
                *[When(kind=value, then=Value(str(label))) for value, label in CareKind.choices],
                default=F("kind"),
                output_field=CharField(),
            ),
            # What it is about: its own title, else the holiday, the person, the contract.
            detail=Coalesce(
                NullIf(F("title"), Value("")),
                reference_name("holiday"),
                F("contact__name"),
                F("contract__number"),
                Value(""),
            ),
            extra="note",
            state="status",
            person=person_name("assignee"),
        )
    )
