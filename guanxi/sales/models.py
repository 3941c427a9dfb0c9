"""Customer development (客户发展管理): opportunities, tasks, products, contracts with their
lines and approvals, sales records and payments. Money is Decimal, never float."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from guanxi.common.models import StampedModel
from guanxi.common.versioning import version_field

from .enums import (
    ApprovalRule,
    ContractStatus,
    Decision,
    OpportunityStatus,
    PaymentMethod,
    TaskStatus,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0.00")


class SalesSettings(models.Model):
    """One row of sales parameters (参数设置) an administrator edits."""

    contract_number_pattern = models.CharField(
        _("contract number pattern"),
        max_length=64,
        default="HT-{year}-{seq:05}",
        help_text=_(
            "{year}, {month} and {seq:N} (a counter N digits wide, restarting whenever the "
            "text around it changes), e.g. HT-{year}-{seq:05} gives HT-2026-00042."
        ),
    )
    approval_rule = models.CharField(
        _("contracts needing approval"),
        max_length=16,
        choices=ApprovalRule.choices,
        default=ApprovalRule.THRESHOLD,
    )
    approval_threshold = models.DecimalField(
        _("approval threshold"),
        default=Decimal("100000.00"),
        validators=[MinValueValidator(ZERO)],
        **MONEY,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
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
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")

    def __str__(self) -> str:
        return str(_("Sales settings"))


class NumberSequence(models.Model):
    """Counters behind generated numbers, one per prefix (e.g. 'HT-2026-')."""

    key = models.CharField(max_length=100, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}{self.last}"


class Opportunity(StampedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    name = models.CharField(_("project name"), max_length=200)
    project_type = models.ForeignKey(
        "reference.ProjectType",
        verbose_name=_("project type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage = models.ForeignKey(
        "reference.OpportunityStage",
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(
        _("expected amount"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    expected_close_date = models.DateField(_("expected signing date"), null=True, blank=True)
    source = models.ForeignKey(
        "reference.CustomerSource",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    competitors = models.ManyToManyField(
        "market.Competitor", verbose_name=_("competitors"), blank=True, related_name="opportunities"
    )
    competitor_notes = models.CharField(_("competitor notes"), max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    status = models.CharField(
        _("outcome"),
        max_length=8,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.OPEN,
    )
    lost_reason = models.ForeignKey(
        "reference.LostReason",
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("in stage since"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Name, pinyin, customer, competitors, normalised (guanxi.common.search).
    search_text = models.TextField(editable=False, default="")

    history_exclude = ("stage_changed_at", "search_text")
    search_indexed = True

    version = version_field()

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="opp_owner_idx"),
            models.Index(fields=["status", "stage", "-id"], name="opp_status_stage_idx"),
            models.Index(fields=["status", "stage", "-amount"], name="opp_board_idx"),
            models.Index(fields=["status", "-amount"], name="opp_status_amount_idx"),
            models.Index(fields=["customer", "-id"], name="opp_customer_idx"),
            # The board's cards: newest-updated first per stage, paged by keyset.
            models.Index(
                fields=["status", "stage", "-updated_at", "-id"], name="opp_board_recent_idx"
            ),
            models.Index(
                fields=["owner", "status", "stage", "-updated_at", "-id"],
                name="opp_owner_board_idx",
            ),
            # The list's sort columns (each read in order, not sorted whole, at 1M).
            models.Index(fields=["name", "id"], name="opp_name_idx"),
            models.Index(fields=["amount", "id"], name="opp_amount_idx"),
            models.Index(fields=["expected_close_date", "id"], name="opp_closing_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.OPEN


class OpportunityStageTotal(models.Model):
    """Open opportunities of live customers summed per (stage, owner): the pipeline board's
    column totals without reading the opportunities. Kept by guanxi.sales.services.pipeline
    in the same transaction as every change; `manage.py rebuild_sales_totals` rebuilds it.
    Money is in integer cents so that increments stay exact on SQLite (whose decimals are
    floating point); the weighted amount of one opportunity is amount × probability / 100,
    rounded half up to the cent."""

    stage = models.ForeignKey(
        "reference.OpportunityStage", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    count = models.BigIntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)
    weighted_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stage", "owner"], name="opp_stage_total_unique")
        ]
        indexes = [models.Index(fields=["owner", "stage"], name="opp_stage_total_owner_idx")]

    def __str__(self) -> str:
        return f"{self.stage_id}/{self.owner_id}: {self.count}"


class StageChange(models.Model):
    """Each move of an opportunity between stages, or to won/lost: the basis for
    time-in-stage reports."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
    )
    from_stage = models.ForeignKey(
        "reference.OpportunityStage",
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        "reference.OpportunityStage",
        verbose_name=_("to stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(
        _("from outcome"), max_length=8, choices=OpportunityStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to outcome"), max_length=8, choices=OpportunityStatus.choices, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stagechange_opp_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage or self.get_to_status_display()}"


class Task(StampedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    date = models.DateField(_("date"))
    time = models.TimeField(_("time"), null=True, blank=True)
    work_method = models.ForeignKey(
        "reference.WorkMethod",
        verbose_name=_("work method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=255)
    location = models.CharField(_("location"), max_length=255, blank=True)
    result = models.TextField(_("result"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.PLANNED
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    version = version_field()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["date", "time", "id"]
        indexes = [
            models.Index(fields=["salesperson", "status", "date"], name="task_person_idx"),
            models.Index(fields=["customer", "-date"], name="task_customer_idx"),
            models.Index(fields=["status", "date"], name="task_status_date_idx"),
        ]

    def __str__(self) -> str:
        return self.purpose

    def is_overdue(self, today) -> bool:
        return self.status == TaskStatus.PLANNED and self.date < today


class Product(StampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=16, default="件")
    list_price = models.DecimalField(
        _("list price"), default=ZERO, validators=[MinValueValidator(ZERO)], **MONEY
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    features = models.TextField(_("features"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    name_pinyin = models.CharField(max_length=600, editable=False, default="")
    name_initials = models.CharField(max_length=200, editable=False, default="")

    # Code, name, specification, pinyin, normalised (guanxi.common.search).
    search_text = models.TextField(editable=False, default="")

    history_exclude = ("name_initials", "search_text")
    search_indexed = True

    version = version_field()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["is_active", "code"], name="product_active_idx"),
            models.Index(fields=["name"], name="product_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="product_code_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contract(StampedModel):
    number = models.CharField(_("contract number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    total = models.DecimalField(_("total"), default=ZERO, editable=False, **MONEY)
    paid = models.DecimalField(_("paid"), default=ZERO, editable=False, **MONEY)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts_to_approve",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    started_on = models.DateField(_("execution start"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completion date"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    # Number, title, pinyin and the customer's name, normalised (guanxi.common.search).
    search_text = models.TextField(editable=False, default="")

    history_exclude = ("paid", "submitted_at", "search_text")
    search_indexed = True

    version = version_field()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["owner", "-id"], name="contract_owner_idx"),
            models.Index(fields=["status", "-id"], name="contract_status_idx"),
            # The approval queue, oldest submission first (the id breaks ties in the index).
            models.Index(fields=["status", "submitted_at", "id"], name="contract_queue_idx"),
            models.Index(fields=["customer", "-id"], name="contract_customer_idx"),
            # The list's sort columns.
            models.Index(fields=["total", "id"], name="contract_total_idx"),
            models.Index(fields=["signed_on", "id"], name="contract_signed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid__lte=models.F("total")),
                name="contract_paid_within_total",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid

    @property
    def lines_editable(self) -> bool:
        return self.status in {ContractStatus.DRAFT, ContractStatus.REJECTED}


class CustomerReceivable(models.Model):
    """What one customer owes on contracts in force owned by one user: the receivables page
    and its totals without grouping the contracts (the ages of one page's rows are read
    from their contracts). Kept by guanxi.sales.services.receivables
    whenever a contract changes status, a payment is recorded, changed or deleted, or the
    customer goes to the recycle bin or comes back; `manage.py rebuild_sales_totals`
    rebuilds it. Only rows with something outstanding exist. Money in integer cents."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contracts = models.IntegerField(default=0)
    outstanding_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "owner"], name="receivable_unique")
        ]
        # Both carry `contracts` last, so that the page's totals (sums of outstanding_cents and
        # contracts over the reader's rows) read the index alone, not every row of the table.
        indexes = [
            models.Index(
                fields=["-outstanding_cents", "customer", "owner", "contracts"],
                name="receivable_order_idx",
            ),
            models.Index(
                fields=["owner", "-outstanding_cents", "customer", "contracts"],
                name="receivable_owner_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.owner_id}: {self.outstanding_cents}"


class ContractLine(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(
        _("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY
    )
    unit_price = models.DecimalField(_("unit price"), validators=[MinValueValidator(ZERO)], **MONEY)
    amount = models.DecimalField(_("amount"), editable=False, **MONEY)

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class ApprovalDecision(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    total = models.DecimalField(_("total at decision"), **MONEY)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.get_decision_display()}"


class SalesRecord(StampedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="sales_records",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="sales_records"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_records",
    )
    contract_line = models.OneToOneField(
        ContractLine,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales_record",
        editable=False,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="sales_records",
    )
    date = models.DateField(_("date"))
    quantity = models.DecimalField(
        _("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY
    )
    unit_price = models.DecimalField(_("unit price"), validators=[MinValueValidator(ZERO)], **MONEY)
    amount = models.DecimalField(_("amount"), editable=False, **MONEY)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("sales record")
        verbose_name_plural = _("sales records")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["salesperson", "-date"], name="salesrec_person_idx"),
            models.Index(fields=["customer", "-date"], name="salesrec_customer_idx"),
            models.Index(fields=["product", "-date"], name="salesrec_product_idx"),
            models.Index(fields=["-date", "-id"], name="salesrec_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.product}"


class Payment(StampedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    date = models.DateField(_("date received"))
    amount = models.DecimalField(
        _("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    method = models.CharField(
        _("method"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["contract", "-date"], name="payment_contract_idx"),
            models.Index(fields=["-date", "-id"], name="payment_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.amount}"
