from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    LOST = "lost", _("Lost")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AbcClass(models.TextChoices):
    NONE = "", _("Not classified")
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
