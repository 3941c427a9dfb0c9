"""Customer and contact search: one module, the same expectations on SQLite (FTS5 trigram)
and PostgreSQL (pg_trgm), since the suite runs on both engines."""

import pytest
from django.db import connection

from guanxi.common.search import ensure_sqlite_search_tables, normalize_term
from guanxi.customers import selectors, services

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True, params=["auto", "walk", "index", "mixed"])
def plan(request, settings):
    """Whichever way a term is looked up (guanxi.common.search.search_plan: the sample's
    choice, or either plan forced), it finds the same rows."""
    settings.SEARCH_PLAN = request.param
    return request.param


@pytest.fixture
def book(org):
    admin = org.users.admin
    make = services.customer_create
    return {
        "hengtong": make(
            actor=admin,
            owner=org.users.sales1,
            name="苏州恒通汽配有限公司",
            short_name="恒通汽配",
            code="HT-0042",
            phone="0512-62345678",
            credit_code="91110000600037341L",
        ),
        "dongsheng": make(
            actor=admin,
            owner=org.users.sales1,
            name="无锡东升轴承有限公司",
            code="DS-7",
            phone="13912345678",
        ),
        "tongda": make(
            actor=admin, owner=org.users.sales1, name="上海通达机械有限公司", code="TD-1"
        ),
        "abb": make(
            actor=admin, owner=org.users.sales1, name="ABB Motion (Xiamen) Co.", code="AB1"
        ),
        "north": make(
            actor=admin,
            owner=org.users.sales2,
            name="天津恒通物流有限公司",
            code="TJ-9",
            phone="022-23456789",
        ),
    }


def found(reader, term):
    return {c.code for c in selectors.customer_list(reader=reader, search=term)}


@pytest.mark.parametrize(
    ("term", "codes"),
    [
        ("恒通", {"HT-0042", "TJ-9"}),  # 2 CJK characters: the bigram path
        ("通达", {"TD-1"}),
        ("恒通汽", {"HT-0042"}),  # 3: the trigram index
        ("恒通汽配", {"HT-0042"}),  # 4
        ("恒通物流", {"TJ-9"}),
        ("东升轴承有限公司", {"DS-7"}),
        ("有限", {"HT-0042", "DS-7", "TD-1", "TJ-9"}),
        ("hengtong", {"HT-0042", "TJ-9"}),  # pinyin
        ("HengTong", {"HT-0042", "TJ-9"}),  # mixed case
        ("heng tong", {"HT-0042", "TJ-9"}),  # spaces are not part of what is searched
        ("szht", {"HT-0042"}),  # initials
        ("SZHT", {"HT-0042"}),
        ("wx", {"DS-7"}),  # two letters: initials start with them
        ("sz", {"HT-0042"}),
        ("6234", {"HT-0042"}),  # phone fragment
        ("0512-6234 5678", {"HT-0042"}),  # the whole phone as written
        ("+86 512 6234 5678", {"HT-0042"}),  # the same phone, international
        ("51262345678", {"HT-0042"}),
        ("139 1234 5678", {"DS-7"}),
        ("1234567", {"DS-7"}),
        ("ht-0042", {"HT-0042"}),  # code, any case, with or without its punctuation
        ("HT0042", {"HT-0042"}),
        ("91110000600037341l", {"HT-0042"}),  # credit code
        ("600037341", {"HT-0042"}),
        ("abb", {"AB1"}),
        ("Motion", {"AB1"}),
        ("xiamen", {"AB1"}),
        ("东", {"DS-7"}),  # one character: a plain scan, still correct
        ("恒通快递", set()),
        ("zzzz", set()),
        ("（）", set()),  # nothing left to search for once normalised
    ],
)
def test_the_admin_finds(org, book, term, codes):
    assert found(org.users.admin, term) == codes


def test_a_salesperson_never_finds_what_is_outside_their_scope(org, book):
    assert found(org.users.sales1, "恒通") == {"HT-0042"}
    assert found(org.users.sales1, "天津恒通") == set()
    assert found(org.users.sales1, "022-23456789") == set()
    assert found(org.users.sales2, "恒通") == {"TJ-9"}
    assert found(org.users.sales2, "szht") == set()
    assert found(org.users.manager, "恒通") == {"HT-0042"}  # East only


