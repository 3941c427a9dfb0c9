"""Competitors and industry news: unique names, what may not be deleted, the opportunities a
competitor appears in (limited to the reader's scope), history of the links, the data
migration that turned the old free text into records."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from guanxi.common.models import AuditAction, AuditLog
from guanxi.market import selectors as sel
from guanxi.market import services as ms
from guanxi.market.models import Competitor, IndustryNews
from guanxi.reference.models import Industry
from guanxi.sales.models import Opportunity
from guanxi.sales.services import opportunities as opps
from tests.factories import CustomerFactory, OpportunityFactory, UserFactory
from tests.service.factories import CompetitorFactory, NewsFactory

pytestmark = pytest.mark.django_db


def _log(instance):
    ct = ContentType.objects.get_for_model(instance)
    return AuditLog.objects.filter(content_type=ct, object_id=instance.pk).latest("id")


def _changes(entry):
    return {c["field"]: (c["old"], c["new"]) for c in entry.changes}


# --- competitors ------------------------------------------------------------------------------


def test_competitor_name_is_unique_ignoring_case_and_spaces(org):
    u = org.users
    bosch = ms.competitor_create(actor=u.researcher, name="  Bosch   Automotive ")
    assert bosch.name == "Bosch Automotive" and bosch.created_by == u.researcher
    assert _log(bosch).action == AuditAction.CREATE
    for name in ("bosch automotive", "BOSCH  AUTOMOTIVE", " Bosch Automotive"):
        with pytest.raises(ValidationError) as err:
            ms.competitor_create(actor=u.researcher, name=name)
        assert "name" in err.value.message_dict
    with pytest.raises(ValidationError):
        ms.competitor_create(actor=u.researcher, name="   ")
    other = ms.competitor_create(actor=u.researcher, name="Denso")
    with pytest.raises(ValidationError):
        ms.competitor_update(actor=u.researcher, competitor=other, name="bosch automotive")
    assert Competitor.objects.get(pk=other.pk).name == "Denso"
    # Renaming oneself with another case is fine.
    ms.competitor_update(actor=u.researcher, competitor=bosch, name="BOSCH Automotive")
    assert Competitor.objects.get(pk=bosch.pk).name == "BOSCH Automotive"
    assert _changes(_log(bosch))["name"] == ("Bosch Automotive", "BOSCH Automotive")
    assert Competitor.objects.count() == 2


def test_the_database_also_refuses_a_name_in_another_case(db):
    CompetitorFactory(name="Valeo")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetitorFactory(name="VALEO")


def test_competitor_permissions(org):
    u = org.users
    with pytest.raises(PermissionDenied):
        ms.competitor_create(actor=u.service, name="X")  # the service role only reads
    competitor = ms.competitor_create(actor=u.sales1, name="X")  # salespeople add them
    with pytest.raises(PermissionDenied):
        ms.competitor_delete(actor=u.sales1, competitor=competitor)
    with pytest.raises(TypeError):
        ms.competitor_create(actor=u.sales1, name="Y", created_by=u.admin)


def test_a_competitor_named_in_an_opportunity_is_not_deleted(org):
    u = org.users
    used = CompetitorFactory(name="大陆集团")
    unused = CompetitorFactory(name="电装")
    news = NewsFactory()
    news.competitors.add(unused)
    OpportunityFactory(customer=CustomerFactory(owner=u.sales2), owner=u.sales2).competitors.add(
        used
    )
    with pytest.raises(ValidationError):
        ms.competitor_delete(actor=u.researcher, competitor=used)
    assert Competitor.objects.filter(pk=used.pk).exists()
    ms.competitor_delete(actor=u.researcher, competitor=unused)
    assert not Competitor.objects.filter(pk=unused.pk).exists()
    assert list(news.competitors.all()) == []
    assert AuditLog.objects.latest("id").action == AuditAction.DELETE


def test_competitor_list_counts_only_opportunities_in_scope(org):
    u = org.users
    bosch = CompetitorFactory(name="Bosch", price_level="high", strengths="品牌")
    denso = CompetitorFactory(name="Denso", price_level="low")
    east = OpportunityFactory(customer=CustomerFactory(owner=u.sales1), owner=u.sales1)
    north = OpportunityFactory(customer=CustomerFactory(owner=u.sales2), owner=u.sales2)
    gone = OpportunityFactory(
        customer=CustomerFactory(owner=u.sales1, deleted_at=timezone.now()), owner=u.sales1
    )
    for opp in (east, north, gone):
        opp.competitors.add(bosch)
    north.competitors.add(denso)

    def counts(reader, **kw):
        return {c.name: c.opportunity_count for c in sel.competitor_list(reader=reader, **kw)}

    assert counts(u.sales1) == {"Bosch": 1, "Denso": 0}
    assert counts(u.manager2) == {"Bosch": 1, "Denso": 1}
    assert counts(u.admin) == {"Bosch": 2, "Denso": 1}
    assert counts(u.admin, search="品牌") == {"Bosch": 2}
    assert counts(u.admin, filters={"price_level": "low"}) == {"Denso": 1}
    assert [c.name for c in sel.competitor_list(reader=u.admin, ordering="-name")] == [
        "Denso",
        "Bosch",
    ]
    # The service role reads competitors but no opportunities: no count at all.
    rows = list(sel.competitor_list(reader=u.service))
    assert len(rows) == 2 and not hasattr(rows[0], "opportunity_count")
    nobody = UserFactory(department=org.hq)
    assert list(sel.competitor_list(reader=nobody)) == []
    with pytest.raises(Http404):
        sel.access_competitor(reader=nobody, pk=bosch.pk)
    assert sel.access_competitor(reader=u.service, pk=bosch.pk) == bosch
    with pytest.raises(Http404):
        sel.access_competitor(reader=u.admin, pk="x")


def test_competitor_opportunities_are_limited_to_scope(org):
    u = org.users
    bosch = CompetitorFactory(name="Bosch")
    east = OpportunityFactory(customer=CustomerFactory(owner=u.sales1), owner=u.sales1)
    sub = OpportunityFactory(customer=CustomerFactory(owner=u.sales1b), owner=u.sales1b)
    north = OpportunityFactory(customer=CustomerFactory(owner=u.sales2), owner=u.sales2)
    for opp in (east, sub, north):
        opp.competitors.add(bosch)
    OpportunityFactory(customer=CustomerFactory(owner=u.sales1), owner=u.sales1)  # no link

    def pks(reader):
        return {o.pk for o in sel.competitor_opportunities(reader=reader, competitor=bosch)}

    assert pks(u.sales1) == {east.pk}
    assert pks(u.manager) == {east.pk, sub.pk}
    assert pks(u.admin) == {east.pk, sub.pk, north.pk}
    assert pks(u.service) == set()


# --- an opportunity's competitors ---------------------------------------------------------------


def test_opportunity_competitors_and_their_history(org):
    u = org.users
    a, b, c = (CompetitorFactory(name=n) for n in ("Aisin", "Bosch", "Conti"))
    customer = CustomerFactory(owner=u.sales1)
    opp = opps.opportunity_create(
        actor=u.sales1, customer=customer, name="刹车系统", competitors=[b, a.pk]
    )
    assert set(opp.competitors.all()) == {a, b}
    assert _changes(_log(opp))["competitors"] == ("", "Aisin, Bosch")
    opps.opportunity_update(actor=u.sales1, opportunity=opp, competitors=[c, b])
    assert set(Opportunity.objects.get(pk=opp.pk).competitors.all()) == {b, c}
    assert _changes(_log(opp))["competitors"] == ("Aisin, Bosch", "Bosch, Conti")
    entries = AuditLog.objects.count()
    # The same set again, or no competitors given: no competitors row.
    opps.opportunity_update(actor=u.sales1, opportunity=opp, competitors=[b.pk, c.pk])
    opps.opportunity_update(actor=u.sales1, opportunity=opp, name="刹车系统二期")
    assert AuditLog.objects.count() == entries + 1
    assert "competitors" not in _changes(_log(opp))
    opps.opportunity_update(actor=u.sales1, opportunity=opp, competitors=[])
    assert _changes(_log(opp))["competitors"] == ("Bosch, Conti", "")
    assert not Opportunity.objects.get(pk=opp.pk).competitors.exists()
    # The other side: the competitor lists it.
    assert list(sel.competitor_opportunities(reader=u.sales1, competitor=a)) == []


@pytest.mark.parametrize("bad", [[999999], ["1"], [None]])
def test_opportunity_competitors_from_the_list_only(org, bad):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    with pytest.raises(ValidationError) as err:
        opps.opportunity_create(actor=u.sales1, customer=customer, name="x", competitors=bad)
    assert "competitors" in err.value.message_dict
    assert not Opportunity.objects.exists()


# --- news -------------------------------------------------------------------------------------


def test_news_tags_are_normalised(org):
    news = ms.news_create(
        actor=org.users.researcher,
        title="  新能源补贴政策 ",
        published_on="2026-05-01",
        tags=" 电动车， 政策,, 补贴 ,",
    )
    fresh = IndustryNews.objects.get(pk=news.pk)
    assert fresh.title == "新能源补贴政策" and fresh.tags == "电动车, 政策, 补贴"
    assert fresh.tag_list == ["电动车", "政策", "补贴"]
    news = ms.news_update(actor=org.users.researcher, news=news, tags="")
    assert IndustryNews.objects.get(pk=news.pk).tag_list == []
    with pytest.raises(ValidationError):
        ms.news_create(actor=org.users.researcher, title=" ", published_on="2026-05-01")
    with pytest.raises(PermissionDenied):
        ms.news_create(actor=org.users.sales1, title="x", published_on="2026-05-01")


def test_news_competitors_and_history(org):
    u = org.users
    a, b = CompetitorFactory(name="Aisin"), CompetitorFactory(name="Bosch")
    news = ms.news_create(
        actor=u.researcher, title="Aisin 扩产", published_on="2026-05-01", competitors=[a]
    )
    assert list(news.competitors.all()) == [a]
    assert _changes(_log(news))["competitors"] == ("", "Aisin")
    ms.news_update(actor=u.researcher, news=news, competitors=[a, b], source="财经")
    changes = _changes(_log(news))
    assert changes["competitors"] == ("Aisin", "Aisin, Bosch") and changes["source"] == ("", "财经")
    ms.news_update(actor=u.researcher, news=news, title="Aisin 扩产计划")
    assert "competitors" not in _changes(_log(news))
    assert set(IndustryNews.objects.get(pk=news.pk).competitors.all()) == {a, b}
    with pytest.raises(ValidationError):
        ms.news_update(actor=u.researcher, news=news, competitors=[12345])
    ms.news_delete(actor=u.researcher, news=news)
    assert not IndustryNews.objects.exists() and Competitor.objects.count() == 2


def test_news_list_search_and_filters(org):
    u = org.users
    a = CompetitorFactory(name="Aisin")
    industry = Industry.objects.create(code="AUTO-T", name="汽车", name_en="Automotive")
    first = NewsFactory(title="价格战", published_on="2026-01-10", tags="价格, 市场")
    second = NewsFactory(
        title="新工厂", published_on="2026-03-01", tags="产能", industry=industry, source="日报"
    )
    second.competitors.add(a)

    def titles(**kw):
        return [n.title for n in sel.news_list(reader=u.sales1, **kw)]

    assert titles() == ["新工厂", "价格战"]
    assert titles(search="日报") == ["新工厂"]
    assert titles(filters={"tag": "价格"}) == ["价格战"]
    assert titles(filters={"competitor": a.pk}) == ["新工厂"]
    assert titles(filters={"industry": industry.pk}) == ["新工厂"]
    assert titles(filters={"date_from": "2026-02-01"}) == ["新工厂"]
    assert titles(filters={"date_to": "2026-02-01", "tag": 5}) == ["价格战"]
    assert sel.access_news(reader=u.sales1, pk=first.pk) == first
    nobody = UserFactory(department=org.hq)
    assert list(sel.news_list(reader=nobody)) == []
    with pytest.raises(Http404):
        sel.access_news(reader=nobody, pk=first.pk)


# --- the data migration -----------------------------------------------------------------------


def test_link_competitors_splits_the_old_free_text(org):
    """sales 0003 turned each opportunity's competitor text into linked records: one record per
    name whatever its case, existing records reused."""
    import importlib

    migration = importlib.import_module("guanxi.sales.migrations.0003_competitor_records")
    u = org.users
    existing = CompetitorFactory(name="Bosch")
    customer = CustomerFactory(owner=u.sales1)
    one = OpportunityFactory(customer=customer, competitor_notes="bosch、大陆；Denso / ")
    two = OpportunityFactory(customer=customer, competitor_notes="DENSO,大陆， 博世 / Aisin  Seiki")
    OpportunityFactory(customer=customer, competitor_notes="aisin seiki")
    OpportunityFactory(customer=customer, competitor_notes="")
    migration.link_competitors(apps, None)
    # Whichever spelling came first names the record (the order of opportunities is free).
    assert {c.name.lower() for c in one.competitors.all()} == {"bosch", "大陆", "denso"}
    assert {c.name.lower() for c in two.competitors.all()} == {
        "denso",
        "大陆",
        "博世",
        "aisin seiki",
    }
    assert Competitor.objects.count() == 5
    # Spaces inside a name are collapsed as the services do, so the names stay unique.
    assert Competitor.objects.filter(name__iexact="aisin seiki").count() == 1
    assert existing in one.competitors.all()
    # The text stays as the notes.
    assert Opportunity.objects.get(pk=one.pk).competitor_notes == "bosch、大陆；Denso / "
