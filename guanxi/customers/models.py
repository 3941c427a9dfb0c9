from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.enums import Gender
from guanxi.common.indexes import NullsLastIndex
from guanxi.common.models import StampedModel
from guanxi.common.validators import clean_credit_code, clean_phone
from guanxi.common.versioning import version_field

from .enums import AbcClass, CustomerStatus, ReviewStatus


class LiveCustomerManager(models.Manager):
    """Customers not in the recycle bin. `Customer.all_objects` includes the deleted."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Customer(StampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    region = models.ForeignKey(
        "reference.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "reference.CustomerCategory",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    industry = models.ForeignKey(
        "reference.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.ForeignKey(
        "reference.CustomerLevel",
        verbose_name=_("level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.ForeignKey(
        "reference.CustomerSource",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CustomerStatus.choices,
        default=CustomerStatus.PROSPECT,
    )
    lost_at = models.DateTimeField(_("lost on"), null=True, blank=True, editable=False)
    lost_reason = models.TextField(_("reason for loss"), blank=True)
    abc_class = models.CharField(
        _("ABC class"), max_length=1, choices=AbcClass.choices, blank=True, default=""
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[clean_phone])
    website = models.URLField(_("website"), blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        db_index=True,
        validators=[clean_credit_code],
    )
    tags = models.CharField(_("tags"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = version_field()

    review_status = models.CharField(
        _("review status"),
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PENDING,
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Derived for search and duplicate detection; kept in step by the services.
    normalized_name = models.CharField(max_length=200, editable=False, db_index=True, default="")
    phone_normalized = models.CharField(max_length=32, editable=False, db_index=True, default="")
    name_pinyin = models.CharField(max_length=600, editable=False, default="")
    name_initials = models.CharField(max_length=200, editable=False, default="")
    # Everything the search box finds a customer by, normalised (guanxi.common.search).
    search_text = models.TextField(editable=False, default="")

    objects = LiveCustomerManager()
    search_indexed = True
    all_objects = models.Manager()

    history_exclude = (
        "normalized_name",
        "phone_normalized",
        "name_initials",
        "search_text",
        "deleted_at",
        "deleted_by",
        "reviewed_at",
        "reviewed_by",
        "lost_at",
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["owner", "-id"], name="customer_owner_idx"),
            models.Index(fields=["review_status", "-id"], name="customer_review_idx"),
            models.Index(fields=["status", "-id"], name="customer_status_idx"),
            models.Index(fields=["name"], name="customer_name_idx"),
            models.Index(fields=["deleted_at"], name="customer_deleted_idx"),
            # Recently changed first (the start page, the list sorted by "updated").
            models.Index(fields=["-updated_at", "-id"], name="customer_updated_idx"),
            # The recycle bin: only its rows, newest deletion first.
            models.Index(
                fields=["-deleted_at", "-id"],
                name="customer_bin_idx",
                condition=Q(deleted_at__isnull=False),
            ),
            # The lost customers list: most recently lost first.
            NullsLastIndex(
                fields=["status", "-lost_at", "-id"],
                name="customer_lost_idx",
                nulls_last=("lost_at",),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (s.strip() for s in self.tags.split(",")) if t]


class Contact(StampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    gender = models.CharField(
        _("gender"), max_length=8, choices=Gender.choices, default=Gender.UNKNOWN, blank=True
    )
    job_title = models.ForeignKey(
        "reference.JobTitle",
        verbose_name=_("job title"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, validators=[clean_phone])
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[clean_phone])
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    version = version_field()

    mobile_normalized = models.CharField(max_length=32, editable=False, db_index=True, default="")
    name_pinyin = models.CharField(max_length=300, editable=False, default="")
    name_initials = models.CharField(max_length=100, editable=False, default="")
    # Name, phones, e-mail, WeChat, pinyin and the customer's name, normalised.
    search_text = models.TextField(editable=False, default="")

    history_exclude = ("mobile_normalized", "name_initials", "search_text")
    search_indexed = True

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="one_primary_contact"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-is_primary", "name"], name="contact_cust_idx"),
            # The contacts list, by name (its default order).
            models.Index(fields=["name", "id"], name="contact_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name
