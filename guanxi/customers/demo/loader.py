"""The demo organisation: departments, the ten demo users, regions, ~200 customers with
contacts, then their sales (guanxi.sales.demo) and their service, care and market data
(guanxi.service.demo). Everything goes through the services, so it carries history like real
data."""

from __future__ import annotations

import random
from typing import Any

import phonenumbers
from django.db import transaction
from pypinyin import lazy_pinyin
from stdnum.cn import uscc

from guanxi.accounts.models import Department, Role, User
from guanxi.accounts.services import department_create, department_update, user_create
from guanxi.common.history import log_event
from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.enums import CustomerStatus
from guanxi.customers.models import Customer
from guanxi.customers.services import (
    contact_create,
    customer_create,
    customer_mark_lost,
    customer_review,
)
from guanxi.reference import models as ref
from guanxi.reference.services import regions_load
from guanxi.sales.demo import load_sales_demo
from guanxi.service.demo import EARLY_LOST_REASONS, load_service_demo

from . import data

PASSWORD = "demo12345"

# username, display name, department code, role code, gender
DEMO_USERS = [
    ("admin", "王建国", "HQ", "admin", "male"),
    ("manager", "李明", "EAST", "sales_manager", "male"),
    ("sales1", "张伟", "EAST", "salesperson", "male"),
    ("manager2", "赵丽", "NORTH", "sales_manager", "female"),
    ("sales2", "刘洋", "NORTH", "salesperson", "male"),
    ("clerk", "陈静", "INFO", "clerk", "female"),
    ("researcher", "杨帆", "MARKET", "researcher", "male"),
    ("service", "黄丽", "SERVICE", "service", "female"),
    ("svcmgr", "孙敏", "SERVICE", "service_manager", "female"),
    ("exec", "周志强", "HQ", "executive", "male"),
]
DEMO_USERNAMES = {u[0] for u in DEMO_USERS}
# Users added to the demo later draw their phone number from their own generator, so that the
# customers and sales of a given seed stay what they were.
LATER_USERS = {"svcmgr"}
MARKER = "demo"
STREETS = ["创业路", "工业大道", "科技路", "长江路", "黄河路"]


class DemoRefused(Exception):
    pass


def demo_state() -> str:
    """'empty', 'demo' (the demo is loaded and nothing else), or 'other' (real data)."""
    has_users = User.objects.exists()
    has_data = has_users or Customer.all_objects.exists() or Department.objects.exists()
    if not has_data:
        return "empty"
    demo_loaded = AuditLog.objects.filter(action=AuditAction.IMPORT, detail__what=MARKER).exists()
    if demo_loaded and not User.objects.exclude(username__in=DEMO_USERNAMES).exists():
        return "demo"
    return "other"


def _credit_code(rng: random.Random, region_code: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + region_code + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _person(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)


def _mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "136", "150", "151", "186", "187", "135"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(8)
    )