def test_two_characters_do_not_match_across_words(org, book):
    """Two characters match inside a name, or as the first two initials; never across the
    boundary of two fields, and not inside codes or pinyin (too many hits to be useful)."""
    assert found(org.users.admin, "通汽") == {"HT-0042"}
    assert found(org.users.admin, "司h") == set()  # …有限公司 | HT-0042
    assert found(org.users.admin, "ht") == set()  # inside the code and the initials only
    assert found(org.users.admin, "on") == {"AB1"}  # inside a Latin name: found


def test_an_edit_is_found_by_its_new_values_and_no_longer_by_the_old(org, book):
    c = services.customer_update(
        actor=org.users.admin, customer=book["tongda"], name="上海宏达精密机械有限公司"
    )
    assert found(org.users.admin, "宏达") == {"TD-1"}
    assert found(org.users.admin, "hongda") == {"TD-1"}
    assert found(org.users.admin, "通达") == set()
    services.customer_delete(actor=org.users.admin, customer=c)
    assert found(org.users.admin, "宏达") == set()


def test_a_new_customer_without_a_code_is_found_by_the_code_it_gets(org):
    c = services.customer_create(actor=org.users.admin, owner=org.users.sales1, name="甲公司")
    assert found(org.users.admin, c.code) == {c.code}
    assert found(org.users.admin, "TMP") == set()


def test_contacts_are_found_by_name_phone_pinyin_and_their_customer(org, book):
    admin = org.users.admin
    wang = services.contact_create(
        actor=admin,
        customer=book["hengtong"],
        name="王伟",
        mobile="138 0013 8000",
        email="wang.wei@hengtong.example",
        wechat="WangWei_SZ",
    )
    li = services.contact_create(actor=admin, customer=book["north"], name="李娜")

    def contacts(reader, term):
        return set(selectors.contact_list(reader=reader, search=term))

    assert contacts(admin, "王伟") == {wang}  # 2 CJK characters
    assert contacts(admin, "wangwei") == {wang}
    assert contacts(admin, "ww") == {wang}
    assert contacts(admin, "13800138000") == {wang}
    assert contacts(admin, "0013") == {wang}
    assert contacts(admin, "wang.wei@") == {wang}
    assert contacts(admin, "wangwei_sz") == {wang}
    assert contacts(admin, "恒通") == {wang, li}  # by the customer's name
    assert contacts(org.users.sales1, "恒通") == {wang}
    assert contacts(org.users.sales1, "李娜") == set()
    services.customer_update(actor=admin, customer=book["hengtong"], name="苏州恒久汽配有限公司")
    assert contacts(admin, "恒久") == {wang}
    assert contacts(admin, "恒通") == {li}


def test_terms_are_normalised_like_the_stored_text():
    assert normalize_term("  Heng-Tong ") == "hengtong"
    assert normalize_term("+86 138-0013-8000") == "13800138000"
    assert normalize_term("０５１２") == "0512"  # full-width digits
    assert normalize_term("!!") == ""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_sqlite_index_survives_a_table_rebuild(org, book, settings):
    """SQLite's schema editor rebuilds tables for many column changes, and the FTS triggers
    die with the old table; after `migrate` they are back and the index is complete."""
    settings.SEARCH_PLAN = "index"  # a table this small would be walked, not looked up
    with connection.cursor() as cursor:
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f'DROP TRIGGER "customers_customer_search_{suffix}"')
    c = services.customer_create(actor=org.users.admin, owner=org.users.sales1, name="乙方精工")
    assert found(org.users.admin, "乙方精工") == set()  # no trigger, not indexed
    ensure_sqlite_search_tables()
    assert found(org.users.admin, "乙方精工") == {c.code}
    services.customer_update(actor=org.users.admin, customer=c, name="丙方精工")
    assert found(org.users.admin, "丙方精工") == {c.code}  # the triggers are back


def test_the_plan_follows_how_common_the_term_is(org, settings):
    """A common term is walked for a page; a rare one reads the index, by its rarest trigrams
    and tested whole when it is long; a count (any rows will do) reads the index sooner."""
    from guanxi.common.search import search_plan
    from guanxi.customers.models import Customer

    settings.SEARCH_PLAN = "auto"
    for i in range(40):
        services.customer_create(
            actor=org.users.admin,
            owner=org.users.sales1,
            name=f"上海恒通机械{i}有限公司",
            phone=f"0216{i:07d}",
        )
    common, rare = search_plan(Customer, "恒通机械"), search_plan(Customer, "2160000017")
    page = {"vendor": connection.vendor, "ordered": True, "by_id": True, "limit": 25}
    assert common.share > 0.5 and common.walks(**page)
    assert rare.share < 0.05 and not rare.exact and "017" in "".join(rare.grams)
    assert not rare.walks(**page)
    assert not rare.walks(**{**page, "ordered": False, "limit": None})
    assert search_plan(Customer, "zzz").exact
    assert found(org.users.admin, "2160000017") == {Customer.objects.get(phone="02160000017").code}


