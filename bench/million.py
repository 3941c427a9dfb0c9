"""Benchmark at a million: builds 1M customers, 1M contacts, 1M opportunities, 200k contracts
and 200k payments through bulk paths (no per-row service calls: the derived columns come from
a small vocabulary whose pinyin is computed once, and the sales summary rows are rebuilt in
one pass afterwards), then times the pages through gunicorn (2 workers, real HTTP, a logged-in
session cookie) against a bare-Django 50-row page served by the same server in the same run.

    DATABASE_URL=sqlite:///var/bench_million.sqlite3 .venv/bin/python bench/million.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench .venv/bin/python bench/million.py
    … --customers 100000 --contracts 20000    (a smaller set; opportunities and contacts
                                               default to the number of customers)
    … --skip-build                             (time an existing database again)
    … --build-only                             (build, time later)

The data set is built once and kept: a database that already holds the bench rows is only
timed. Prints rows/s per table, then p50/p95 (ms) per page and user and the ratio of the
p50 to the floor's p50.
"""

import argparse
import datetime
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
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench_million.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("GUANXI_SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "127.0.0.1,localhost")

BATCH = 10_000
CITIES = ["上海", "苏州", "无锡", "杭州", "宁波", "南京", "天津", "北京", "青岛", "济南"]
WORDS = ["恒通", "华东", "精密", "宏达", "振华", "永安", "金桥", "新宇", "长城", "东方"]
WORDS += ["博远", "嘉盛", "瑞丰", "中天", "汇通", "鼎盛", "联创", "明阳", "合力", "天成"]
TRADES = ["汽配", "机械", "电子", "模具", "钢铁", "塑胶", "化工", "物流", "电气", "轴承"]
SURNAMES = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "军", "杰", "涛"]


def _progress(label: str, done: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-9)
    print(f"  … {label}: {done:>9,} ({rate:,.0f} rows/s)", end="\r", flush=True)


class Loader:
    """Rows into one table as fast as the engine takes them: COPY on PostgreSQL, executemany
    on SQLite. A row is a dict of attribute names; every other column gets the field's
    default (computed once, or per row where it must be unique), so that columns other work
    adds later are filled as the ORM would fill them."""

    def __init__(self, model):
        from django.db import connection, models

        self.model = model
        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        sqlite = connection.vendor == "sqlite"
        plain = (models.CharField, models.TextField, models.IntegerField, models.ForeignKey)
        self.convert = {}
        for f in self.fields:
            if isinstance(f, models.JSONField) or (sqlite and not isinstance(f, plain)):
                self.convert[f.attname] = lambda v, f=f: f.get_db_prep_save(v, connection)
        self.per_row = [
            f for f in self.fields if f.has_default() and callable(f.default) and f.unique
        ]
        template = []
        for f in self.fields:
            value = f.get_default()
            conv = self.convert.get(f.attname)
            template.append(conv(value) if conv and value is not None else value)
        self.template = template

    def values(self, row: dict) -> list:
        out = list(self.template)
        for f in self.per_row:
            out[self.index[f.attname]] = f.get_default()
        for name, value in row.items():
            conv = self.convert.get(name)
            out[self.index[name]] = conv(value) if conv and value is not None else value
        return out

    def write(self, rows) -> None:
        from django.db import transaction

        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        with transaction.atomic(), self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(self.values(row))
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                    [self.values(row) for row in rows],
                )


def fill(model, label: str, total: int, have: int, make, stats: dict) -> None:
    if have >= total:
        print(f"  {label}: {have:,} already there")
        return
    loader = Loader(model)
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(have, total, BATCH):
        loader.write([make(i) for i in range(start, min(start + BATCH, total))])
        _progress(label, min(start + BATCH, total) - have, started)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    n = total - have
    stats[label] = (n, took)
    # CPU time of this process: on a shared machine the wall clock also counts waiting for
    # a core. For SQLite it includes the database's work; for PostgreSQL only the client's.
    print(
        f"  {label}: {n:,} rows in {took:.1f}s = {n / took:,.0f} rows/s "
        f"(this process's CPU: {cpu:.1f}s = {n / max(cpu, 1e-9):,.0f} rows per CPU-second)"
    )


