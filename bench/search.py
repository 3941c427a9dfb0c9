"""Benchmark: search at a million customers and contacts, on the engine DATABASE_URL names.

    DATABASE_URL=sqlite:///var/bench_search.sqlite3 .venv/bin/python bench/search.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_search_bench \
        .venv/bin/python bench/search.py --rows 1000000

Builds the data set once (migrate, the demo organisation, then generated customers with one
contact each, through the bulk path: pinyin computed once per distinct name part, bulk inserts
of BATCH rows with the search index dropped and rebuilt afterwards) and keeps it between runs.
Then times the searches through the real pages and API (Django test client: URL routing,
middleware, the selectors, the template or serializer and the capped count are all in the
figure) and prints p50/p95 per case in ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("GUANXI_SECRET_KEY", "bench-only")
os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench_search.sqlite3")

BATCH = 10_000
CODE_PREFIX = "S"  # generated customers' codes: S00000000 …


class Pinyin:
    """Pinyin and initials per distinct name part: a million names share a few hundred parts,
    and pypinyin is what made per-row inserts slow."""

    def __init__(self) -> None:
        from guanxi.common.text import pinyin_full, pinyin_initials

        self._full, self._initials = pinyin_full, pinyin_initials
        self.cache: dict[str, tuple[str, str]] = {}

    def __call__(self, *parts: str) -> tuple[str, str]:
        full, initials = [], []
        for part in parts:
            hit = self.cache.get(part)
            if hit is None:
                hit = self.cache[part] = (self._full(part), self._initials(part))
            full.append(hit[0])
            initials.append(hit[1])
        return "".join(full), "".join(initials)


def _drop_search_index(connection, tables: list[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "sqlite":
                for suffix in ("ai", "ad", "au"):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{table}_search_{suffix}"')
            else:
                cursor.execute(f'DROP INDEX IF EXISTS "{table}_search_trgm"')


def _restore_search_index(connection, tables: list[str]) -> None:
    from guanxi.common.search import ensure_sqlite_search_tables

    if connection.vendor == "sqlite":
        ensure_sqlite_search_tables()  # recreates the triggers and rebuilds the FTS index
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_search_trgm" '
                f'ON "{table}" USING gin (search_text gin_trgm_ops)'
            )


class BulkWriter:
    """Rows straight into a table: executemany on SQLite, COPY on PostgreSQL. The ORM's
    bulk_create spends most of its time compiling the INSERT, not running it."""

    def __init__(self, connection, model) -> None:
        self.connection, self.model = connection, model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults = {
            f.attname: f.get_db_prep_save(f.get_default(), connection) for f in self.fields
        }

    def write(self, rows: list[dict]) -> None:
        names = [f.attname for f in self.fields]
        values = [tuple(row.get(n, self.defaults[n]) for n in names) for row in rows]
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", values)

    def reset_sequence(self) -> None:
        if self.connection.vendor != "postgresql":
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


def build(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.common.text import normalize_name
    from guanxi.customers.demo import data
    from guanxi.customers.models import Contact, Customer
    from guanxi.customers.search import contact_search_text, customer_search_text
    from guanxi.reference.models import Region

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("load_demo", customers=20, verbosity=0)
    have = Customer.all_objects.filter(code__startswith=CODE_PREFIX).count()
    if have >= rows:
        return
    sales = list(
        User.objects.filter(username__in=["sales1", "sales2"])
        .order_by("username")
        .values_list("pk", flat=True)
    )
    regions = list(Region.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    cities = [city for city, _ in data.EAST_CITIES.values()]
    pinyin = Pinyin()
    rng = random.Random(7)
    now = timezone.now()
    stamp = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    customer_id = (Customer.all_objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    contact_id = (Contact.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    customers_out, contacts_out = BulkWriter(connection, Customer), BulkWriter(connection, Contact)
    tables = [Customer._meta.db_table, Contact._meta.db_table]
    _drop_search_index(connection, tables)
    if connection.vendor == "sqlite":  # a throwaway database: no fsync, a big page cache
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
    started = time.perf_counter()
    for start in range(have, rows, BATCH):
        customers, contacts = [], []
        for i in range(start, min(start + BATCH, rows)):
            city, brand = rng.choice(cities), rng.choice(data.BRANDS)
            product, suffix = rng.choice(data.PRODUCTS)[0], rng.choice(data.SUFFIXES)
            name = f"{city}{brand}{product}{i}{suffix}"
            full, initials = pinyin(city, brand, product, suffix)
            phone = f"1{rng.randint(3, 8)}{rng.randint(100000000, 999999999)}"
            c = SimpleNamespace(
                id=customer_id,
                code=f"{CODE_PREFIX}{i:08d}",
                name=name,
                short_name=f"{brand}{product}" if i % 3 == 0 else "",
                owner_id=sales[i % 2],
                region_id=rng.choice(regions),
                status=rng.choice(["prospect", "active", "lost"]),
                review_status="approved",
                phone=phone,
                credit_code=f"91{rng.getrandbits(64):016X}",
                normalized_name=normalize_name(name),
                phone_normalized=phone,
                name_pinyin=full,
                name_initials=initials,
                created_at=stamp,
                updated_at=stamp,
            )
            c.search_text = customer_search_text(c)
            customers.append(vars(c))
            surname, given = rng.choice(data.SURNAMES), rng.choice(data.GIVEN)
            p_full, p_initials = pinyin(surname, given)
            mobile = f"13{rng.randint(100000000, 999999999)}"
            p = SimpleNamespace(
                id=contact_id,
                customer_id=customer_id,
                name=surname + given,
                mobile=mobile,
                phone="",
                email="",
                wechat="",
                mobile_normalized=mobile,
                is_primary=True,
                name_pinyin=p_full,
                name_initials=p_initials,
                created_at=stamp,
                updated_at=stamp,
            )
            p.search_text = contact_search_text(p, name)
            contacts.append(vars(p))
            customer_id += 1
            contact_id += 1
        with transaction.atomic():
            customers_out.write(customers)
            contacts_out.write(contacts)
        done = min(start + BATCH, rows)
        elapsed = time.perf_counter() - started
        rate = 2 * (done - have) / elapsed
        print(
            f"  … {done:>9,} customers + contacts ({elapsed:.0f}s, {rate:,.0f} rows/s)",
            end="\r",
            flush=True,
        )
    customers_out.reset_sequence()
    contacts_out.reset_sequence()
    loaded = time.perf_counter() - started
    print(
        f"\n  inserted {rows - have:,} customers and as many contacts in {loaded:.0f}s "
        f"({2 * (rows - have) / loaded:,.0f} rows/s)"
    )
    t = time.perf_counter()
    _restore_search_index(connection, tables)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  search index built and statistics gathered in {time.perf_counter() - t:.0f}s")


def build_sales(opportunities: int, contracts: int) -> None:
    """Opportunities and contracts on the generated customers (the quick search's other two
    groups), through the same bulk path; kept between runs like the customers."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from guanxi.customers.demo import data
    from guanxi.reference.models import OpportunityStage
    from guanxi.sales.models import Contract, Opportunity
    from guanxi.sales.search import contract_search_text, opportunity_search_text

    have_opps = Opportunity.objects.filter(name__startswith="基准").count()
    have_contracts = Contract.objects.filter(number__startswith="BC-").count()
    if have_opps >= opportunities and have_contracts >= contracts:
        return
    from guanxi.customers.models import Customer

    lo = Customer.all_objects.filter(code=f"{CODE_PREFIX}{0:08d}").values_list("pk", flat=True)[0]
    customers = dict(Customer.all_objects.filter(pk__gte=lo).values_list("pk", "name").iterator())
    owners = dict(Customer.all_objects.filter(pk__gte=lo).values_list("pk", "owner_id").iterator())
    ids = list(customers)
    stages = list(OpportunityStage.objects.filter(is_active=True).values_list("pk", flat=True))
    rng = random.Random(13)
    now = timezone.now()
    stamp = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    tables = [Opportunity._meta.db_table, Contract._meta.db_table]
    _drop_search_index(connection, tables)
    started = time.perf_counter()
    out = BulkWriter(connection, Opportunity)
    next_id = (Opportunity.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    for start in range(have_opps, opportunities, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, opportunities)):
            customer = ids[i % len(ids)]
            product = rng.choice(data.PRODUCTS)[0]
            o = SimpleNamespace(
                id=next_id,
                customer_id=customer,
                name=f"基准{product}项目{i}",
                stage_id=rng.choice(stages),
                amount=rng.randint(1, 500) * 1000,
                probability=rng.choice([10, 30, 50, 70, 90]),
                owner_id=owners[customer],
                status="open",
                competitor_notes="",
                created_at=stamp,
                updated_at=stamp,
                stage_changed_at=stamp,
            )
            o.search_text = opportunity_search_text(o, customer_name=customers[customer])
            rows.append(vars(o))
            next_id += 1
        with transaction.atomic():
            out.write(rows)
    out.reset_sequence()
    out = BulkWriter(connection, Contract)
    next_id = (Contract.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    for start in range(have_contracts, contracts, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, contracts)):
            customer = ids[(i * 7) % len(ids)]
            product = rng.choice(data.PRODUCTS)[0]
            c = SimpleNamespace(
                id=next_id,
                number=f"BC-{i:08d}",
                title=f"{product}采购合同",
                customer_id=customer,
                owner_id=owners[customer],
                status="active",
                created_at=stamp,
                updated_at=stamp,
            )
            c.search_text = contract_search_text(c, customer_name=customers[customer])
            rows.append(vars(c))
            next_id += 1
        with transaction.atomic():
            out.write(rows)
    out.reset_sequence()
    loaded = time.perf_counter() - started
    n = opportunities - have_opps + contracts - have_contracts
    print(
        f"  inserted {n:,} opportunities and contracts in {loaded:.0f}s ({n / loaded:,.0f} rows/s)"
    )
    t = time.perf_counter()
    _restore_search_index(connection, tables)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  search index built and statistics gathered in {time.perf_counter() - t:.0f}s")