def test_a_server_reads_a_tables_sample_once_in_a_while(org, book, settings):
    from django.test.utils import CaptureQueriesContext

    from guanxi.common import search

    settings.SEARCH_PLAN, settings.SEARCH_SAMPLE_SECONDS = "auto", 60
    search._samples.clear()
    with CaptureQueriesContext(connection) as first:
        found(org.users.admin, "恒通汽配")
    with CaptureQueriesContext(connection) as again:
        found(org.users.admin, "东升轴承")
    assert len(again) == len(first) - 1
    search._samples.clear()


def test_a_page_walks_where_the_count_reads_the_index(org, book, settings):
    """A term common enough to walk for a page but not for the count: the page's query tests
    the rows in order, the count's (unordered) reads the index; both find the same rows."""
    from django.test.utils import CaptureQueriesContext

    from guanxi.web.pagination import CappedPaginator

    settings.SEARCH_PLAN = "mixed"
    rows = selectors.customer_list(reader=org.users.admin, search="恒通汽配")
    with CaptureQueriesContext(connection) as ctx:
        page = CappedPaginator(rows, 25, cap=10).page(1)
        codes = [c.code for c in page]
    count_sql, page_sql = (q["sql"].upper() for q in ctx.captured_queries[-2:])
    walked = "INSTR(" if connection.vendor == "sqlite" else "STRPOS("
    assert "COUNT(" in count_sql and walked not in count_sql
    assert walked in page_sql
    assert page.paginator.count == 1 and codes == ["HT-0042"]


def test_sqlite_walks_no_join_it_may_drive_from_the_other_table(org, book):
    """SQLite orders joins without weighing the limit: a salesperson's contacts (a condition
    on the customer's owner) may be read through the owner's index, so a common term reads
    the search index there instead of walking; the admin's contacts still walk."""
    from guanxi.common.search import SearchPlan, _filters_another_table

    mine = selectors.contact_list(reader=org.users.sales1, search="x").query
    everyone = selectors.contact_list(reader=org.users.admin, search="x").query
    assert _filters_another_table(mine.where, mine.base_table)
    assert not _filters_another_table(everyone.where, everyone.base_table)
    from guanxi.service import selectors as service_selectors

    feedback = service_selectors.feedback_list(reader=org.users.sales1, search="x").query
    assert not _filters_another_table(feedback.where, feedback.base_table)  # an OR: no index
    common = SearchPlan(
        " 恒通 ",
        share=0.2,
        share_low=0.18,
        grams=(" 恒通 ",),
        gram_share=0.4,
        candidates=0.2,
        rows=1_000_000,
    )
    page = {"ordered": True, "by_id": True, "limit": 25}
    assert common.walks(vendor="sqlite", **page)
    assert not common.walks(vendor="sqlite", joined=True, **page)
    assert common.walks(vendor="postgresql", joined=True, **page)


def test_the_plan_counts_the_term_among_the_rows_the_reader_may_see(org, settings):
    """A term common in the table but in none of a salesperson's rows: the page of a reader
    whose rows hold it walks (it fills after a few rows), the salesperson's reads the index (a
    walk would test every row and never fill the page); each finds what they may see."""
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_PLAN = "auto"
    for i in range(160):
        mine = i % 4 != 0
        services.customer_create(
            actor=org.users.admin,
            owner=org.users.sales1 if mine and i % 2 else org.users.sales2,
            name=f"上海恒通机械{i}有限公司" if not mine else f"北京东升轴承{i}有限公司",
        )
    walked = "INSTR(" if connection.vendor == "sqlite" else "STRPOS("

    def page_sql(reader):
        rows = selectors.customer_list(reader=reader, search="恒通机械", ordering="name")
        with CaptureQueriesContext(connection) as ctx:
            codes = [c.code for c in rows[:5]]
        return ctx.captured_queries[-1]["sql"].upper(), codes

    for reader in (org.users.admin, org.users.sales2):
        sql, codes = page_sql(reader)
        assert walked in sql and len(codes) == 5
    sql, codes = page_sql(org.users.sales1)
    assert walked not in sql and codes == []
