"""Administrator-editable lists (基础配置). An entry in use is deactivated, never deleted:
every foreign key to these models is PROTECT."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from guanxi.common.models import StampedModel


class ReferenceEntry(StampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Region(ReferenceEntry):
    """地域: country → province → city → district, with GB/T 2260 codes for China."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    history_exclude = ("path",)

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]


class CustomerCategory(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("customer category")
        verbose_name_plural = _("customer categories")


class CustomerLevel(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("customer level")
        verbose_name_plural = _("customer levels")


class Industry(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class JobTitle(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("job title")
        verbose_name_plural = _("job titles")


class ProjectType(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("project type")
        verbose_name_plural = _("project types")


class WorkMethod(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("work method")
        verbose_name_plural = _("work methods")


class CustomerSource(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("customer source")
        verbose_name_plural = _("customer sources")


class OpportunityStage(ReferenceEntry):
    default_probability = models.PositiveSmallIntegerField(
        _("default win probability (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("opportunity stage")
        verbose_name_plural = _("opportunity stages")


class ServicePhase(models.TextChoices):
    PRE_SALE = "pre_sale", _("Pre-sale")
    IN_SALE = "in_sale", _("In-sale")
    AFTER_SALE = "after_sale", _("After-sale")


class ServiceRequestType(ReferenceEntry):
    phase = models.CharField(
        _("phase"), max_length=16, choices=ServicePhase.choices, default=ServicePhase.AFTER_SALE
    )
    is_complaint = models.BooleanField(_("is a complaint"), default=False)

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("service request type")
        verbose_name_plural = _("service request types")


class ComplaintCategory(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")


class LostReason(ReferenceEntry):
    class Meta(ReferenceEntry.Meta):
        verbose_name = _("lost-deal reason")
        verbose_name_plural = _("lost-deal reasons")


class Holiday(ReferenceEntry):
    """A holiday customers get a greeting for (节日关怀). A holiday on the same day every year
    leaves the year empty; one that moves (春节, 中秋节 follow the lunar calendar) is entered
    once per year with its date."""

    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("Leave empty for a holiday on the same day every year."),
    )

    class Meta(ReferenceEntry.Meta):
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def clean(self) -> None:
        import datetime

        from django.core.exceptions import ValidationError

        super().clean()
        if self.month and self.day:
            try:
                # 2024 is a leap year: 29 February is a valid every-year date.
                datetime.date(self.year or 2024, self.month, self.day)
            except ValueError:
                raise ValidationError({"day": _("There is no such day in that month.")}) from None

    def occurrence(self, year: int):
        """The holiday's date in `year`, or None (a dated holiday of another year; 29
        February in a common year is kept on the 28th)."""
        import datetime

        if self.year and self.year != year:
            return None
        try:
            return datetime.date(year, self.month, self.day)
        except ValueError:
            if self.month == 2 and self.day == 29:
                return datetime.date(year, 2, 28)
            return None
