"""In-app notifications (通知). A notification belongs to one recipient; `key` says what it is
about (e.g. "sr-breached:42:2026-11-22T10:00") so that the scheduled work can run any number
of times and still notify once. The sentence is rendered from `kind` in the reader's
language; `subject` is the record's own name."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    TASK_DUE = "task_due", _("Task due today")
    APPROVAL_WAITING = "approval_waiting", _("Approval waiting")
    REQUEST_ASSIGNED = "request_assigned", _("Service request assigned")
    REQUEST_AT_RISK = "request_at_risk", _("Service request at risk")
    REQUEST_BREACHED = "request_breached", _("Service request overdue")
    COMPLAINT = "complaint", _("Complaint received")
    REQUEST_CLOSED = "request_closed", _("Service request closed")
    CARE_DUE = "care_due", _("Care action due")
    CHURN_WARNING = "churn_warning", _("Churn warning")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
