"""The benchmark at a million: builds the data set through bulk paths, then times the pages,
the board and the searches through gunicorn (2 workers, real HTTP, a session cookie) against
a bare-Django 50-row page served by the same server in the same run.

    DATABASE_URL=sqlite:////work/var/bench_1m.sqlite3 .venv/bin/python bench/million.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_1m .venv/bin/python bench/million.py
    … --customers 100000          a smaller set (contacts and opportunities follow customers,
                                  contracts, payments and feedback are a fifth of them)
    … --build-only | --skip-build build only / time an existing database again (it is
                                  migrated first: a copy made before a new migration works)
    … --only board --repeat 20    time the cases whose label contains "board", 20 requests each
    … --jobs 1                    build in this process only (default: 2 row generators)

Data: 1M customers (half with a valid unified social credit code), 1M contacts (one primary
per customer), 1M opportunities, 200k contracts, 200k payments, 200k feedback entries and
20k products, owned round-robin by sales1, manager (East team) and sales2, manager2 (North),
so the East manager sees half and admin sees all.

Build: the secondary indexes, the search index (SQLite FTS5 triggers, PostgreSQL GIN
trigram) and the foreign-key checks are off during the load and rebuilt afterwards; rows go
in by COPY (PostgreSQL) or executemany (SQLite, no fsync and a big cache during the build
only). The derived columns come from the app's own functions (customer_search_text & co.),
called on plain objects whose pinyin is composed from a vocabulary whose pypinyin was run once
per part; a sample of rows is checked against the app's functions with nothing memoised. Then
`rebuild_sales_totals` and ANALYZE. Printed: rows/s per table (insert only) and for the whole
build including index rebuilds, summaries and statistics.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BATCH = 5_000
BENCH_CODE = "BM"  # customers BM00000000…, contracts BM-00000000…, products BP-00000…
KINDS = ["生产线改造", "设备采购", "年度框架", "自动化升级", "备件供应"]
CONTRACT_KINDS = ["采购合同", "框架协议", "维保合同", "备件合同"]
TOPICS = [
    "询问交货期",
    "反映包装破损",
    "要求提供报价单",
    "对售后响应表示满意",
    "希望安排技术培训",
    "投诉发票开错",
    "咨询新品参数",
    "确认下月订单",
]
SPECS = ["A型", "B型", "C型", "标准型", "加强型", "轻型"]


# --- the vocabulary -----------------------------------------------------------------------


class Vocabulary:
    """Name parts and their pinyin, pypinyin run once per part: a million names share a few
    hundred parts, and pypinyin is what made per-row inserts slow."""

    def __init__(self) -> None:
        from guanxi.common.text import pinyin_full, pinyin_initials
        from guanxi.customers.demo import data

        cities = {**data.EAST_CITIES, **data.NORTH_CITIES}
        self.cities = [(code, city, area) for code, (city, area) in cities.items()]
        # 长城 reads zhang after 州 (州长, a governor) and 成 (成长): pypinyin segments
        # across the part boundary, so a name's pinyin is not its parts' pinyin joined.
        self.brands = [b for b in data.BRANDS if b != "长城"]
        self.products = list(dict.fromkeys(p for p, _industry in data.PRODUCTS))
        self.suffixes = list(dict.fromkeys(data.SUFFIXES))
        self.surnames = list(data.SURNAMES)
        self.given = list(data.GIVEN)
        words = [c for _, c, _ in self.cities] + self.brands + self.products + self.suffixes
        words += self.surnames + self.given + KINDS + CONTRACT_KINDS + SPECS + ["项目"]
        self.pinyin = {w: (pinyin_full(w), pinyin_initials(w)) for w in words}
        city_names = [c for _, c, _ in self.cities]
        neighbours = [
            (city_names, self.brands),
            (self.brands, self.brands + self.products),
            (self.products, self.suffixes + SPECS + KINDS + CONTRACT_KINDS),
            (self.surnames, self.given),
        ]
        for lefts, rights in neighbours:  # a few thousand pypinyin calls, once
            for a in lefts:
                for b in rights:
                    whole = (pinyin_full(a + b), pinyin_initials(a + b))
                    assert whole == self.compose(a, b), f"pinyin of {a + b} is not composable"

    def compose(self, *parts: str) -> tuple[str, str]:
        return (
            "".join(self.pinyin[p][0] for p in parts),
            "".join(self.pinyin[p][1] for p in parts),
        )


@functools.cache
def _memo_pinyin(text: str) -> tuple[str, str]:
    from guanxi.common.text import pinyin_full, pinyin_initials

    return pinyin_full(text), pinyin_initials(text)


_LANDLINE_AREAS: set[str] = set()


@contextlib.contextmanager
def memoised_app_functions(vocab: Vocabulary):
    """The app's search-text functions with pypinyin memoised per distinct text (opportunity
    names and contract titles repeat a few thousand combinations) and the landline numbers
    the bench writes (area code, '-', eight digits) normalised without phonenumbers' parser.
    Both give what the unmemoised functions give; `check_sample` proves it on real rows."""
    import guanxi.common.search as common_search
    import guanxi.sales.search as sales_search
    from guanxi.common.text import normalize_phone

    _LANDLINE_AREAS.update(area for _, _, area in vocab.cities)

    def fast_phone(phone: str) -> str:
        area, dash, number = (phone or "").partition("-")
        if dash and area in _LANDLINE_AREAS and len(number) == 8 and number.isdigit():
            return area[1:] + number
        return normalize_phone(phone)

    saved = (
        sales_search.pinyin_full,
        sales_search.pinyin_initials,
        common_search.normalize_phone,
        common_search.normalize_part,
    )
    sales_search.pinyin_full = lambda text: _memo_pinyin(text or "")[0]
    sales_search.pinyin_initials = lambda text: _memo_pinyin(text or "")[1]
    common_search.normalize_phone = fast_phone
    # a pure function of its text: names, pinyin and titles repeat across rows and tables
    common_search.normalize_part = functools.lru_cache(maxsize=1 << 17)(saved[3])
    try:
        yield fast_phone
    finally:
        (
            sales_search.pinyin_full,
            sales_search.pinyin_initials,
            common_search.normalize_phone,
            common_search.normalize_part,
        ) = saved


def mix(k: int, salt: int) -> int:
    """A cheap deterministic pseudo-random 32-bit number for row k (random.Random(k) per row
    costs more than the row)."""
    x = (k * 0x9E3779B1 + salt * 0x85EBCA77) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    return x ^ (x >> 12)


# --- rows ---------------------------------------------------------------------------------


class Loader:
    """Rows into one table as fast as the engine takes them: COPY on PostgreSQL, executemany
    on SQLite. A row is a dict of attribute names with values already in the engine's form;
    every other column gets the field's default converted once (or per row where it must be
    unique), so columns that other work adds later are filled as the ORM would fill them."""

    def __init__(self, model, connection) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.per_row = [
            (self.index[f.attname], f, connection)
            for f in self.fields
            if f.has_default() and callable(f.default) and f.unique
        ]
        self.template = [
            None if f.primary_key else f.get_db_prep_save(f.get_default(), connection)
            for f in self.fields
        ]
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)

    def values(self, row: dict) -> tuple:
        out = list(self.template)
        for i, f, connection in self.per_row:
            out[i] = f.get_db_prep_save(f.get_default(), connection)
        index = self.index
        for name, value in row.items():
            out[index[name]] = value
        return tuple(out)

    def write(self, connection, values: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.table} ({self.cols}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.cols}) VALUES ({marks})",  # noqa: S608
                    values,
                )


class Plan:
    """What every generated row is, as a pure function of its number: ids are assigned here
    (from the table's next free id), so rows that quote another (a contact's customer, a
    payment's contract) need no lookup and batches can be generated in any process."""

    def __init__(self, args, connection, *, base: dict[str, int]) -> None:
        from django.utils import timezone

        from guanxi.accounts.models import User
        from guanxi.reference.models import OpportunityStage, Region

        self.vendor = connection.vendor
        self.n = {
            "customers": args.customers,
            "contacts": args.contacts,
            "opportunities": args.opportunities,
            "contracts": args.contracts,
            "payments": args.payments,
            "feedback": args.feedback,
            "products": args.products,
        }
        self.base = base
        self.vocab = Vocabulary()
        names = ["sales1", "manager", "sales2", "manager2"]
        users = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
        self.people = [users[n] for n in names if n in users]
        self.stages = list(
            OpportunityStage.objects.filter(is_active=True)
            .order_by("sort_order", "pk")
            .values_list("pk", flat=True)
        )
        regions = dict(Region.objects.values_list("code", "pk"))
        self.region_of_city = [regions.get(code) for code, _, _ in self.vocab.cities]
        now = timezone.now().replace(microsecond=0)
        today = timezone.localdate()
        if self.vendor == "sqlite":
            adapt_ts = connection.ops.adapt_datetimefield_value
            adapt_day = connection.ops.adapt_datefield_value
        else:
            adapt_ts = adapt_day = lambda value: value
        self.now = adapt_ts(now)
        # created/changed times spread over two years; dates over two years back
        self.stamps = [adapt_ts(now - datetime.timedelta(minutes=53 * j)) for j in range(20_000)]
        self.days = [adapt_day(today - datetime.timedelta(days=j)) for j in range(730)]
        self.true = 1 if self.vendor == "sqlite" else True
        self.loaders: dict = {}
        self.paid_contracts: list[int] = []

    # customers --------------------------------------------------------------------------

    def company(self, k: int) -> SimpleNamespace:
        """Customer k's name parts: unique names for k < 1.2M (city × two brands × product,
        then a serial number), a few hundred distinct parts."""
        v = self.vocab
        nc, nb, npr = len(v.cities), len(v.brands), len(v.products)
        ci = k % nc
        b1 = v.brands[(k // nc) % nb]
        b2 = v.brands[(k // (nc * nb)) % nb]
        product = v.products[(k // (nc * nb * nb)) % npr]
        serial = k // (nc * nb * nb * npr)
        suffix = v.suffixes[(k // 7) % len(v.suffixes)]
        _code, city, area = v.cities[ci]
        parts = (city, b1, b2, product, suffix)
        name = f"{city}{b1}{b2}{product}{serial or ''}{suffix}"
        full, initials = v.compose(*parts)  # pinyin leaves the serial number out
        return SimpleNamespace(
            name=name, full=full, initials=initials, ci=ci, area=area, brand=b1, product=product
        )

    def customer_id(self, k: int) -> int:
        return self.base["customers"] + k

    def owner(self, k: int) -> int:
        return self.people[k % len(self.people)]

    def phone(self, k: int, area: str) -> str:
        return f"{area}-{60_000_000 + (k * 7_919) % 39_000_000:08d}"

    def credit_code(self, k: int, ci: int) -> str:
        if k % 2:
            return ""
        from stdnum.cn.uscc import calc_check_digit

        city_code = self.vocab.cities[ci][0]
        body = f"91{city_code}{k:09d}"
        return body + calc_check_digit(body)

    def customer(self, k: int) -> dict:
        from guanxi.common.text import normalize_name
        from guanxi.customers.search import customer_search_text

        c = self.company(k)
        phone = self.phone(k, c.area)
        status = ("prospect", "active", "active", "active", "active", "lost")[mix(k, 9) % 6]
        row = SimpleNamespace(
            id=self.customer_id(k),
            code=f"{BENCH_CODE}{k:08d}",
            name=c.name,
            short_name=f"{c.brand}{c.product}" if k % 3 == 0 else "",
            region_id=self.region_of_city[c.ci],
            status=status,
            lost_at=self.stamps[k % 20_000] if status == "lost" else None,
            owner_id=self.owner(k),
            phone=phone,
            credit_code=self.credit_code(k, c.ci),
            review_status="approved",
            normalized_name=normalize_name(c.name),
            phone_normalized=_FAST_PHONE(phone),
            name_pinyin=c.full[:600],
            name_initials=c.initials[:200],
            created_at=self.stamps[k % 20_000],
            updated_at=self.stamps[k % 20_000],
        )
        row.search_text = customer_search_text(row)
        return vars(row)

    # contacts: contact k is customer k's primary contact (customers beyond that get more)

    def contact_id(self, k: int) -> int:
        return self.base["contacts"] + k

    def person(self, k: int) -> tuple[str, str, str]:
        v = self.vocab
        surname, given = v.surnames[k % len(v.surnames)], v.given[(k // 7) % len(v.given)]
        full, initials = v.compose(surname, given)
        return surname + given, full, initials

    def contact(self, k: int) -> dict:
        from guanxi.customers.search import contact_search_text

        customer = k % self.n["customers"]
        name, full, initials = self.person(k)
        mobile = f"139{k:08d}"
        row = SimpleNamespace(
            id=self.contact_id(k),
            customer_id=self.customer_id(customer),
            name=name,
            mobile=mobile,
            phone="",
            email="",
            wechat="",
            is_primary=self.true if k < self.n["customers"] else not self.true,
            mobile_normalized=mobile,
            name_pinyin=full,
            name_initials=initials,
            created_at=self.stamps[k % 20_000],
            updated_at=self.stamps[k % 20_000],
        )
        row.search_text = contact_search_text(row, self.company(customer).name)
        return vars(row)

    # opportunities ------------------------------------------------------------------------

    def opportunity(self, k: int) -> dict:
        from guanxi.sales.search import opportunity_search_text

        v = self.vocab
        customer = (k * 7_919) % self.n["customers"]
        c = self.company(customer)
        status = ("open", "open", "open", "open", "open", "open", "won", "won", "lost", "lost")[
            mix(k, 1) % 10
        ]
        changed = self.stamps[mix(k, 2) % 20_000]
        row = SimpleNamespace(
            id=self.base["opportunities"] + k,
            customer_id=self.customer_id(customer),
            owner_id=self.owner(customer),
            name=f"{c.brand}{v.products[k % len(v.products)]}{KINDS[(k // 3) % len(KINDS)]}项目",
            stage_id=self.stages[mix(k, 3) % len(self.stages)],
            amount=f"{(mix(k, 4) % 199_000_000 + 1_000_000) / 100:.2f}",
            probability=mix(k, 5) % 101,
            status=status,
            competitor_notes="",
            stage_changed_at=changed,
            closed_at=None if status == "open" else changed,
            created_at=changed,
            updated_at=changed,
        )
        row.search_text = opportunity_search_text(row, customer_name=c.name)
        return vars(row)

    # contracts and payments ---------------------------------------------------------------

    @staticmethod
    def contract_money(k: int) -> tuple[str, int, int]:
        """Status, total and paid (cents) of contract k."""
        statuses = ("draft", "pending", "approved", "executing", "completed", "rejected")
        status = statuses[mix(k, 6) % 6]
        total = mix(k, 7) % 49_900_000 + 100_000
        paid = 0
        if status in ("approved", "executing", "completed"):
            paid = total * (0, 3, 5, 10)[mix(k, 8) % 4] // 10
        return status, total, paid

    def contract(self, k: int) -> dict:
        from guanxi.sales.search import contract_search_text

        customer = (k * 5) % self.n["customers"]
        c = self.company(customer)
        status, total, paid = self.contract_money(k)
        owner = self.owner(customer)
        row = SimpleNamespace(
            id=self.base["contracts"] + k,
            number=f"{BENCH_CODE}-{k:08d}",
            title=f"{c.product}{CONTRACT_KINDS[k % len(CONTRACT_KINDS)]}",
            customer_id=self.customer_id(customer),
            owner_id=owner,
            created_by_id=owner,
            updated_by_id=owner,
            status=status,
            total=f"{total / 100:.2f}",
            paid=f"{paid / 100:.2f}",
            signed_on=None if status in ("draft", "pending") else self.days[k % 730],
            submitted_at=None if status == "draft" else self.now,
            created_at=self.stamps[k % 20_000],
            updated_at=self.stamps[k % 20_000],
        )
        row.search_text = contract_search_text(row, customer_name=c.name)
        return vars(row)

    def plan_payments(self) -> None:
        """Which contract each payment belongs to, so the payments of a contract add up to
        what it says is paid: every paid contract gets ⌊n/paid⌋ or one more."""
        paid = [k for k in range(self.n["contracts"]) if self.contract_money(k)[2] > 0]
        self.paid_contracts = paid

    def payment(self, i: int) -> dict:
        paid = self.paid_contracts
        per, extra = divmod(self.n["payments"], len(paid))
        # contracts [0, extra) get per+1 payments, the others per
        if i < extra * (per + 1):
            j, part, parts = i // (per + 1), i % (per + 1), per + 1
        else:
            rest = i - extra * (per + 1)
            j, part, parts = extra + rest // per, rest % per, per
        k = paid[j]
        _status, _total, cents = self.contract_money(k)
        share = cents // parts
        amount = share if part < parts - 1 else cents - share * (parts - 1)
        return {
            "id": self.base["payments"] + i,
            "contract_id": self.base["contracts"] + k,
            "date": self.days[(k + part * 30) % 730],
            "amount": f"{amount / 100:.2f}",
            "created_at": self.now,
            "updated_at": self.now,
        }

    # feedback and products ----------------------------------------------------------------

    def feedback(self, k: int) -> dict:
        from guanxi.service.search import feedback_search_text

        customer = (k * 13) % self.n["customers"]
        c = self.company(customer)
        contact = customer if customer < self.n["contacts"] else None
        content = f"{c.product}{TOPICS[k % len(TOPICS)]}"
        row = SimpleNamespace(
            id=self.base["feedback"] + k,
            customer_id=self.customer_id(customer),
            contact_id=None if contact is None else self.contact_id(contact),
            date=self.days[k % 730],
            content=content,
            reported_by_id=self.owner(customer),
            created_by_id=self.owner(customer),
            updated_by_id=self.owner(customer),
            created_at=self.stamps[k % 20_000],
            updated_at=self.stamps[k % 20_000],
        )
        contact_name = "" if contact is None else self.person(contact)[0]
        row.search_text = feedback_search_text(row, customer_name=c.name, contact_name=contact_name)
        return vars(row)

    def product(self, k: int) -> dict:
        from guanxi.sales.search import product_search_text

        v = self.vocab
        brand = v.brands[k % len(v.brands)]
        product = v.products[(k // len(v.brands)) % len(v.products)]
        spec = SPECS[(k // 7) % len(SPECS)]
        full, initials = v.compose(brand, product, spec)
        row = SimpleNamespace(
            id=self.base["products"] + k,
            code=f"BP-{k:05d}",
            name=f"{brand}{product}{spec}",
            specification=f"{spec}-{k % 97}",
            category=product,
            list_price=f"{(k * 37) % 100_000 + 10}.00",
            is_active=self.true if k % 10 else not self.true,
            name_pinyin=full,
            name_initials=initials,
            created_at=self.now,
            updated_at=self.now,
        )
        row.search_text = product_search_text(row)
        return vars(row)


TABLES = [
    # label, model path, the Plan method making row k
    ("customers", "customers.Customer", "customer"),
    ("contacts", "customers.Contact", "contact"),
    ("opportunities", "sales.Opportunity", "opportunity"),
    ("contracts", "sales.Contract", "contract"),
    ("payments", "sales.Payment", "payment"),
    ("feedback", "service.Feedback", "feedback"),
    ("products", "sales.Product", "product"),
]

_PLAN: Plan | None = None
_FAST_PHONE = None


def _make_batch(job: tuple[str, int, int]) -> tuple[list[tuple], float]:
    """Rows [start, stop) of one table in the engine's form, and the CPU seconds they took."""
    label, start, stop = job
    cpu = time.process_time()
    loader = _PLAN.loaders[label]
    make = getattr(_PLAN, next(method for name, _path, method in TABLES if name == label))
    return [loader.values(make(k)) for k in range(start, stop)], time.process_time() - cpu


# --- the schema during the load -----------------------------------------------------------


def secondary_schema(connection, tables: list[str]) -> list[tuple[str, str, str]]:
    """(kind, name, CREATE statement) of the indexes and triggers on `tables` that can be
    dropped and recreated: everything but primary keys and constraints' own indexes."""
    out = []
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s "
                    "AND type IN ('index', 'trigger') AND sql IS NOT NULL",
                    [table],
                )
                out += cursor.fetchall()
            else:
                cursor.execute(
                    "SELECT 'index', i.indexname, i.indexdef FROM pg_indexes i "
                    "WHERE i.tablename = %s AND i.schemaname = current_schema() "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                    [table],
                )
                out += cursor.fetchall()
    return out


def drop_schema(connection, items) -> None:
    with connection.cursor() as cursor:
        for kind, name, _sql in items:
            cursor.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')


def recreate_schema(connection, items, *, jobs: int) -> None:
    """Run the CREATE statements again. PostgreSQL builds `jobs` indexes at a time, each in
    its own session (the big GIN trigram builds are single-threaded); SQLite has one writer."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run(item) -> None:
        kind, name, sql = item
        started = time.perf_counter()
        conn = connections["default"]  # this thread's own connection
        try:
            with conn.cursor() as cursor:
                if conn.vendor == "postgresql":
                    cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute(sql)
        finally:
            if conn is not connection:
                conn.close()
        took = time.perf_counter() - started
        if took > 1:
            print(f"  {kind} {name}: {took:.1f}s", flush=True)

    if connection.vendor != "postgresql" or jobs < 2:
        for item in items:
            run(item)
        return
    # the biggest first, so the pool does not end on one long build
    ordered = sorted(items, key=lambda item: "gin" not in item[2].lower())
    with ThreadPoolExecutor(jobs) as threads:
        list(threads.map(run, ordered))


def fts_rebuild(connection, table: str) -> None:
    """Index every row again, with a 64 MB in-memory term hash instead of FTS5's default 1 MB:
    fewer, bigger segments to write and merge, half the CPU at 200k rows. The option goes back
    to the default afterwards, for the app's own (small) writes."""
    fts = f'"{table}_search"'
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {64 << 20})")
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('hashsize', {1 << 20})")


@contextlib.contextmanager
def bulk_session(connection):
    """Session settings for the load only: no fsync and a big cache (SQLite), no FK
    triggers and more memory for index builds (PostgreSQL). Restored afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA journal_mode=MEMORY")
            cursor.execute("PRAGMA cache_size=-2000000")
            cursor.execute("PRAGMA temp_store=MEMORY")
        else:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 1")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA cache_size=-2000")
            else:
                cursor.execute("SET session_replication_role = origin")
                cursor.execute("RESET synchronous_commit")
                cursor.execute("RESET maintenance_work_mem")


def reset_sequences(connection, models) -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the build ----------------------------------------------------------------------------


def check_sample(plan: Plan, rows: dict[str, list[tuple[int, dict]]]) -> None:
    """The bulk rows (made with the memoised functions) equal what the app's own functions
    give unmemoised, on real pypinyin and phonenumbers: normalised name, phones, pinyin,
    initials, credit code and search text. Run outside `memoised_app_functions`."""
    from guanxi.common.text import normalize_name, normalize_phone, pinyin_full, pinyin_initials
    from guanxi.common.validators import clean_credit_code
    from guanxi.customers.search import contact_search_text, customer_search_text
    from guanxi.sales.search import (
        contract_search_text,
        opportunity_search_text,
        product_search_text,
    )
    from guanxi.service.search import feedback_search_text

    def same(label, k, got, want):
        assert got == want, f"{label} {k}: bulk {got!r} != app {want!r}"

    n = plan.n["customers"]
    for k, row in rows["customers"]:
        row = SimpleNamespace(**row)
        same("customer pinyin", k, row.name_pinyin, pinyin_full(row.name)[:600])
        same("customer initials", k, row.name_initials, pinyin_initials(row.name)[:200])
        same("customer name", k, row.normalized_name, normalize_name(row.name))
        same("customer phone", k, row.phone_normalized, normalize_phone(row.phone))
        same("customer text", k, row.search_text, customer_search_text(row))
        if row.credit_code:
            same("credit code", k, clean_credit_code(row.credit_code), row.credit_code)
    for k, row in rows["contacts"]:
        row = SimpleNamespace(**row)
        same("contact pinyin", k, row.name_pinyin, pinyin_full(row.name))
        same("contact initials", k, row.name_initials, pinyin_initials(row.name))
        same("contact mobile", k, row.mobile_normalized, normalize_phone(row.mobile))
        name = plan.company(k % n).name
        same("contact text", k, row.search_text, contact_search_text(row, name))
    for k, row in rows["opportunities"]:
        row = SimpleNamespace(**row)
        name = plan.company((k * 7_919) % n).name
        same("opp text", k, row.search_text, opportunity_search_text(row, customer_name=name))
    for k, row in rows["contracts"]:
        row = SimpleNamespace(**row)
        name = plan.company((k * 5) % n).name
        same("contract text", k, row.search_text, contract_search_text(row, customer_name=name))
    for k, row in rows["feedback"]:
        row = SimpleNamespace(**row)
        customer = (k * 13) % n
        contact = plan.person(customer)[0] if customer < plan.n["contacts"] else ""
        want = feedback_search_text(
            row, customer_name=plan.company(customer).name, contact_name=contact
        )
        same("feedback text", k, row.search_text, want)
    for k, row in rows["products"]:
        row = SimpleNamespace(**row)
        same("product pinyin", k, row.name_pinyin, pinyin_full(row.name))
        same("product initials", k, row.name_initials, pinyin_initials(row.name))
        same("product text", k, row.search_text, product_search_text(row))


def sample_numbers(n: int, rng: random.Random, size: int = 300) -> list[int]:
    if n <= 0:
        return []
    return sorted({0, n - 1, *(rng.randrange(n) for _ in range(size))})


def next_ids(models) -> dict[str, int]:
    from django.db.models import Max

    return {
        label: (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
        for label, model in models.items()
    }


def build(args, *, schema_tricks: bool = True) -> dict:
    """Generate and load the data set; returns {label: (rows, seconds)}. `schema_tricks`
    (the default) drops indexes, triggers and FK checks during the load; the test of the
    bulk rows runs without them, inside its transaction."""
    global _PLAN, _FAST_PHONE
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    models = {label: apps.get_model(path) for label, path, _m in TABLES}
    plan = Plan(args, connection, base=next_ids(models))
    for label, model in models.items():
        plan.loaders[label] = Loader(model, connection)
    methods = {label: getattr(plan, method) for label, _p, method in TABLES}
    rng = random.Random(9)
    with memoised_app_functions(plan.vocab) as fast_phone:
        _FAST_PHONE = fast_phone
        sample = {
            label: [(k, methods[label](k)) for k in sample_numbers(plan.n[label], rng)]
            for label in plan.n
            if label != "payments"
        }
    check_sample(plan, sample)
    plan.plan_payments()
    if not plan.paid_contracts:
        plan.n["payments"] = 0
    tables = [m._meta.db_table for m in models.values()]
    searchable = [m._meta.db_table for m in models.values() if getattr(m, "search_indexed", 0)]
    stats: dict = {}
    pool = None
    with memoised_app_functions(plan.vocab):
        _PLAN = plan
        if args.jobs > 1:
            import multiprocessing

            connection.close()  # the generators never use the database: no shared socket
            pool = multiprocessing.get_context("fork").Pool(args.jobs)
        try:
            with bulk_session(connection) if schema_tricks else contextlib.nullcontext():
                dropped = secondary_schema(connection, tables) if schema_tricks else []
                drop_schema(connection, dropped)
                load_tables(plan, connection, pool, stats)
                reset_sequences(connection, list(models.values()))
                t = time.perf_counter()
                recreate_schema(connection, dropped, jobs=args.jobs)
                if connection.vendor == "sqlite" and schema_tricks:
                    for table in searchable:
                        t1 = time.perf_counter()
                        with transaction.atomic():
                            fts_rebuild(connection, table)
                        took = time.perf_counter() - t1
                        print(f"  search index {table}: {took:.1f}s", flush=True)
                stats["indexes rebuilt"] = (0, time.perf_counter() - t)
        finally:
            _PLAN = None
            if pool:
                pool.close()
                pool.join()
    t = time.perf_counter()
    call_command("rebuild_sales_totals", verbosity=1 if schema_tricks else 0)
    stats["summary rows rebuilt"] = (0, time.perf_counter() - t)
    if schema_tricks:  # not inside a test's transaction
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stats["ANALYZE"] = (0, time.perf_counter() - t)
    stats["total"] = (sum(n for n, _ in stats.values()), time.perf_counter() - started)
    return stats


def load_tables(plan: Plan, connection, pool, stats: dict) -> None:
    from django.db import transaction

    for label, _path, _method in TABLES:
        n = plan.n[label]
        loader = plan.loaders[label]
        pieces = [(label, s, min(s + BATCH, n)) for s in range(0, n, BATCH)]
        batches = pool.imap(_make_batch, pieces) if pool else map(_make_batch, pieces)
        t, cpu = time.perf_counter(), time.process_time()
        done, generating = 0, 0.0
        for values, seconds in batches:
            with transaction.atomic():
                loader.write(connection, values)
            done += len(values)
            generating += seconds
            rate = done / max(time.perf_counter() - t, 1e-9)
            print(f"  … {label}: {done:>9,} ({rate:,.0f} rows/s)", end="\r", flush=True)
        took, cpu = time.perf_counter() - t, time.process_time() - cpu
        if pool is None:
            cpu -= generating  # the main process generated them itself
        stats[label] = (n, took)
        # CPU seconds: the wall clock on a shared machine also counts waiting for a core.
        # Writing includes SQLite's own work; PostgreSQL's server side is not counted.
        per_cpu = n / max(generating + cpu, 1e-9)
        print(
            f"  {label}: {n:,} rows in {took:.1f}s = {n / max(took, 1e-9):,.0f} rows/s "
            f"(CPU: generating {generating:.1f}s, writing {cpu:.1f}s; "
            f"{per_cpu:,.0f} rows per CPU-second)",
            flush=True,
        )


def print_build(stats: dict) -> None:
    print("\nbuild summary")
    for label, (n, took) in stats.items():
        rate = f"{n / took:>10,.0f} rows/s" if n and took else ""
        rows = f"{n:>10,}" if n else " " * 10
        print(f"  {label:<22} {rows} {took:8.1f}s {rate}")


# --- timing -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from guanxi.accounts.models import User

    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def get(port: int, path: str, headers: dict) -> tuple[float, int, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={"Accept-Language": "en", **headers})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return (time.perf_counter() - started) * 1000, response.status, len(body)


def pad(text: str, width: int) -> str:
    """Left-align in a fixed-width column; CJK characters take two columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cases() -> list[tuple[str, str, tuple[str, ...], dict]]:
    """(label, path, users, extra headers). Search terms come from the generated rows."""
    from guanxi.accounts.models import User
    from guanxi.customers.models import Contact, Customer
    from guanxi.reference.models import OpportunityStage
    from guanxi.sales import selectors
    from guanxi.sales.models import Contract, Opportunity, Product

    q = urllib.parse.quote
    everyone, search_users = ("admin", "manager"), ("admin", "manager", "sales1")
    htmx = {"HX-Request": "true"}
    total = Customer.all_objects.filter(code__startswith=BENCH_CODE).count()
    # customer k is owned by sales1 when k % 4 == 0 (seen by sales1, manager and admin) and
    # has a credit code when k is even
    rare = Customer.objects.filter(code=f"{BENCH_CODE}{(total // 3) & ~3:08d}").first()
    some = Customer.objects.filter(code=f"{BENCH_CODE}{(total // 2) & ~3:08d}").first()
    if rare is None or some is None:
        raise SystemExit("no bench customers: build first")
    contact = Contact.objects.filter(customer=some).order_by("pk").first()
    board_customer = (
        Opportunity.objects.filter(status="open", owner__username="sales1")
        .order_by("-pk")
        .values_list("customer", flat=True)
        .first()
    )
    contract = Contract.objects.filter(number__startswith=f"{BENCH_CODE}-").order_by("pk").last()
    product = Product.objects.filter(code__startswith="BP-").order_by("pk").last()
    stage = OpportunityStage.objects.filter(is_active=True).order_by("sort_order").first()
    admin = User.objects.get(username="admin")
    try:  # the first column's "more" link, as the board renders it
        column = next(iter(selectors.opportunity_board(reader=admin)))
        after = column.get("cursor") or ""
        stage_id = getattr(column.get("stage"), "pk", None) or stage.pk
    except Exception as error:  # noqa: BLE001 (the board's shape is another helper's work)
        print(f"(board 'more' cursor not found: {error!r})")
        after, stage_id = "", stage.pk
    more = f"/opportunities/board/cards/?stage={stage_id}&after={q(after)}"
    digits = "".join(ch for ch in some.phone if ch.isdigit())
    pages = [
        ("floor: bare Django 50 rows", "/bench-floor/"),
        ("home", "/"),
        ("customers list", "/customers/"),
        ("customers recycle bin", "/customers/bin/"),
        ("contacts list", "/contacts/"),
        ("opportunities list", "/opportunities/"),
        ("pipeline board", "/opportunities/board/"),
        ("board, one customer", f"/opportunities/board/?customer={board_customer}"),
        ("board, more cards", more),
        ("contracts list", "/contracts/"),
        ("approval queue", "/contracts/approvals/"),
        ("payments list", "/payments/"),
        ("receivables", "/receivables/"),
        ("sales records list", "/sales-records/"),
        ("products list", "/products/"),
        ("tasks list", "/tasks/"),
        ("feedback list", "/feedback/"),
        ("service requests list", "/service-requests/"),
        ("care list", "/care/"),
        ("churn list", "/care/churn/"),
        ("lost customers list", "/care/lost/"),
        ("competitors list", "/competitors/"),
        ("news list", "/news/"),
        ("API customers", "/api/v1/customers/"),
        ("API opportunities", "/api/v1/opportunities/"),
        ("API contracts", "/api/v1/contracts/"),
    ]
    out = [(label, path, everyone, {}) for label, path in pages]
    out[0] = (out[0][0], out[0][1], search_users, {})  # the floor, for every user timed
    out.insert(-3, ("audit log", "/system/audit/", ("admin",), {}))
    searches = [
        ("search customers: name fragment 华瑞金鼎", f"/customers/?q={q('华瑞金鼎')}"),
        ("search customers: 2-char 恒通", f"/customers/?q={q('恒通')}"),
        ("search customers: rare exact name", f"/customers/?q={q(rare.name)}"),
        ("search customers: phone", f"/customers/?q={q(some.phone)}"),
        ("search customers: phone fragment", f"/customers/?q={digits[3:10]}"),
        ("search customers: code", f"/customers/?q={some.code}"),
        ("search customers: credit code", f"/customers/?q={some.credit_code}"),
        ("search customers: pinyin full name", f"/customers/?q={rare.name_pinyin}"),
        ("search customers: pinyin initials", f"/customers/?q={rare.name_initials[:6]}"),
        ("search customers: 2 initials", "/customers/?q=ht"),
        ("search API customers: phone", f"/api/v1/customers/?search={q(some.phone)}"),
        ("search API customers: 恒通", f"/api/v1/customers/?search={q('恒通')}"),
        ("search contacts: person 王伟", f"/contacts/?q={q('王伟')}"),
        ("search contacts: mobile", f"/contacts/?q={contact.mobile if contact else ''}"),
        ("search contacts: company name", f"/contacts/?q={q(rare.name)}"),
        ("search opportunities: 轴承设备采购", f"/opportunities/?q={q('轴承设备采购')}"),
        ("search opportunities: 2-char 恒通", f"/opportunities/?q={q('恒通')}"),
        ("search opportunities: customer name", f"/opportunities/?q={q(rare.name)}"),
        ("search contracts: number", f"/contracts/?q={contract.number if contract else ''}"),
        ("search contracts: customer name", f"/contracts/?q={q(rare.name)}"),
        ("search feedback: 包装破损", f"/feedback/?q={q('包装破损')}"),
        ("search feedback: customer name", f"/feedback/?q={q(rare.name)}"),
        ("search products: code", f"/products/?q={product.code if product else ''}"),
        ("search products: name 轴承", f"/products/?q={q('轴承')}"),
        ("search products: pinyin", "/products/?q=zhoucheng"),
        ("quick search top bar: 恒通", f"/search/?q={q('恒通')}", htmx),
        ("quick search top bar: phone", f"/search/?q={q(some.phone)}", htmx),
        ("quick search top bar: pinyin", f"/search/?q={rare.name_pinyin}", htmx),
        ("quick search page: name", f"/search/?q={q(rare.name)}"),
        ("quick search API: 恒通", f"/api/v1/search/?q={q('恒通')}"),
        ("quick search API: phone", f"/api/v1/search/?q={q(some.phone)}"),
    ]
    out += [
        (label, path, search_users, headers[0] if headers else {})
        for label, path, *headers in searches
    ]
    return out


def time_pages(args) -> None:
    from django.db import connection

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    all_cases = cases()
    wanted = [
        c for c in all_cases if not args.only or any(o.lower() in c[0].lower() for o in args.only)
    ]
    if not wanted[0][0].startswith("floor"):
        wanted.insert(0, all_cases[0])
    timed = [c for c in wanted if not c[0].startswith("floor")] or wanted
    users = sorted({u for c in timed for u in c[2]}, key=["admin", "manager", "sales1"].index)
    cookies = {u: session_cookie(u) for u in users}
    connection.close()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--timeout=300",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(300):
            try:
                get(port, "/healthz", {})
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"\n{connection.vendor}, gunicorn 2 workers, real HTTP; "
            f"{args.repeat} requests per case after 3 warm-up; "
            f"load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        print(f"{'case':<42} {'user':<8} {'p50 ms':>8} {'p95 ms':>8} {'×floor':>7} {'KB':>7}")
        floor: dict[str, float] = {}
        bad = 0
        for username in users:
            cookie = {"Cookie": cookies[username]}
            for label, path, who, headers in wanted:
                if username not in who:
                    continue
                h = {**cookie, **headers}
                warm = time.perf_counter()
                # the floor comes first: it also warms the worker processes up
                for _ in range(20 if label.startswith("floor") else 3):
                    get(port, path, h)
                # a page that takes seconds gets fewer requests (at least 5), not minutes
                budget = max(args.budget, 5 * (time.perf_counter() - warm) / 3)
                times, sizes, statuses = [], [], set()
                started = time.perf_counter()
                for _ in range(args.repeat):
                    ms, status, size = get(port, path, h)
                    times.append(ms)
                    sizes.append(size)
                    statuses.add(status)
                    if time.perf_counter() - started > budget:
                        break
                p50, p95 = statistics.median(times), percentile(times, 95)
                if label.startswith("floor"):
                    floor[username] = p50
                ratio = p50 / floor[username] if floor.get(username) else float("nan")
                flag = "" if statuses == {200} else f"  STATUS {sorted(statuses)}"
                bad += bool(flag)
                print(
                    f"{pad(label, 42)} {username:<8} {p50:8.1f} {p95:8.1f} {ratio:7.1f} "
                    f"{max(sizes) / 1024:7.1f}{flag}"
                    + (f"  ({len(times)} requests)" if len(times) < args.repeat else ""),
                    flush=True,
                )
        load = os.getloadavg()
        print(
            f"machine load average at the end (1/5/15 min): {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f} on {os.cpu_count()} CPUs" + (f"; {bad} case(s) not 200" if bad else "")
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int)
    parser.add_argument("--opportunities", type=int)
    parser.add_argument("--contracts", type=int)
    parser.add_argument("--payments", type=int)
    parser.add_argument("--feedback", type=int)
    parser.add_argument("--products", type=int)
    parser.add_argument("--jobs", type=int, default=2, help="row-generating processes")
    parser.add_argument("--repeat", type=int, default=30, help="requests per case")
    parser.add_argument(
        "--budget", type=float, default=20, help="seconds per case before fewer requests"
    )
    parser.add_argument("--only", action="append", help="time the cases whose label has this")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args(argv)
    n = args.customers
    args.contacts = n if args.contacts is None else args.contacts
    args.opportunities = n if args.opportunities is None else args.opportunities
    args.contracts = n // 5 if args.contracts is None else args.contracts
    args.payments = args.contracts if args.payments is None else args.payments
    args.feedback = n // 5 if args.feedback is None else args.feedback
    args.products = max(1, n // 50) if args.products is None else args.products
    return args


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_million.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("GUANXI_SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "127.0.0.1,localhost")
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer

    started = time.perf_counter()
    call_command("migrate", verbosity=0)  # a copy made before someone's new migration
    if time.perf_counter() - started > 2:
        print(f"migrated in {time.perf_counter() - started:.0f}s")
    if not args.skip_build:
        if not User.objects.exists():
            call_command("load_demo", customers=20, verbosity=0)
        if Customer.all_objects.filter(code__startswith=BENCH_CODE).exists():
            print("the bench rows are there already: timing only (drop the database to rebuild)")
        else:
            print(
                f"building on {connection.vendor} with {args.jobs} generator process(es): "
                f"{args.customers:,} customers, {args.contacts:,} contacts, "
                f"{args.opportunities:,} opportunities, {args.contracts:,} contracts, "
                f"{args.payments:,} payments, {args.feedback:,} feedback, "
                f"{args.products:,} products",
                flush=True,
            )
            print_build(build(args))
    if not args.build_only:
        time_pages(args)


if __name__ == "__main__":
    main()
