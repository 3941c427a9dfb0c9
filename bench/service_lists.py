"""Benchmark: the service, care and market lists, the notification centre, the customer
timeline and the scheduled work, over many rows, through the real pages and API.

    DATABASE_URL=sqlite:///var/bench_service.sqlite3 .venv/bin/python bench/service_lists.py
    DATABASE_URL=sqlite:///var/bench_service.sqlite3 .venv/bin/python bench/service_lists.py \
        --rows 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench_service .venv/bin/python \
        bench/service_lists.py

`--rows` is the number of feedback entries, of service requests and of care actions each;
customers get a tenth (half of them active, so the churn rule has work), contracts, done
tasks and notifications for sales1 a tenth too. One customer ("the busy customer") gets a
long history for the timeline. The database is kept between runs and topped up when it holds
fewer rows. Figures are median and worst of `--repeat` requests in ms, per user (admin: all;
manager: a department; sales1: own records; service: the agent; svcmgr: the dispatcher).
"""

import argparse
import datetime
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
os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench_service.sqlite3")

BATCH = 5000
BUSY = 2000  # entries of each kind on the busy customer's timeline


def _progress(label: str, done: int, started: float) -> None:
    print(f"  … {label}: {done:>9,} ({time.perf_counter() - started:.0f}s)", end="\r", flush=True)