@transaction.atomic
def load_demo(*, customers: int = 200, seed: int = 2026, stdout: Any = None) -> dict[str, int]:
    if demo_state() != "empty":
        raise DemoRefused("the database is not empty")
    rng = random.Random(seed)

    # Organisation.
    hq = department_create(actor=None, code="HQ", name="总部")
    departments = {"HQ": hq}
    for code, name in [
        ("EAST", "华东销售部"),
        ("NORTH", "华北销售部"),
        ("SERVICE", "客服部"),
        ("MARKET", "市场部"),
        ("INFO", "信息中心"),
    ]:
        departments[code] = department_create(actor=None, code=code, name=name, parent=hq)
    roles = {r.code: r for r in Role.objects.all()}
    users: dict[str, User] = {}
    for username, display, dept, role, gender in DEMO_USERS:
        own = random.Random(f"{seed}:{username}") if username in LATER_USERS else rng
        users[username] = user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            roles=[roles[role]],
            display_name=display,
            department=departments[dept],
            gender=gender,
            email=f"{username}@guanxi.example",
            phone=_mobile(own),
        )
    admin = users["admin"]
    department_update(actor=admin, department=departments["EAST"], head=users["manager"])
    department_update(actor=admin, department=departments["NORTH"], head=users["manager2"])
    department_update(actor=admin, department=hq, head=users["exec"])
    department_update(actor=admin, department=departments["SERVICE"], head=users["svcmgr"])

    regions_load(actor=admin, rows=data.REGIONS)
    regions = {r.code: r for r in ref.Region.objects.all()}
    industries = {i.code: i for i in ref.Industry.objects.all()}
    categories = list(ref.CustomerCategory.objects.all())
    levels = list(ref.CustomerLevel.objects.all())
    sources = list(ref.CustomerSource.objects.all())
    titles = list(ref.JobTitle.objects.all())

    used_names: set[str] = set()
    created = contacts = 0
    for i in range(customers):
        east = i % 2 == 0
        owner = users["sales1" if east else "sales2"]
        manager = users["manager" if east else "manager2"]
        cities = data.EAST_CITIES if east else data.NORTH_CITIES
        region_code = rng.choice(sorted(cities))
        city, area = cities[region_code]
        product, industry_code = rng.choice(data.PRODUCTS)
        while True:
            brand = rng.choice(data.BRANDS)
            name = f"{city}{brand}{product}{rng.choice(data.SUFFIXES)}"
            if name not in used_names:
                used_names.add(name)
                break
        # Most customers were entered by the manager (approved at once); some by the
        # salesperson, still pending review; a few were rejected.
        pending = i % 25 in (3, 11)
        rejected = i % 50 == 7
        author = owner if (pending or rejected) else manager
        # Prospects to begin with: the sales demo's contracts make customers active (现有).
        # Some were lost before they were entered: marked lost, with why, right after.
        lost = rng.choices([False, True], [90, 10])[0]
        brand_py = "".join(lazy_pinyin(brand))
        customer = customer_create(
            actor=author,
            name=name,
            short_name=f"{city}{brand}",
            region=regions[region_code],
            category=rng.choice(categories),
            industry=industries[industry_code],
            level=rng.choices(levels, [2, 6, 3])[0],
            source=rng.choice(sources),
            status=CustomerStatus.PROSPECT,
            owner=owner,
            address=f"{city}市{rng.choice(['经济技术开发区', '高新区', '工业园区'])}"
            f"{rng.choice(STREETS)}{rng.randint(1, 300)}号",
            phone=_landline(rng, area),
            website=f"https://www.{brand_py}{i}.com.cn",
            credit_code=_credit_code(rng, region_code),
            tags=", ".join(rng.sample(data.TAGS, rng.randint(0, 2))),
            notes=rng.choice(data.NOTES),
        )
        if lost:
            customer_mark_lost(
                actor=author,
                customer=customer,
                reason=EARLY_LOST_REASONS[i % len(EARLY_LOST_REASONS)],
            )
        if rejected:
            customer_review(
                actor=manager,
                customer=customer,
                approve=False,
                comment="信用代码与营业执照不符，请核对后重新提交。",
            )
        created += 1
        for position in range(rng.randint(1, 4)):
            person = _person(rng)
            person_py = "".join(lazy_pinyin(person))
            contact_create(
                actor=owner,
                customer=customer,
                name=person,
                gender=rng.choice(["male", "female"]),
                job_title=rng.choice(titles),
                department=rng.choice(data.DEPARTMENTS),
                mobile=_mobile(rng),
                email=f"{person_py}{rng.randint(1, 99)}@{rng.choice(data.EMAIL_DOMAINS)}",
                wechat=f"wx_{person_py}{rng.randint(100, 999)}",
                birthday=None if rng.random() < 0.3 else _birthday(rng),
                is_primary=position == 0,
            )
            contacts += 1
    sales = load_sales_demo(seed=seed, users=users)
    service = load_service_demo(seed=seed, users=users)
    log_event(action=AuditAction.IMPORT, user=admin, detail={"what": MARKER})
    result = {"users": len(users), "customers": created, "contacts": contacts, **sales, **service}
    if stdout is not None:
        stdout.write(summary(result))
    return result


def summary(result: dict[str, int]) -> str:
    """What the demo holds, in three lines."""
    return (
        f"Demo loaded: {result['users']} users, {result['customers']} customers, "
        f"{result['contacts']} contacts. Every demo user's password is {PASSWORD}.\n"
        f"Sales: {result['products']} products, {result['opportunities']} opportunities, "
        f"{result['tasks']} tasks, {result['contracts']} contracts, "
        f"{result['sales_records']} sales records, {result['payments']} payments.\n"
        f"Service: {result['feedback']} feedback entries, {result['service_requests']} service "
        f"requests ({result['open_requests']} open, {result['breached_requests']} late), "
        f"{result['care_actions']} care actions, {result['lost_customers']} lost customers, "
        f"{result['competitors']} competitors, {result['news']} news, "
        f"{result['notifications']} notifications."
    )


def _landline(rng: random.Random, area: str) -> str:
    """A landline that is valid for its area code (7 or 8 digits, depending on the city)."""
    for _attempt in range(50):
        digits = 8 if rng.random() < 0.8 else 7
        number = (
            f"{area}-{rng.randint(2, 8)}{rng.randint(10 ** (digits - 2), 10 ** (digits - 1) - 1)}"
        )
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "CN")):
            return number
    return ""


def _birthday(rng: random.Random) -> Any:
    import datetime

    return datetime.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
