"""Base models shared by every domain app, and the audit log that doubles as record history."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StampedModel(models.Model):
    """Every record stores who created it and who last changed it (谁操作谁负责)."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    RESTORE = "restore", _("Restored")
    REVIEW = "review", _("Reviewed")
    LOGIN_SUCCESS = "login_success", _("Login succeeded")
    LOGIN_FAILURE = "login_failure", _("Login failed")
    LOGIN_LOCKED = "login_locked", _("Login refused (locked)")
    LOGOUT = "logout", _("Logged out")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    TRANSITION = "transition", _("Status changed")


class AuditLog(models.Model):
    """One row per event: logins, record changes (with field-level old → new), exports, reviews.

    The history tab of a record reads the rows whose (content_type, object_id) is the record,
    or whose parent is the record (a customer's contacts).
    """

    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(_("record"), max_length=300, blank=True)
    parent_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The record's version after the event (records with optimistic locking only).
    record_version = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["parent_type", "parent_id", "-at"], name="audit_parent_idx"),
            models.Index(fields=["username", "ip", "-at"], name="audit_login_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"