def build(args) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.common.text import normalize_name, pinyin_full, pinyin_initials
    from guanxi.customers.models import Contact, Customer
    from guanxi.reference.models import OpportunityStage
    from guanxi.sales.models import Contract, Opportunity, Payment

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("load_demo", customers=20, verbosity=0)
    rng = random.Random(2026)
    people = list(
        User.objects.filter(username__in=["sales1", "sales2", "manager", "manager2"])
        .order_by("username")
        .values_list("pk", flat=True)
    )
    stages = list(OpportunityStage.objects.filter(is_active=True).values_list("pk", flat=True))
    now = timezone.now()
    today = timezone.localdate()
    stats: dict = {}
    pin = {w: (pinyin_full(w), pinyin_initials(w)) for w in CITIES + WORDS + TRADES}
    pin.update({w: (pinyin_full(w), pinyin_initials(w)) for w in SURNAMES + GIVEN})

    def company(i: int) -> tuple[str, str, str]:
        parts = [
            CITIES[i % 10],
            WORDS[(i // 10) % 20],
            WORDS[(i // 200) % 20],
            TRADES[(i // 4000) % 10],
        ]
        name = "".join(parts) + f"{i // 40000 or ''}有限公司"
        # pinyin leaves out what is not Chinese (the number)
        full = "".join(pin[p][0] for p in parts) + "youxiangongsi"
        initials = "".join(pin[p][1] for p in parts) + "yxgs"
        return name, full, initials

    for i in (0, 12_345, 999_999):  # the composed pinyin is what pypinyin gives the whole name
        name, full, initials = company(i)
        assert (full, initials) == (pinyin_full(name), pinyin_initials(name)), name

    def customer(i: int) -> dict:
        name, full, initials = company(i)
        created = now - datetime.timedelta(minutes=i % 1_000_000)
        return {
            "code": f"BM{i:08d}",
            "name": name,
            "owner_id": people[i % len(people)],
            "status": "prospect",
            "review_status": "approved",
            "phone": f"021{60000000 + i:08d}",
            "phone_normalized": f"21{60000000 + i:08d}",
            "normalized_name": normalize_name(name),
            "name_pinyin": full,
            "name_initials": initials,
            "created_at": created,
            "updated_at": created,
        }

    bench_customers = Customer.all_objects.filter(code__startswith="BM")
    fill(Customer, "customers", args.customers, bench_customers.count(), customer, stats)
    # The bench customers were inserted in one go, so their ids run on from the first one.
    first_customer = Customer.all_objects.get(code="BM00000000").pk

    def customer_of(i: int) -> tuple[int, int]:
        """The i-th bench customer and its owner (customer(k) is owned by people[k % n])."""
        k = i % args.customers
        return first_customer + k, people[k % len(people)]

    def contact(i: int) -> dict:
        surname, given = SURNAMES[i % 10], GIVEN[(i // 10) % 12]
        cid, _owner = customer_of(i)
        return {
            "customer_id": cid,
            "name": surname + given,
            "mobile": f"139{i:08d}",
            "mobile_normalized": f"139{i:08d}",
            "is_primary": i < args.customers,
            "name_pinyin": pin[surname][0] + pin[given][0],
            "name_initials": pin[surname][1] + pin[given][1],
            "created_at": now,
            "updated_at": now,
        }

    have = Contact.objects.filter(customer_id__gte=first_customer).count()
    fill(Contact, "contacts", args.contacts, have, contact, stats)

    def opportunity(i: int) -> dict:
        cid, owner = customer_of(rng.randrange(args.customers))
        status = rng.choices(["open", "won", "lost"], [6, 2, 2])[0]
        changed = now - datetime.timedelta(seconds=rng.randrange(0, 730 * 86400))
        return {
            "customer_id": cid,
            "owner_id": owner,
            "name": f"{WORDS[i % 20]}生产线改造项目{i}",
            "stage_id": rng.choice(stages),
            "amount": Decimal(rng.randrange(1_000_000, 200_000_000)) / 100,
            "probability": rng.randrange(0, 101),
            "status": status,
            "stage_changed_at": changed,
            "closed_at": None if status == "open" else changed,
            "created_at": changed,
            "updated_at": changed,
        }

    have = Opportunity.objects.filter(customer_id__gte=first_customer).count()
    fill(Opportunity, "opportunities", args.opportunities, have, opportunity, stats)

    payable = ("approved", "executing", "completed")

    def contract_row(i: int) -> tuple[str, Decimal, Decimal]:
        r = random.Random(i)
        status = r.choice(["draft", "pending", "approved", "executing", "completed", "rejected"])
        total = Decimal(r.randrange(100_000, 50_000_000)) / 100
        paid = Decimal("0.00")
        if status in payable:
            paid = (total * Decimal(r.choice(["0", "0.3", "0.5", "1"]))).quantize(Decimal("0.01"))
        return status, total, paid

    def contract(i: int) -> dict:
        status, total, paid = contract_row(i)
        cid, owner = customer_of(i * 5)
        signed = today - datetime.timedelta(days=i % 730)
        return {
            "number": f"BM-{i:08d}",
            "title": f"{WORDS[i % 20]}采购合同",
            "customer_id": cid,
            "owner_id": owner,
            "created_by_id": owner,
            "status": status,
            "total": total,
            "paid": paid,
            "signed_on": None if status in ("draft", "pending") else signed,
            "submitted_at": None if status == "draft" else now,
            "created_at": now,
            "updated_at": now,
        }

    have = Contract.objects.filter(number__startswith="BM-").count()
    fill(Contract, "contracts", args.contracts, have, contract, stats)
    first_contract = Contract.objects.get(number="BM-00000000").pk

    def payment(i: int) -> dict:
        """Two payments per contract that has money received: half and the rest; contracts
        without any are skipped over (their slot pays the next contract that has some)."""
        k = i // 2
        while True:
            status, total, paid = contract_row(k % args.contracts)
            if paid > 0:
                break
            k += 1
        half = (paid / 2).quantize(Decimal("0.01"))
        amount = half if i % 2 == 0 else paid - half
        return {
            "contract_id": first_contract + (k % args.contracts),
            "date": today - datetime.timedelta(days=k % 700),
            "amount": max(amount, Decimal("0.01")),
            "created_at": now,
            "updated_at": now,
        }

    have = Payment.objects.filter(contract_id__gte=first_contract).count()
    fill(Payment, "payments", args.payments, have, payment, stats)
    started = time.perf_counter()
    call_command("rebuild_sales_totals", verbosity=1)
    stats["summaries rebuilt"] = (0, time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return stats


# --- timing ------------------------------------------------------------------------------


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


def get(port: int, path: str, cookie: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "en"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return (time.perf_counter() - started) * 1000, response.status, len(body)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def time_pages(args) -> None:
    from django.db import connection

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.reference.models import OpportunityStage
    from guanxi.sales import selectors

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                get(port, "/healthz", "")
                break
            except OSError:
                time.sleep(0.2)
        some_customer = (
            Customer.objects.filter(code="M00000123").values_list("pk", flat=True).first()
        )
        stage = OpportunityStage.objects.filter(is_active=True).order_by("sort_order").first()
        admin = User.objects.get(username="admin")
        (col, *_rest) = selectors.opportunity_board(reader=admin)
        after = urllib.parse.quote(col["cursor"])
        more = f"/opportunities/board/cards/?stage={stage.pk}&after={after}"
        cases = [
            ("bare Django, 50 rows (floor)", "/bench-floor/"),
            ("pipeline board", "/opportunities/board/"),
            ("board, one customer", f"/opportunities/board/?customer={some_customer}"),
            ("board, more cards", more),
            ("receivables", "/receivables/"),
            ("customers list", "/customers/"),
            ("opportunities list", "/opportunities/"),
            ("contracts list", "/contracts/"),
        ]
        print(
            f"\n{connection.vendor}, gunicorn 2 workers, "
            f"{args.repeat} requests each (after 3 warm-up)"
        )
        print(f"{'page':<30} {'user':<8} {'p50 ms':>8} {'p95 ms':>8} {'×floor':>7} {'KB':>6}")
        floor = {}
        for username in ("admin", "manager"):
            cookie = session_cookie(username)
            for label, path in cases:
                for _ in range(3):
                    get(port, path, cookie)
                times, sizes, statuses = [], [], set()
                for _ in range(args.repeat):
                    ms, status, size = get(port, path, cookie)
                    times.append(ms)
                    sizes.append(size)
                    statuses.add(status)
                p50, p95 = statistics.median(times), percentile(times, 95)
                if label.endswith("(floor)"):
                    floor[username] = p50
                ratio = p50 / floor[username]
                flag = "" if statuses == {200} else f"  status {sorted(statuses)}"
                print(
                    f"{label:<30} {username:<8} {p50:8.1f} {p95:8.1f} {ratio:7.1f} "
                    f"{max(sizes) / 1024:6.0f}{flag}"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int)
    parser.add_argument("--opportunities", type=int)
    parser.add_argument("--contracts", type=int, default=200_000)
    parser.add_argument("--payments", type=int)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    args.contacts = args.contacts or args.customers
    args.opportunities = args.opportunities or args.customers
    args.payments = args.payments or args.contracts
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.db import connection

    if not args.skip_build:
        print(f"Building on {connection.vendor}: {args.customers:,} customers, …")
        stats = build(args)
        moved = sum(n for n, _t in stats.values())
        took = sum(t for n, t in stats.values() if n)
        if took:
            print(f"  all tables: {moved:,} rows at {moved / took:,.0f} rows/s")
    if not args.build_only:
        time_pages(args)


if __name__ == "__main__":
    main()
