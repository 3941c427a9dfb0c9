"""Benchmark: the sales lists (opportunities, board, tasks, contracts, approvals, payments,
receivables, sales records) over many rows, through the real pages and API.

    DATABASE_URL=sqlite:///var/bench_sales.sqlite3 .venv/bin/python bench/sales_lists.py
    DATABASE_URL=sqlite:///var/bench_sales.sqlite3 .venv/bin/python bench/sales_lists.py \
        --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench .venv/bin/python \
        bench/sales_lists.py

`--rows` is the number of opportunities, of contracts and of sales records each (tasks and
payments get the same count again; customers a tenth). The database is kept between runs
and topped up when it holds fewer rows. Figures are median and worst of `--repeat` requests
in ms, per user (admin: all; manager: a department; sales1: own records).
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("GUANXI_SECRET_KEY", "bench-only")
os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench_sales.sqlite3")

BATCH = 5000


def _progress(label: str, done: int, started: float) -> None:
    print(f"  … {label}: {done:>9,} ({time.perf_counter() - started:.0f}s)", end="\r", flush=True)


def build(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.common.text import normalize_name, pinyin_full, pinyin_initials
    from guanxi.customers.models import Customer
    from guanxi.reference.models import OpportunityStage, WorkMethod
    from guanxi.sales.models import (
        Contract,
        ContractLine,
        Opportunity,
        Payment,
        Product,
        SalesRecord,
        Task,
    )

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("load_demo", customers=20, verbosity=0)
    rng = random.Random(11)
    people = list(
        User.objects.filter(username__in=["sales1", "sales2", "manager", "manager2"]).order_by(
            "username"
        )
    )
    stages = list(OpportunityStage.objects.filter(is_active=True).values_list("pk", flat=True))
    methods = list(WorkMethod.objects.values_list("pk", flat=True))
    products = list(Product.objects.filter(is_active=True).values_list("pk", "list_price"))
    now = timezone.now()
    today = timezone.localdate()

    want_customers = max(rows // 10, 1000)
    have = Customer.objects.count()
    started = time.perf_counter()
    for start in range(have, want_customers, BATCH):
        objs = []
        for i in range(start, min(start + BATCH, want_customers)):
            name = f"基准测试机械{i}有限公司"
            objs.append(
                Customer(
                    code=f"S{i:08d}",
                    name=name,
                    owner=people[i % len(people)],
                    status="prospect",
                    review_status="approved",
                    normalized_name=normalize_name(name),
                    name_pinyin=pinyin_full(name),
                    name_initials=pinyin_initials(name),
                )
            )
        with transaction.atomic():
            Customer.objects.bulk_create(objs)
        _progress("customers", start + len(objs), started)
    customers = list(Customer.objects.values_list("pk", "owner_id"))
    print()

    def fill(model, label, make):
        have = model.objects.count()
        started = time.perf_counter()
        for start in range(have, rows, BATCH):
            objs = [make(i) for i in range(start, min(start + BATCH, rows))]
            with transaction.atomic():
                model.objects.bulk_create(objs)
            _progress(label, start + len(objs), started)
        print()

    def opportunity(i):
        cid, owner = customers[rng.randrange(len(customers))]
        status = rng.choices(["open", "won", "lost"], [6, 2, 2])[0]
        return Opportunity(
            customer_id=cid,
            owner_id=owner,
            name=f"项目{i}",
            stage_id=rng.choice(stages),
            amount=Decimal(rng.randrange(10_000, 2_000_000)),
            probability=rng.randrange(0, 100),
            status=status,
            created_at=now,
            updated_at=now,
        )

    def task(i):
        cid, owner = customers[rng.randrange(len(customers))]
        date = today + datetime.timedelta(days=rng.randrange(-700, 60))
        return Task(
            customer_id=cid,
            salesperson_id=owner,
            date=date,
            work_method_id=rng.choice(methods) if methods else None,
            purpose=f"拜访{i}",
            status="done" if date < today and rng.random() < 0.8 else "planned",
            created_at=now,
            updated_at=now,
        )

    def contract(i):
        cid, owner = customers[rng.randrange(len(customers))]
        total = Decimal(rng.randrange(1_000, 500_000))
        status = rng.choice(
            ["draft", "pending", "approved", "executing", "completed", "rejected", "terminated"]
        )
        paid = (
            (total * Decimal(rng.choice([0, 0.3, 0.5, 1]))).quantize(Decimal("0.01"))
            if status in ("approved", "executing", "completed")
            else Decimal("0")
        )
        return Contract(
            number=f"BENCH-{i:08d}",
            customer_id=cid,
            owner_id=owner,
            created_by_id=owner,
            status=status,
            total=total,
            paid=paid,
            signed_on=today - datetime.timedelta(days=rng.randrange(0, 730)),
            submitted_at=now,
            created_at=now,
            updated_at=now,
        )

    fill(Opportunity, "opportunities", opportunity)
    fill(Task, "tasks", task)
    fill(Contract, "contracts", contract)

    if not ContractLine.objects.exists():
        # one line per contract for the first BATCH contracts, enough for the detail pages
        lines = []
        for pk, total in Contract.objects.order_by("id").values_list("pk", "total")[:BATCH]:
            product = rng.choice(products)
            lines.append(
                ContractLine(
                    contract_id=pk,
                    product_id=product[0],
                    quantity=1,
                    unit_price=total,
                    amount=total,
                )
            )
        ContractLine.objects.bulk_create(lines)

    contract_ids = list(
        Contract.objects.filter(status__in=["approved", "executing", "completed"]).values_list(
            "pk", flat=True
        )[:rows]
    )

    def record(i):
        cid, owner = customers[rng.randrange(len(customers))]
        product = rng.choice(products)
        quantity = Decimal(rng.randrange(1, 50))
        return SalesRecord(
            customer_id=cid,
            product_id=product[0],
            salesperson_id=owner,
            date=today - datetime.timedelta(days=rng.randrange(0, 730)),
            quantity=quantity,
            unit_price=product[1],
            amount=quantity * product[1],
            created_at=now,
            updated_at=now,
        )

    def payment(i):
        return Payment(
            contract_id=contract_ids[i % len(contract_ids)],
            date=today - datetime.timedelta(days=rng.randrange(0, 730)),
            amount=Decimal(rng.randrange(100, 10_000)),
            created_at=now,
            updated_at=now,
        )

    fill(SalesRecord, "sales records", record)
    fill(Payment, "payments", payment)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    times, status = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, headers={"accept-language": "en"})
        times.append((time.perf_counter() - t) * 1000)
        status = response.status_code
    return statistics.median(times), max(times), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    Path("var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.sales.models import Contract

    print(f"Building {args.rows:,} rows per sales table on {connection.vendor} …")
    build(args.rows)
    year_ago = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()
    some = Contract.objects.order_by("-id").values_list("pk", "number")[args.rows // 2]
    cases = [
        ("opportunities, first page", "/opportunities/"),
        ("opportunities, page 200", "/opportunities/?page=200"),
        ("opportunities, open, by amount", "/opportunities/?status=open&ordering=-amount"),
        ("opportunities, search", "/opportunities/?q=项目12345"),
        ("pipeline board", "/opportunities/board/"),
        ("tasks, this week", "/tasks/?period=week"),
        ("tasks, overdue", "/tasks/?period=overdue"),
        ("contracts, first page", "/contracts/"),
        ("contracts, executing", "/contracts/?status=executing"),
        ("contracts, search number", f"/contracts/?q={some[1]}"),
        ("contract detail", f"/contracts/{some[0]}/"),
        ("approval queue", "/contracts/approvals/"),
        ("payments", "/payments/"),
        ("receivables", "/receivables/"),
        ("sales records, last year", f"/sales-records/?date_from={year_ago}"),
        ("API opportunities", "/api/v1/opportunities/"),
        ("API contracts", "/api/v1/contracts/"),
        ("API sales records", "/api/v1/sales-records/"),
    ]
    print(f"median and worst of {args.repeat} requests, in ms")
    for username in ("admin", "manager", "sales1"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        print(f"-- as {username}")
        for label, url in cases:
            median, worst, status = timed(client, url, args.repeat)
            flag = "" if status == 200 else f"  (status {status})"
            print(f"   {label:<32} {median:8.1f} {worst:8.1f}{flag}")


if __name__ == "__main__":
    main()
