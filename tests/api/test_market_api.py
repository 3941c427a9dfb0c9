"""Competitors and industry news through the API: create, search, filters, edit, delete; a
competitor's opportunities limited to the reader's opportunity scope; news naming
competitors by id."""

import pytest
from django.utils import translation

from guanxi.market.models import Competitor, IndustryNews
from guanxi.reference.models import Industry
from tests.factories import CustomerFactory, OpportunityFactory

from .helpers import ids
from .test_service_api import service_state

COMPETITORS = "/api/v1/competitors/"
NEWS = "/api/v1/news/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    def _api(user=None):
        client = api(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return _api


def competitor(name="博世", **fields):
    return Competitor.objects.create(name=name, **fields)


def test_competitor_crud_and_search(org, api):
    client = api(org.users.researcher)
    response = client.post(
        COMPETITORS,
        {
            "name": " 博世  汽车 ",
            "website": "https://www.bosch.com",
            "products": "刹车片、火花塞",
            "strengths": "品牌",
            "weaknesses": "交期长",
            "price_level": "high",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "博世 汽车" and body["price_level"] == "high"
    assert body["opportunities"] == [] and body["opportunity_count"] == 0
    assert body["created_by"] == org.users.researcher.pk
    pk = body["id"]
    before = service_state()
    for payload, field in [
        ({"name": "博世 汽车"}, "name"),
        ({"name": " "}, "name"),
        ({"name": "新对手", "price_level": "cheap"}, "price_level"),
        ({"name": "新对手", "website": "not a url"}, "website"),
    ]:
        response = client.post(COMPETITORS, payload)
        assert response.status_code == 400 and field in response.json(), (payload, response.json())
    response = client.post(COMPETITORS, {"name": "博世 汽车".upper()})
    assert response.json() == {"name": ["A competitor with this name exists already."]}
    assert service_state() == before
    cheap = competitor("大陆", price_level="low", notes="价格低")

    def listed(**params):
        response = client.get(COMPETITORS, params)
        assert response.status_code == 200, response.content
        return ids(response)

    assert sorted(listed()) == [pk, cheap.pk]
    assert listed() == listed(ordering="-name")[::-1]  # by name, in the database's collation
    assert listed(ordering="-id") == [cheap.pk, pk]
    assert listed(search="火花塞") == [pk]
    assert listed(price_level="low") == [cheap.pk]
    assert client.get(COMPETITORS, {"price_level": "free"}).status_code == 400

    response = client.patch(f"{COMPETITORS}{pk}/", {"weaknesses": "交期长、服务慢"})
    assert response.status_code == 200 and response.json()["weaknesses"] == "交期长、服务慢"
    response = client.patch(f"{COMPETITORS}{pk}/", {"name": "大陆"})
    assert response.status_code == 400 and "name" in response.json()
    assert client.delete(f"{COMPETITORS}{cheap.pk}/").status_code == 204
    # A salesperson may add and change competitors but not delete them; the agent only reads.
    assert api(org.users.sales1).patch(f"{COMPETITORS}{pk}/", {"notes": "x"}).status_code == 200
    assert api(org.users.sales1).delete(f"{COMPETITORS}{pk}/").status_code == 403
    assert api(org.users.service).post(COMPETITORS, {"name": "新"}).status_code == 403


def test_competitor_shows_only_visible_opportunities(org, api):
    users = org.users
    rival = competitor("博世")
    east = OpportunityFactory(customer=CustomerFactory(owner=users.sales1), name="华东项目")
    north = OpportunityFactory(customer=CustomerFactory(owner=users.sales2), name="华北项目")
    for opportunity in (east, north):
        opportunity.competitors.add(rival)

    def seen(user):
        body = api(user).get(f"{COMPETITORS}{rival.pk}/").json()
        listed = api(user).get(COMPETITORS).json()["results"][0]
        assert listed["opportunity_count"] == body["opportunity_count"]
        return body["opportunity_count"], {o["name"] for o in body["opportunities"]}

    assert seen(users.sales1) == (1, {"华东项目"})
    assert seen(users.sales2) == (1, {"华北项目"})
    assert seen(users.manager) == (1, {"华东项目"})
    assert seen(users.admin) == (2, {"华东项目", "华北项目"})
    assert seen(users.service) == (None, set())  # no opportunities permission
    before = service_state()
    response = api(users.admin).delete(f"{COMPETITORS}{rival.pk}/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This competitor appears in opportunities and cannot be deleted."]
    }
    assert service_state() == before
    # The opportunity itself names its competitors by id.
    response = api(users.sales1).get(f"/api/v1/opportunities/{east.pk}/")
    assert response.json()["competitors"] == [rival.pk]


def test_news_crud_filters(org, api):
    users = org.users
    industry = Industry.objects.create(code="T-AUTO", name="汽车零部件")
    bosch, conti = competitor("博世"), competitor("大陆")
    client = api(users.clerk)
    response = client.post(
        NEWS,
        {
            "title": "博世扩建苏州工厂",
            "published_on": "2026-03-02",
            "source": "盖世汽车",
            "url": "https://example.com/news/1",
            "content": "产能翻倍",
            "tags": "扩产， 工厂 ,,",
            "industry": industry.pk,
            "competitors": [bosch.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["competitors"] == [bosch.pk] and body["industry_name"] == "汽车零部件"
    assert body["tags"] == "扩产, 工厂" and body["tag_list"] == ["扩产", "工厂"]
    first = body["id"]
    second = client.post(
        NEWS,
        {"title": "大陆降价", "published_on": "2026-04-01", "competitors": [conti.pk, bosch.pk]},
        format="json",
    ).json()["id"]
    third = client.post(NEWS, {"title": "行业展会", "published_on": "2025-11-11"}).json()["id"]

    def listed(**params):
        response = client.get(NEWS, params)
        assert response.status_code == 200, response.content
        return ids(response)

    assert listed() == [second, first, third]
    assert listed(competitor=bosch.pk) == [second, first]
    assert listed(competitor=conti.pk) == [second]
    assert listed(industry=industry.pk) == [first]
    assert listed(tag="工厂") == [first]
    assert listed(search="降价") == [second]
    assert listed(date_from="2026-01-01", date_to="2026-03-31") == [first]
    assert client.get(NEWS, {"date_to": "march"}).status_code == 400
    rows = client.get(NEWS).json()["results"]
    assert sorted(rows[0]["competitors"]) == sorted([conti.pk, bosch.pk])

    before = service_state()
    for payload, field in [
        ({"title": "x", "published_on": "2026-01-01", "competitors": [999999]}, "competitors"),
        ({"title": " ", "published_on": "2026-01-01"}, "title"),
        ({"title": "x"}, "published_on"),
    ]:
        response = client.post(NEWS, payload, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    assert service_state() == before

    response = client.patch(f"{NEWS}{second}/", {"competitors": []}, format="json")
    assert response.status_code == 200 and response.json()["competitors"] == []
    response = client.patch(f"{NEWS}{first}/", {"title": "博世扩建苏州工厂二期"})
    assert response.json()["competitors"] == [bosch.pk]  # not sent: kept
    assert client.delete(f"{NEWS}{third}/").status_code == 204
    assert not IndustryNews.objects.filter(pk=third).exists()
    # A salesperson reads news only.
    assert api(users.sales1).get(f"{NEWS}{first}/").status_code == 200
    assert (
        api(users.sales1).post(NEWS, {"title": "x", "published_on": "2026-01-01"}).status_code
        == 403
    )
    assert api(users.sales1).patch(f"{NEWS}{first}/", {"title": "x"}).status_code == 403
    assert api(users.manager).delete(f"{NEWS}{first}/").status_code == 403
