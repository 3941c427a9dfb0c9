from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OpportunityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("opportunity status", "Open")
    WON = "won", _("Won")
    LOST = "lost", pgettext_lazy("opportunity status", "Lost")


class TaskStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", pgettext_lazy("contract status", "Approved")
    EXECUTING = "executing", _("Executing")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", pgettext_lazy("contract status", "Rejected")
    TERMINATED = "terminated", _("Terminated")


# Lines can be edited only while the contract is being drafted or after a rejection.
EDITABLE_STATUSES = {ContractStatus.DRAFT, ContractStatus.REJECTED}
# Payments are received only against contracts that are in force.
PAYABLE_STATUSES = {ContractStatus.APPROVED, ContractStatus.EXECUTING, ContractStatus.COMPLETED}
# A customer with a contract in one of these is an active (现有) customer.
ACTIVE_CUSTOMER_STATUSES = {ContractStatus.EXECUTING, ContractStatus.COMPLETED}


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class ApprovalRule(models.TextChoices):
    THRESHOLD = "threshold", _("Contracts whose total reaches the threshold")
    ALL = "all", _("Every contract")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    ACCEPTANCE = "acceptance", _("Bank acceptance bill")
    CASH = "cash", _("Cash")
    CHEQUE = "cheque", _("Cheque")
    OTHER = "other", _("Other")
