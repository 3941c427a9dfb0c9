"""Market pages: competitors (list with search, price level and opportunity count; create,
edit; delete refused when named in an opportunity; detail with the reader's opportunities and
related news) and industry news (search, filters, create/edit with competitors, delete);
403/404; query counts; Chinese."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from guanxi.market.models import Competitor, IndustryNews
from guanxi.reference.models import Industry

from ..factories import CustomerFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def names(response):
    assert response.status_code == 200
    return [c.name for c in response.context["page_obj"]]


def news(title, day="2026-03-01", **fields):
    competitors = fields.pop("competitors", [])
    item = IndustryNews.objects.create(
        title=title, published_on=datetime.date.fromisoformat(day), **fields
    )
    item.competitors.set(competitors)
    return item


@pytest.fixture
def rival(db):
    return Competitor.objects.create(
        name="博世汽配", products="刹车片", strengths="品牌", price_level="high"
    )


# --- competitors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["sales1", "manager", "admin", "clerk", "researcher", "service", "svcmgr", "exec"]
)
def test_competitor_pages_open_for_roles_that_may_view(org, login, rival, role):
    client = login(getattr(org.users, role))
    assert client.get(url("competitor_list")).status_code == 200
    assert client.get(url("competitor_detail", rival.pk)).status_code == 200
    assert client.get(url("news_list")).status_code == 200


def test_competitor_write_permissions(org, login, rival):
    service = login(org.users.service)  # may view only
    assert service.get(url("competitor_create")).status_code == 403
    assert service.get(url("competitor_edit", rival.pk)).status_code == 403
    assert service.post(url("competitor_delete", rival.pk)).status_code == 403
    html = service.get(url("competitor_detail", rival.pk)).content.decode()
    assert url("competitor_edit", rival.pk) not in html
    sales = login(org.users.sales1)  # view, create, change; no delete
    assert sales.get(url("competitor_edit", rival.pk)).status_code == 200
    assert sales.post(url("competitor_delete", rival.pk)).status_code == 403
    assert Competitor.objects.filter(pk=rival.pk).exists()
    assert login(org.users.admin).get(url("competitor_detail", 999999)).status_code == 404


def test_competitor_list_search_filter_and_opportunity_count(org, login, rival):
    Competitor.objects.create(name="本地小厂", products="滤清器", price_level="low")
    mine = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    theirs = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales2))
    mine.competitors.add(rival)
    theirs.competitors.add(rival)
    client = login(org.users.sales1)
    response = client.get(url("competitor_list"))
    assert names(response) == ["博世汽配", "本地小厂"]
    counts = {c.name: c.opportunity_count for c in response.context["page_obj"]}
    assert counts == {"博世汽配": 1, "本地小厂": 0}  # only the reader's opportunities count
    assert names(client.get(url("competitor_list"), {"q": "滤清"})) == ["本地小厂"]
    assert names(client.get(url("competitor_list"), {"price_level": "high"})) == ["博世汽配"]
    html = login(org.users.admin).get(url("competitor_list")).content.decode()
    assert "Above ours" in html and ">2</td>" in html


def test_create_edit_and_duplicate_name(org, login, rival):
    client = login(org.users.researcher)
    response = client.post(
        url("competitor_create"),
        {"name": "  大陆  集团 ", "website": "conti.example.com", "price_level": "similar"},
    )
    created = Competitor.objects.get(name="大陆 集团")
    assert response.status_code == 302 and response["Location"] == url(
        "competitor_detail", created.pk
    )
    assert created.website == "https://conti.example.com" and created.created_by.username == (
        "researcher"
    )
    response = client.post(url("competitor_create"), {"name": "博世汽配"})
    assert response.status_code == 200
    assert "exists already" in response.context["form"].errors["name"][0]
    response = client.post(url("competitor_create"), {"name": ""})
    assert "name" in response.context["form"].errors
    response = client.post(
        url("competitor_edit", rival.pk),
        {"name": "博世", "price_level": "low", "weaknesses": "交期长"},
    )
    assert response.status_code == 302
    rival.refresh_from_db()
    assert rival.name == "博世" and rival.weaknesses == "交期长"
    html = client.get(url("competitor_detail", rival.pk) + "?tab=history").content.decode()
    assert "交期长" in html
    assert Competitor.objects.count() == 2


def test_delete_is_refused_when_the_competitor_is_in_an_opportunity(org, login, rival):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    opp.competitors.add(rival)
    client = login(org.users.researcher)
    response = client.post(url("competitor_delete", rival.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="competitor-refused"' in html and "appears in opportunities" in html
    assert Competitor.objects.filter(pk=rival.pk).exists()
    unused = Competitor.objects.create(name="无人提及")
    response = client.post(url("competitor_delete", unused.pk))
    assert response.status_code == 302 and response["Location"] == url("competitor_list")
    assert not Competitor.objects.filter(pk=unused.pk).exists()


def test_detail_lists_only_the_readers_opportunities_and_the_related_news(org, login, rival):
    mine = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1), name="我的项目")
    theirs = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales2), name="别人项目")
    mine.competitors.add(rival)
    theirs.competitors.add(rival)
    news("博世降价", competitors=[rival])
    news("无关新闻")
    html = login(org.users.sales1).get(url("competitor_detail", rival.pk)).content.decode()
    assert "我的项目" in html and "别人项目" not in html
    assert "博世降价" in html and "无关新闻" not in html
    assert url("opportunity_detail", mine.pk) in html
    html = login(org.users.admin).get(url("competitor_detail", rival.pk)).content.decode()
    assert "我的项目" in html and "别人项目" in html
    html = login(org.users.service).get(url("competitor_detail", rival.pk)).content.decode()
    assert "You cannot see opportunities." in html and "博世降价" in html


def test_opportunity_page_links_to_the_competitor(org, login, rival):
    opp = OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))
    opp.competitors.add(rival)
    html = login(org.users.sales1).get(url("opportunity_detail", opp.pk)).content.decode()
    assert url("competitor_detail", rival.pk) in html


@pytest.mark.parametrize("role", ["sales1", "admin", "researcher"])
def test_competitor_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))
    customer = CustomerFactory(owner=org.users.sales1)

    def add(n, start):
        for i in range(start, start + n):
            rival = Competitor.objects.create(name=f"对手{i}", price_level="similar")
            OpportunityFactory(customer=customer).competitors.add(rival)

    add(3, 0)
    few = _queries(client, url("competitor_list"))
    add(15, 3)
    assert _queries(client, url("competitor_list")) == few
    rival = Competitor.objects.get(name="对手0")
    detail = url("competitor_detail", rival.pk)
    few = _queries(client, detail)
    for _i in range(8):
        OpportunityFactory(customer=customer).competitors.add(rival)
        news("新闻", competitors=[rival])
    assert _queries(client, detail) == few


# --- industry news -----------------------------------------------------------------------


def test_news_permissions(org, login):
    item = news("行业动态")
    for role in ("sales1", "service", "exec"):
        client = login(getattr(org.users, role))
        assert client.get(url("news_detail", item.pk)).status_code == 200
        assert client.get(url("news_create")).status_code == 403
        assert client.get(url("news_edit", item.pk)).status_code == 403
        assert client.post(url("news_delete", item.pk)).status_code == 403
    assert login(org.users.svcmgr).get(url("news_detail", 999999)).status_code == 404
    assert IndustryNews.objects.filter(pk=item.pk).exists()


def test_news_search_and_filters(org, login, rival):
    auto = Industry.objects.create(code="AUTO-T", name="汽车零部件")
    news("博世新品发布", "2026-01-10", source="盖世汽车", tags="新品, 刹车", competitors=[rival])
    news("原材料涨价", "2026-02-10", content="钢材价格上涨", industry=auto, tags="成本")
    news("展会预告", "2026-03-10", source="上海车展")
    client = login(org.users.sales1)

    def titles(**params):
        response = client.get(url("news_list"), params)
        assert response.status_code == 200
        return [n.title for n in response.context["page_obj"]]

    assert titles() == ["展会预告", "原材料涨价", "博世新品发布"]
    assert titles(q="钢材") == ["原材料涨价"]  # content
    assert titles(q="车展") == ["展会预告"]  # source
    assert titles(q="刹车") == ["博世新品发布"]  # tags
    assert titles(industry=auto.pk) == ["原材料涨价"]
    assert titles(competitor=rival.pk) == ["博世新品发布"]
    assert titles(tag="成本") == ["原材料涨价"]
    assert titles(date_from="2026-02-01", date_to="2026-02-28") == ["原材料涨价"]
    html = client.get(url("news_list")).content.decode()
    assert url("competitor_detail", rival.pk) in html and "?tag=%E6%96%B0%E5%93%81" in html


def test_news_create_edit_delete(org, login, rival):
    other = Competitor.objects.create(name="大陆集团")
    client = login(org.users.researcher)
    response = client.post(url("news_create"), {"title": "", "published_on": ""})
    assert response.status_code == 200
    assert {"title", "published_on"} <= set(response.context["form"].errors)
    response = client.post(
        url("news_create"),
        {
            "title": "两家对手合并",
            "published_on": "2026-04-01",
            "source": "财经",
            "url": "news.example.com/a",
            "tags": "并购，行业",
            "competitors": [rival.pk, other.pk],
            "content": "详情",
        },
    )
    item = IndustryNews.objects.get(title="两家对手合并")
    assert response.status_code == 302 and response["Location"] == url("news_detail", item.pk)
    assert set(item.competitors.all()) == {rival, other} and item.tags == "并购, 行业"
    assert item.url == "https://news.example.com/a"
    page = client.get(url("news_edit", item.pk))
    assert set(page.context["form"]["competitors"].value()) == {rival.pk, other.pk}
    response = client.post(
        url("news_edit", item.pk),
        {"title": "两家对手合并（更新）", "published_on": "2026-04-02", "competitors": [other.pk]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert list(item.competitors.all()) == [other] and item.title.endswith("（更新）")
    html = client.get(url("news_detail", item.pk)).content.decode()
    assert "大陆集团" in html and "博世汽配" in html  # history: competitors old → new
    assert 'data-confirm="Delete this news?"' in html
    assert client.post(url("news_delete", item.pk)).status_code == 302
    assert not IndustryNews.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("role", ["sales1", "researcher"])
def test_news_list_query_count_does_not_grow_with_rows(org, login, role, rival):
    client = login(getattr(org.users, role))
    industry = Industry.objects.create(code="IND-Q", name="机械")

    def add(n):
        for _i in range(n):
            news("动态", industry=industry, tags="a, b", competitors=[rival])

    add(3)
    few = _queries(client, url("news_list"))
    add(20)
    assert _queries(client, url("news_list")) == few


def test_market_pages_in_chinese(org, login, rival):
    item = news("行业动态", competitors=[rival])
    client = login(org.users.researcher, language="zh-hans")
    for page in (url("competitor_list"), url("news_list")):
        html = client.get(page).content.decode()
        assert 'lang="zh-Hans"' in html and ">筛选<" in html, page
    for page in (url("competitor_detail", rival.pk), url("news_detail", item.pk)):
        html = client.get(page).content.decode()
        assert 'lang="zh-Hans"' in html and ">编辑<" in html and "变更历史" in html, page