def timed(client, url: str, repeat: int, headers=None) -> tuple[float, float, int, int]:
    times = []
    status = length = 0
    headers = {"accept-language": "en", **(headers or {})}
    client.get(url, headers=headers)  # warm the caches, as a user's second search would
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        status, length = response.status_code, len(response.content)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, status, length


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--no-sales",
        action="store_true",
        help="skip the opportunities and contracts (rows/5, rows/20)",
    )
    args = parser.parse_args()
    Path("var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer

    print(f"Building {args.rows:,} customers on {connection.vendor} …")
    build(args.rows)
    if not args.no_sales:
        build_sales(args.rows // 5, args.rows // 20)
    if args.build_only:
        return
    total = Customer.objects.count()
    middle = Customer.objects.filter(code=f"{CODE_PREFIX}{min(total, args.rows) // 2:08d}").first()
    rare = Customer.objects.filter(code=f"{CODE_PREFIX}{min(total, args.rows) // 3:08d}").first()
    q = quote
    cases = [
        ("floor: contracts list (40 rows)", "/contracts/"),
        ("floor: customer list, no search", "/customers/"),
        ("substring name (4 CJK)", f"/customers/?q={q('恒通轴承')}"),
        ("2-char CJK 恒通", f"/customers/?q={q('恒通')}"),
        ("rare exact name", f"/customers/?q={q(rare.name)}"),
        ("phone", f"/customers/?q={middle.phone}"),
        ("phone fragment (7 digits)", f"/customers/?q={middle.phone[2:9]}"),
        ("pinyin", "/customers/?q=hengtongzhoucheng"),
        ("initials (4 letters)", "/customers/?q=htzc"),
        ("initials (2 letters)", "/customers/?q=ht"),
        ("code", f"/customers/?q={middle.code}"),
        ("credit code", f"/customers/?q={middle.credit_code}"),
        ("contacts: person name", f"/contacts/?q={q('王伟')}"),
        ("contacts: mobile", f"/contacts/?q={middle.contacts.first().mobile}"),
        ("opportunities: 轴承项目", f"/opportunities/?q={q('轴承项目')}"),
        ("opportunities: customer 恒通", f"/opportunities/?q={q('恒通')}"),
        ("contracts: number", "/contracts/?q=BC-00012345"),
        ("contracts: customer name", f"/contracts/?q={q(rare.name)}"),
        ("API phone search", f"/api/v1/customers/?search={middle.phone}"),
        ("API name search", f"/api/v1/customers/?search={q('恒通轴承')}"),
        ("quick search 恒通 (htmx)", f"/search/?q={q('恒通')}", {"HX-Request": "true"}),
        ("quick search page 恒通轴承", f"/search/?q={q('恒通轴承')}"),
        ("quick search pinyin", "/search/?q=hengtongzhoucheng", {"HX-Request": "true"}),
        ("quick search phone", f"/search/?q={middle.phone}", {"HX-Request": "true"}),
        ("API quick search 恒通", f"/api/v1/search/?q={q('恒通')}"),
        ("API quick search phone", f"/api/v1/search/?q={middle.phone}"),
    ]
    print(f"{total:,} customers on {connection.vendor}; p50 and p95 of {args.repeat} requests, ms")
    print(f"(load average when starting: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for username in ("admin", "sales1"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        print(f"-- as {username}")
        for label, url, *headers in cases:
            p50, p95, status, length = timed(client, url, args.repeat, *headers)
            flag = "" if status == 200 else f"  (status {status})"
            print(f"   {label:<28} {p50:8.1f} {p95:8.1f}   {length / 1024:6.1f} KB{flag}")


if __name__ == "__main__":
    main()