def build(rows: int) -> int:
    """Fill the tables; return the busy customer's id."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.common.text import normalize_name, pinyin_full, pinyin_initials
    from guanxi.customers.models import Customer
    from guanxi.notifications.models import Notification
    from guanxi.reference.models import ComplaintCategory, ServiceRequestType, WorkMethod
    from guanxi.sales.models import Contract, Task
    from guanxi.service.enums import CareKind, CareStatus, RequestStatus
    from guanxi.service.models import CareAction, Feedback, ServiceRequest
    from guanxi.service.selectors import service_settings
    from guanxi.service.services.requests import due_times

    call_command("migrate", verbosity=0)
    if not User.objects.exists():
        call_command("load_demo", customers=20, verbosity=0)
    rng = random.Random(17)
    people = list(
        User.objects.filter(username__in=["sales1", "sales2", "manager", "manager2"]).order_by(
            "username"
        )
    )
    agents = list(User.objects.filter(username__in=["service", "svcmgr"]).order_by("username"))
    types = list(ServiceRequestType.objects.values_list("pk", "is_complaint"))
    categories = list(ComplaintCategory.objects.values_list("pk", flat=True))
    methods = list(WorkMethod.objects.values_list("pk", flat=True))
    now = timezone.now()
    today = timezone.localdate()
    settings = service_settings()

    want_customers = max(rows // 10, 1000)
    have = Customer.objects.count()
    started = time.perf_counter()
    for start in range(have, want_customers, BATCH):
        objs = []
        for i in range(start, min(start + BATCH, want_customers)):
            name = f"服务基准机械{i}有限公司"
            objs.append(
                Customer(
                    code=f"V{i:08d}",
                    name=name,
                    owner=people[i % len(people)],
                    status="active" if i % 2 else "prospect",
                    review_status="approved",
                    normalized_name=normalize_name(name),
                    name_pinyin=pinyin_full(name),
                    name_initials=pinyin_initials(name),
                    created_at=now - datetime.timedelta(days=800),
                    updated_at=now,
                )
            )
        with transaction.atomic():
            Customer.objects.bulk_create(objs)
        _progress("customers", start + len(objs), started)
    print()
    customers = list(Customer.objects.values_list("pk", "owner_id"))
    busy_id, busy_owner = customers[len(customers) // 2]

    def fill(model, label, make, count):
        have = model.objects.count()
        started = time.perf_counter()
        for start in range(have, count, BATCH):
            objs = [make(i) for i in range(start, min(start + BATCH, count))]
            with transaction.atomic():
                model.objects.bulk_create(objs)
            _progress(label, start + len(objs), started)
        print()

    def pick(i):
        if i < BUSY:
            return busy_id, busy_owner
        return customers[rng.randrange(len(customers))]

    def contract(i):
        cid, owner = pick(i)
        return Contract(
            number=f"SVB-{i:08d}",
            customer_id=cid,
            owner_id=owner,
            status=rng.choice(["executing", "completed", "draft"]),
            signed_on=today - datetime.timedelta(days=rng.randrange(0, 730)),
            created_at=now,
            updated_at=now,
        )

    def task(i):
        cid, owner = pick(i)
        return Task(
            customer_id=cid,
            salesperson_id=owner,
            date=today - datetime.timedelta(days=rng.randrange(0, 730)),
            purpose=f"回访{i}",
            status="done",
            created_at=now,
            updated_at=now,
        )

    def feedback(i):
        cid, owner = pick(i)
        return Feedback(
            customer_id=cid,
            date=today - datetime.timedelta(days=rng.randrange(0, 900)),
            channel_id=rng.choice(methods) if methods else None,
            content=f"客户反馈{i}：交期与价格",
            reported_by_id=owner,
            created_by_id=owner,
            created_at=now,
            updated_at=now,
        )

    def request(i):
        cid, owner = pick(i)
        type_id, complaint = rng.choice(types)
        priority = rng.choice(["low", "normal", "high", "urgent"])
        opened = now - datetime.timedelta(hours=rng.randrange(0, 24 * 700))
        due, risk = due_times(opened, priority, settings)
        status = rng.choices(list(RequestStatus.values), [1, 1, 1, 2, 8])[0]
        resolved = status in ("resolved", "closed")
        return ServiceRequest(
            number=f"SR-1999-{i:08d}",
            customer_id=cid,
            type_id=type_id,
            complaint_category_id=rng.choice(categories) if complaint else None,
            priority=priority,
            subject=f"设备故障{i}",
            status=status,
            assignee_id=None if status == "new" else rng.choice(agents).pk,
            due_at=due,
            at_risk_at=risk,
            resolved_at=opened + datetime.timedelta(hours=rng.randrange(1, 96))
            if resolved
            else None,
            resolution="已处理" if resolved else "",
            satisfaction=rng.randint(1, 5) if status == "closed" else None,
            created_by_id=owner,
            created_at=opened,
            updated_at=opened,
        )

    def care(i):
        cid, owner = pick(i)
        status = rng.choices(list(CareStatus.values), [2, 6, 2])[0]
        return CareAction(
            customer_id=cid,
            kind=rng.choice([CareKind.FOLLOW_UP, CareKind.BIRTHDAY, CareKind.HOLIDAY]),
            due_date=today + datetime.timedelta(days=rng.randrange(-700, 30)),
            assignee_id=owner,
            status=status,
            note="" if status == "pending" else "已完成",
            key=f"bench:{i}",
            created_at=now,
            updated_at=now,
        )

    sales1 = User.objects.get(username="sales1")

    def notification(i):
        return Notification(
            recipient=sales1,
            kind="churn_warning",
            key=f"bench:{i}",
            subject=f"客户{i}",
            params={"id": busy_id, "days": 180},
            created_at=now - datetime.timedelta(minutes=i),
            read_at=now if i % 3 else None,
        )

    fill(Contract, "contracts", contract, max(rows // 10, BUSY))
    fill(Task, "tasks", task, max(rows // 10, BUSY))
    fill(Feedback, "feedback", feedback, rows)
    fill(ServiceRequest, "service requests", request, rows)
    fill(CareAction, "care actions", care, rows)
    fill(Notification, "notifications", notification, max(rows // 10, BUSY))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return busy_id


def timed(client, url: str, repeat: int) -> tuple[float, float, int]:
    times, status = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(url, headers={"accept-language": "en"})
        times.append((time.perf_counter() - t) * 1000)
        status = response.status_code
    return statistics.median(times), max(times), status


CASES = [
    ("feedback, first page", "/feedback/"),
    ("feedback, search", "/feedback/?q=反馈12345"),
    ("requests, first page", "/service-requests/"),
    ("requests, open", "/service-requests/?status=open"),
    ("requests, breached", "/service-requests/?sla=breached"),
    ("requests, search number", "/service-requests/?q=SR-1999-00012345"),
    ("my queue", "/service-requests/mine/"),
    ("team queue", "/service-requests/team/"),
    ("care, due", "/care/"),
    ("care, done", "/care/?view=done"),
    ("churn warnings", "/care/churn/"),
    ("lost customers", "/care/lost/"),
    ("competitors", "/competitors/"),
    ("news", "/news/"),
    ("notifications", "/notifications/"),
    ("busy customer's timeline", "/customers/{busy}/?tab=timeline"),
    ("timeline, page 50", "/customers/{busy}/?tab=timeline&page=50"),
    ("API service requests", "/api/v1/service-requests/"),
    ("API feedback", "/api/v1/feedback/"),
    ("API care actions", "/api/v1/care-actions/"),
    ("API timeline", "/api/v1/customers/{busy}/timeline/"),
    ("API notifications", "/api/v1/notifications/"),
]


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

    from guanxi.accounts.models import User
    from guanxi.service.scheduled import run_scheduled

    print(f"Building {args.rows:,} rows per service table on {connection.vendor} …")
    busy = build(args.rows)
    for attempt in ("first", "second"):
        t = time.perf_counter()
        made = run_scheduled()
        print(
            f"run_scheduled, {attempt} run: {(time.perf_counter() - t):.1f} s, "
            f"{sum(made.values()):,} new ({', '.join(f'{k} {v}' for k, v in made.items())})"
        )
    print(f"median and worst of {args.repeat} requests, in ms")
    for username in ("admin", "manager", "sales1", "service", "svcmgr"):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        print(f"-- as {username}")
        for label, url in CASES:
            median, worst, status = timed(client, url.format(busy=busy), args.repeat)
            flag = "" if status == 200 else f"  (status {status})"
            print(f"   {label:<32} {median:8.1f} {worst:8.1f}{flag}")


if __name__ == "__main__":
    main()
