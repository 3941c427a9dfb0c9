from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class RequestStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("service request", "New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("service request", "Closed")


# Still to be worked on: counted against the due time.
OPEN_STATUSES = (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.IN_PROGRESS)


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")


class CareKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up after sale")
    BIRTHDAY = "birthday", _("Birthday greeting")
    HOLIDAY = "holiday", _("Holiday greeting")
    WIN_BACK = "win_back", _("Win-back")


class CareStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    DONE = "done", pgettext_lazy("care action", "Done")
    SKIPPED = "skipped", _("Skipped")
