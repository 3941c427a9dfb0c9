"""Writes for competitors and industry news: permission, stamps and history in one
transaction. A competitor named in an opportunity is not deleted (it would erase what we
know about who we lost to); news is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.enums import Action, Module
from guanxi.accounts.rules import require
from guanxi.common.history import log_create, log_event, log_update, snapshot, stamp
from guanxi.common.models import AuditAction
from guanxi.common.search import reindex_dependents
from guanxi.sales.services.common import assign

from .models import Competitor, IndustryNews

COMPETITOR_FIELDS = {
    "name",
    "website",
    "products",
    "strengths",
    "weaknesses",
    "price_level",
    "notes",
}
NEWS_FIELDS = {"title", "published_on", "source", "url", "content", "tags", "industry"}


def _check_name_free(competitor: Competitor) -> None:
    competitor.name = " ".join((competitor.name or "").split())
    if not competitor.name:
        raise ValidationError({"name": _("Give the competitor a name.")})
    taken = Competitor.objects.filter(name__iexact=competitor.name).exclude(pk=competitor.pk)
    if taken.exists():
        raise ValidationError({"name": _("A competitor with this name exists already.")})


@transaction.atomic
def competitor_create(*, actor: Any, **fields: Any) -> Competitor:
    require(actor, Module.COMPETITORS, Action.CREATE)
    competitor = Competitor()
    assign(competitor, fields, COMPETITOR_FIELDS)
    _check_name_free(competitor)
    stamp(competitor, actor, new=True)
    competitor.full_clean(validate_constraints=False)
    competitor.save()
    log_create(user=actor, instance=competitor)
    return competitor


@transaction.atomic
def competitor_update(*, actor: Any, competitor: Competitor, **fields: Any) -> Competitor:
    require(actor, Module.COMPETITORS, Action.CHANGE)
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    before, old_name = snapshot(competitor), competitor.name
    assign(competitor, fields, COMPETITOR_FIELDS)
    _check_name_free(competitor)
    stamp(competitor, actor, new=False)
    competitor.full_clean(validate_constraints=False)
    competitor.save()
    if competitor.name != old_name:
        reindex_dependents(competitor)  # opportunities are found by their competitors' names
    log_update(user=actor, instance=competitor, before=before)
    return competitor


@transaction.atomic
def competitor_delete(*, actor: Any, competitor: Competitor) -> None:
    require(actor, Module.COMPETITORS, Action.DELETE)
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    if competitor.opportunities.exists():
        raise ValidationError(_("This competitor appears in opportunities and cannot be deleted."))
    log_event(action=AuditAction.DELETE, user=actor, instance=competitor)
    competitor.delete()


def _news_competitors(news: IndustryNews, competitors: Any) -> list[dict[str, str]]:
    before = ", ".join(sorted(c.name for c in news.competitors.all()))
    ids = {getattr(c, "pk", c) for c in competitors or ()}
    found = list(Competitor.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]))
    if len(found) != len(ids):
        raise ValidationError({"competitors": _("Choose competitors from the list.")})
    news.competitors.set(found)
    after = ", ".join(sorted(c.name for c in found))
    return [{"field": "competitors", "old": before, "new": after}] if after != before else []


def _clean_news(news: IndustryNews) -> None:
    news.title = (news.title or "").strip()
    if not news.title:
        raise ValidationError({"title": _("Give the news a title.")})
    news.tags = ", ".join(news.tag_list)


@transaction.atomic
def news_create(*, actor: Any, competitors: Any = None, **fields: Any) -> IndustryNews:
    require(actor, Module.NEWS, Action.CREATE)
    news = IndustryNews()
    assign(news, fields, NEWS_FIELDS)
    _clean_news(news)
    stamp(news, actor, new=True)
    news.full_clean()
    news.save()
    extra = _news_competitors(news, competitors) if competitors is not None else []
    log_create(user=actor, instance=news, extra_changes=extra)
    return news


@transaction.atomic
def news_update(
    *, actor: Any, news: IndustryNews, competitors: Any = None, **fields: Any
) -> IndustryNews:
    require(actor, Module.NEWS, Action.CHANGE)
    news = IndustryNews.objects.select_for_update().get(pk=news.pk)
    before = snapshot(news)
    assign(news, fields, NEWS_FIELDS)
    _clean_news(news)
    stamp(news, actor, new=False)
    news.full_clean()
    news.save()
    extra = _news_competitors(news, competitors) if competitors is not None else []
    log_update(user=actor, instance=news, before=before, extra_changes=extra)
    return news


@transaction.atomic
def news_delete(*, actor: Any, news: IndustryNews) -> None:
    require(actor, Module.NEWS, Action.DELETE)
    news = IndustryNews.objects.get(pk=news.pk)
    log_event(action=AuditAction.DELETE, user=actor, instance=news)
    news.delete()
