"""Customer service (客户服务管理): interaction feedback, service requests with their due time,
and customer care actions; the parameters of all three in one settings row."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.common.models import StampedModel
from guanxi.common.versioning import version_field

from .enums import CareKind, CareStatus, Priority, RequestStatus, SlaState

USER = settings.AUTH_USER_MODEL
MAX_HOURS = 8760  # a year: a due time further out is not a service level


class ServiceSettings(models.Model):
    """One row of service and care parameters (参数设置) an administrator edits."""

    hours_urgent = models.PositiveIntegerField(
        _("hours to resolve an urgent request"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
    )
    hours_high = models.PositiveIntegerField(
        _("hours to resolve a high-priority request"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
    )
    hours_normal = models.PositiveIntegerField(
        _("hours to resolve a normal request"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
    )
    hours_low = models.PositiveIntegerField(
        _("hours to resolve a low-priority request"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk when this share of the time is left (%)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    follow_up_days = models.PositiveIntegerField(
        _("follow up this many days after a contract completes"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    care_lead_days = models.PositiveIntegerField(
        _("create birthday and holiday actions this many days ahead"),
        default=7,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    churn_days = models.PositiveIntegerField(
        _("churn warning after this many days without order or contact"),
        default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        USER,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("service settings")
        verbose_name_plural = _("service settings")

    def __str__(self) -> str:
        return str(_("Service settings"))

    def hours_for(self, priority: str) -> int:
        return int(getattr(self, f"hours_{priority}", self.hours_normal))


class Feedback(StampedModel):
    """交往反馈: a contact with the customer, as reported by whoever had it. The one who
    types it in (`created_by`) may be a clerk or researcher recording someone else's report
    (`reported_by`)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    date = models.DateField(_("date"))
    channel = models.ForeignKey(
        "reference.WorkMethod",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("content"))
    reported_by = models.ForeignKey(
        USER,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="reported_feedback",
    )
    # Content, customer and contact names, normalised (guanxi.common.search).
    search_text = models.TextField(editable=False, default="")

    history_exclude = ("search_text",)
    search_indexed = True

    class Meta:
        verbose_name = _("interaction feedback")
        verbose_name_plural = _("interaction feedback")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-date"], name="feedback_customer_idx"),
            models.Index(fields=["reported_by", "-date"], name="feedback_reporter_idx"),
            models.Index(fields=["-date", "-id"], name="feedback_date_idx"),
        ]

    def __str__(self) -> str:
        text = " ".join(self.content.split())
        return text[:60] + ("…" if len(text) > 60 else "")


class ServiceRequest(StampedModel):
    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    type = models.ForeignKey(
        "reference.ServiceRequestType",
        verbose_name=_("type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint_category = models.ForeignKey(
        "reference.ComplaintCategory",
        verbose_name=_("complaint category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    contract = models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    due_at = models.DateTimeField(_("due"), editable=False)
    at_risk_at = models.DateTimeField(_("at risk from"), editable=False)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)

    history_exclude = ("at_risk_at", "assigned_at")

    version = version_field()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="sr_queue_idx"),
            models.Index(fields=["status", "due_at"], name="sr_status_due_idx"),
            models.Index(fields=["customer", "-id"], name="sr_customer_idx"),
            models.Index(fields=["created_by", "-id"], name="sr_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="sr_satisfaction_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in {RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS}

    def sla_state(self, now: datetime.datetime) -> str:
        """On time / at risk / breached. A resolved request keeps the verdict of the moment it
        was resolved; an open one is judged against `now`."""
        if self.resolved_at is not None:
            return SlaState.BREACHED if self.resolved_at > self.due_at else SlaState.ON_TIME
        if now > self.due_at:
            return SlaState.BREACHED
        if now >= self.at_risk_at:
            return SlaState.AT_RISK
        return SlaState.ON_TIME


class CareAction(StampedModel):
    """客户关怀: something to do for a customer on a day — a follow-up after a sale, a birthday
    or holiday greeting, a win-back attempt — assigned to the customer's owner. `key` names the
    occasion (e.g. "birthday:17:2026") so the scheduled generation never makes it twice."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="care_actions",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_actions",
    )
    contract = models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="care_actions",
    )
    holiday = models.ForeignKey(
        "reference.Holiday",
        verbose_name=_("holiday"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CareKind.choices)
    # Empty for generated actions: their title is made from the kind and what they are about,
    # in the reader's language.
    title = models.CharField(_("title"), max_length=200, blank=True)
    due_date = models.DateField(_("due date"))
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="care_actions",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CareStatus.choices, default=CareStatus.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)
    key = models.CharField(max_length=100, unique=True, null=True, blank=True, editable=False)

    version = version_field()

    class Meta:
        verbose_name = _("care action")
        verbose_name_plural = _("care actions")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="care_queue_idx"),
            models.Index(fields=["status", "due_date"], name="care_status_due_idx"),
            models.Index(fields=["customer", "-due_date"], name="care_customer_idx"),
            models.Index(fields=["-due_date", "-id"], name="care_all_idx"),
            models.Index(fields=["-finished_at", "-id"], name="care_finished_idx"),
        ]

    def __str__(self) -> str:
        if self.title:
            return self.title
        about = self.contact or self.holiday or (self.contract and self.contract.number)
        return f"{self.get_kind_display()}: {about}" if about else self.get_kind_display()
