"""Market intelligence (市场信息): competitors and industry news. Shared knowledge: anyone who
may read the module reads all of it; the opportunities a competitor appears in are still
limited to the reader's own opportunity scope."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.common.models import StampedModel


class PriceLevel(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    LOW = "low", _("Below ours")
    SIMILAR = "similar", _("About the same as ours")
    HIGH = "high", _("Above ours")


class Competitor(StampedModel):
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    products = models.TextField(_("products"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    price_level = models.CharField(
        _("price level"), max_length=8, choices=PriceLevel.choices, blank=True, default=""
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="competitor_name_ci_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class IndustryNews(StampedModel):
    title = models.CharField(_("title"), max_length=255)
    published_on = models.DateField(_("date"))
    source = models.CharField(pgettext_lazy("news", "source"), max_length=200, blank=True)
    url = models.URLField(_("link"), blank=True, max_length=500)
    content = models.TextField(_("content"), blank=True)
    tags = models.CharField(_("tags"), max_length=255, blank=True)
    industry = models.ForeignKey(
        "reference.Industry",
        verbose_name=_("industry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    competitors = models.ManyToManyField(
        Competitor, verbose_name=_("competitors"), blank=True, related_name="news"
    )

    class Meta:
        verbose_name = _("industry news")
        verbose_name_plural = _("industry news")
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["-published_on", "-id"], name="news_date_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in (s.strip() for s in self.tags.replace("，", ",").split(",")) if t]
