"""Benchmark: customer list, search and filters over many customers.

    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/customers_list.py --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench \
        .venv/bin/python bench/customers_list.py

Builds the database (migrate + generated rows, kept between runs when the row count matches),
then times what users do all day through the real pages and API (Django test client, so the
figures include the ORM, the template and the capped count) and prints one line per case.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("GUANXI_SECRET_KEY", "bench-only")
os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench.sqlite3")


def build(rows: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from guanxi.accounts.models import User
    from guanxi.common.text import normalize_name, pinyin_full, pinyin_initials
    from guanxi.customers.demo import data
    from guanxi.customers.models import Customer
    from guanxi.reference.models import Region

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("load_demo", customers=20, verbosity=0)
    have = Customer.objects.count()
    if have >= rows:
        return
    sales = list(User.objects.filter(username__in=["sales1", "sales2"]).order_by("username"))
    regions = list(Region.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    rng = random.Random(7)
    batch = 5000
    started = time.perf_counter()
    for start in range(have, rows, batch):
        objs = []
        for i in range(start, min(start + batch, rows)):
            name = (
                f"{rng.choice(list(data.EAST_CITIES.values()))[0]}{rng.choice(data.BRANDS)}"
                f"{rng.choice(data.PRODUCTS)[0]}{i}有限公司"
            )
            objs.append(
                Customer(
                    code=f"B{i:08d}",
                    name=name,
                    owner=sales[i % 2],
                    region_id=rng.choice(regions),
                    status=rng.choice(["prospect", "active", "lost"]),
                    review_status="approved",
                    phone=f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
                    normalized_name=normalize_name(name),
                    name_pinyin=pinyin_full(name),
                    name_initials=pinyin_initials(name),
                )
            )
        for obj in objs:
            obj.phone_normalized = obj.phone
        with transaction.atomic():
            Customer.objects.bulk_create(objs)
        print(
            f"  … {min(start + batch, rows):>9,} rows ({time.perf_counter() - started:.0f}s)",
            end="\r",
            flush=True,
        )
    print()
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    times = []
    status = 0
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, headers={"accept-language": "en"})
        times.append((time.perf_counter() - t) * 1000)
        status = response.status_code
    return statistics.median(times), max(times), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    Path("var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from guanxi.accounts.models import User
    from guanxi.customers.models import Customer
    from guanxi.reference.models import Region

    print(f"Building {args.rows:,} customers on {connection.vendor} …")
    build(args.rows)
    total = Customer.objects.count()
    province = Region.objects.filter(parent__isnull=True).first()
    some = Customer.objects.order_by("-id").values_list("name", "phone", "code")[total // 2]
    cases = [
        ("list, first page", "/customers/"),
        ("list, page 200", "/customers/?page=200"),
        ("list sorted by name", "/customers/?ordering=name"),
        ("search exact name", f"/customers/?q={some[0]}"),
        ("search name fragment", "/customers/?q=恒通"),
        ("search pinyin initials", "/customers/?q=szht"),
        ("search phone", f"/customers/?q={some[1]}"),
        ("search code", f"/customers/?q={some[2]}"),
        ("filter status", "/customers/?status=active"),
        ("filter region subtree", f"/customers/?region={province.pk}"),
        ("API list", "/api/v1/customers/"),
        ("API search", "/api/v1/customers/?search=恒通"),
    ]
    print(f"{total:,} customers; median and worst of {args.repeat} requests, in ms")
    for username in ("admin", "manager", "sales1"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        print(f"-- as {username}")
        for label, url in cases:
            median, worst, status = timed(client, url, args.repeat)
            flag = "" if status == 200 else f"  (status {status})"
            print(f"   {label:<26} {median:8.1f} {worst:8.1f}{flag}")


if __name__ == "__main__":
    main()
