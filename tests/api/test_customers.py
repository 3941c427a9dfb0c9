"""Customers through the API: create, read, edit, delete, review, recycle bin, validation,
filters, ordering, keyset pages, the duplicate warning and the history trail."""

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.common.models import AuditAction, AuditLog
from guanxi.customers.models import Customer
from tests.factories import CustomerFactory

from .helpers import (
    BAD_CREDIT_CODE,
    OTHER_VALID_CREDIT_CODE,
    VALID_CREDIT_CODE,
    collect_pages,
    ids,
)

URL = "/api/v1/customers/"


def detail(customer):
    return f"{URL}{customer.pk}/"


# --- create ------------------------------------------------------------------------------


def test_salesperson_creates_a_customer_pending_review(org, refs, api):
    payload = {
        "name": "  宁波东海汽配有限公司 ",
        "short_name": "东海汽配",
        "region": refs.pudong.pk,
        "category": refs.category.pk,
        "industry": refs.industry.pk,
        "level": refs.level.pk,
        "source": refs.source.pk,
        "status": "active",
        "phone": "021-62345678",
        "website": "https://donghai.example.com",
        "credit_code": VALID_CREDIT_CODE.lower(),
        "tags": "刹车片, ,出口 ",
        "notes": "展会认识",
        "review_status": "approved",  # read-only: ignored
        "abc_class": "A",  # read-only: ignored
    }
    response = api(org.users.sales1).post(URL, payload)
    assert response.status_code == 201, response.content
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.name == "宁波东海汽配有限公司"
    assert customer.code == f"C{customer.pk:06d}" == body["code"]
    assert customer.owner == org.users.sales1 and body["owner"] == org.users.sales1.pk
    assert customer.credit_code == VALID_CREDIT_CODE
    assert customer.tags == "刹车片, 出口"
    assert customer.region == refs.pudong and body["region"] == refs.pudong.pk
    assert body["review_status"] == "pending" and customer.review_status == "pending"
    assert body["abc_class"] == ""
    assert body["created_by"] == body["updated_by"] == org.users.sales1.pk
    assert "deleted_at" not in body and "normalized_name" not in body
    entry = AuditLog.objects.get(
        action=AuditAction.CREATE,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=customer.pk,
    )
    assert entry.user == org.users.sales1


def test_manager_creates_an_approved_customer_for_a_team_member(org, api):
    response = api(org.users.manager).post(
        URL, {"name": "杭州新客户", "owner": org.users.sales1b.pk}
    )
    assert response.status_code == 201
    assert response.json()["review_status"] == "approved"
    assert response.json()["owner"] == org.users.sales1b.pk


def test_given_code_must_be_unique_even_against_the_recycle_bin(org, api):
    deleted = CustomerFactory(code="C-DELETED", owner=org.users.sales2)
    Customer.objects.filter(pk=deleted.pk).update(deleted_at="2024-01-01T00:00:00Z")
    client = api(org.users.sales1)
    response = client.post(URL, {"name": "甲", "code": "C-DELETED"})
    assert response.status_code == 400
    assert "code" in response.json()
    assert client.post(URL, {"name": "乙", "code": "C-NEW"}).json()["code"] == "C-NEW"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"credit_code": BAD_CREDIT_CODE}, "credit_code"),
        ({"credit_code": "123"}, "credit_code"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"website": "not a url"}, "website"),
        ({"status": "dormant"}, "status"),
        ({"name": ""}, "name"),
        ({"region": 999999}, "region"),
        ({"region": "abc"}, "region"),
        ({"category": "inactive"}, "category"),
        ({"owner": 999999}, "owner"),
    ],
)
def test_invalid_fields_are_400_with_field_errors_and_nothing_written(
    org, refs, api, payload, field
):
    if payload.get("category") == "inactive":
        payload = {"category": refs.inactive_category.pk}
    before = Customer.all_objects.count()
    logs = AuditLog.objects.count()
    response = api(org.users.sales1).post(URL, {"name": "合法名称", **payload})
    assert response.status_code == 400
    assert field in response.json()
    assert isinstance(response.json()[field], list) and response.json()[field]
    assert Customer.all_objects.count() == before
    assert AuditLog.objects.count() == logs


def test_service_refusals_are_400_with_field_errors_and_nothing_written(org, api):
    before = Customer.all_objects.count()
    # The owner is outside the salesperson's scope: the service refuses.
    response = api(org.users.sales1).post(URL, {"name": "越权客户", "owner": org.users.sales2.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["owner"]
    # A deactivated owner.
    org.users.sales1b.is_active = False
    org.users.sales1b.save(update_fields=["is_active"])
    response = api(org.users.manager).post(URL, {"name": "停用", "owner": org.users.sales1b.pk})
    assert response.status_code == 400
    assert "owner" in response.json()
    assert Customer.all_objects.count() == before


def test_a_field_error_response_shape_for_a_bad_credit_code(org, api):
    response = api(org.users.sales1).post(URL, {"name": "甲公司", "credit_code": BAD_CREDIT_CODE})
    assert response.status_code == 400
    assert set(response.json()) == {"credit_code"}


# --- duplicates --------------------------------------------------------------------------


def test_duplicate_warning_then_confirmed_create(org, api):
    existing = CustomerFactory(name="上海华东汽配有限公司", owner=org.users.sales1)
    client = api(org.users.sales1)
    before = Customer.all_objects.count()

    response = client.post(URL, {"name": "上海 华东汽配（有限公司）"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert body["duplicates"] == [{"id": existing.pk, "code": existing.code, "name": existing.name}]
    assert body["hidden_duplicates"] == 0
    assert Customer.all_objects.count() == before

    response = client.post(URL, {"name": "上海 华东汽配（有限公司）", "confirm_duplicates": True})
    assert response.status_code == 201
    assert Customer.all_objects.count() == before + 1


def test_duplicates_outside_the_scope_are_counted_never_shown(org, api):
    hidden = CustomerFactory(
        name="北方重工", credit_code=OTHER_VALID_CREDIT_CODE, owner=org.users.sales2
    )
    response = api(org.users.sales1).post(
        URL, {"name": "另一个名字", "credit_code": OTHER_VALID_CREDIT_CODE}
    )
    assert response.status_code == 400
    assert response.json()["duplicates"] == []
    assert response.json()["hidden_duplicates"] == 1
    assert hidden.name not in response.content.decode()
    # Someone who sees everything is shown the match.
    response = api(org.users.clerk).post(
        URL, {"name": "另一个名字", "credit_code": OTHER_VALID_CREDIT_CODE}
    )
    assert [d["id"] for d in response.json()["duplicates"]] == [hidden.pk]


def test_duplicate_by_phone(org, api):
    existing = CustomerFactory(name="电话相同", phone="13800138000", owner=org.users.sales1)
    response = api(org.users.sales1).post(URL, {"name": "完全不同", "phone": "+86 138-0013-8000"})
    assert response.status_code == 400
    assert [d["id"] for d in response.json()["duplicates"]] == [existing.pk]


# --- read --------------------------------------------------------------------------------


def test_retrieve_renders_every_field(org, refs, api):
    customer = CustomerFactory(
        name="详情客户", owner=org.users.sales1, region=refs.shanghai, abc_class="B"
    )
    body = api(org.users.sales1).get(detail(customer)).json()
    assert set(body) == {
        "id", "code", "name", "short_name", "region", "category", "industry", "level",
        "source", "status", "abc_class", "owner", "address", "phone", "website",
        "credit_code", "tags", "notes", "review_status", "review_comment", "lost_at", "lost_reason",
        "version", "created_at", "updated_at", "created_by", "updated_by",
    }  # fmt: skip
    assert body["region"] == refs.shanghai.pk
    assert body["abc_class"] == "B"


def test_guessing_an_id_outside_the_scope_is_404_like_a_missing_one(org, api):
    theirs = CustomerFactory(owner=org.users.sales2)
    client = api(org.users.sales1)
    outside = client.get(detail(theirs))
    missing = client.get(f"{URL}99999999/")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert client.get(f"{URL}abc/").status_code == 404


def test_manager_sees_the_sub_department(org, api):
    sub = CustomerFactory(name="上海组客户", owner=org.users.sales1b)
    assert sub.pk in ids(api(org.users.manager).get(URL))
    assert api(org.users.manager).get(detail(sub)).status_code == 200
    assert api(org.users.manager2).get(detail(sub)).status_code == 404
    assert api(org.users.sales1).get(detail(sub)).status_code == 404


def test_deleted_customers_leave_the_list(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    admin = api(org.users.admin)
    assert admin.delete(detail(customer)).status_code == 204
    assert customer.pk not in ids(admin.get(URL))
    assert admin.get(detail(customer)).status_code == 404
    assert admin.delete(detail(customer)).status_code == 404


# --- filters, search, ordering -----------------------------------------------------------


@pytest.fixture
def catalogue(org, refs):
    users = org.users
    return {
        "pudong": CustomerFactory(
            name="浦东汽配", region=refs.pudong, category=refs.category, owner=users.sales1,
            status="active",
        ),
        "shanghai": CustomerFactory(
            name="上海轴承", region=refs.shanghai, industry=refs.industry, owner=users.sales1b,
            review_status="pending",
        ),
        "beijing": CustomerFactory(
            name="北京齿轮", region=refs.beijing, level=refs.level, owner=users.sales2,
            phone="13912345678", credit_code=VALID_CREDIT_CODE, status="lost",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"pudong", "shanghai", "beijing"}),
        ({"region": "shanghai"}, {"pudong", "shanghai"}),  # the subtree
        ({"region": "pudong"}, {"pudong"}),
        ({"region": "china"}, {"pudong", "shanghai", "beijing"}),
        ({"category": "category"}, {"pudong"}),
        ({"industry": "industry"}, {"shanghai"}),
        ({"level": "level"}, {"beijing"}),
        ({"status": "active"}, {"pudong"}),
        ({"status": "lost"}, {"beijing"}),
        ({"review_status": "pending"}, {"shanghai"}),
        ({"review_status": "approved"}, {"pudong", "beijing"}),
        ({"owner": "sales2"}, {"beijing"}),
        ({"search": "轴承"}, {"shanghai"}),
        ({"search": "pudong"}, {"pudong"}),  # pinyin
        ({"search": "bjcl"}, {"beijing"}),  # pinyin initials
        ({"search": "1391234"}, {"beijing"}),  # phone digits
        ({"search": VALID_CREDIT_CODE}, {"beijing"}),
        ({"search": "nothing-matches"}, set()),
        ({"region": "shanghai", "owner": "sales1"}, {"pudong"}),
    ],
)
def test_filters_and_search(org, refs, api, catalogue, params, expected):
    query = {}
    for key, value in params.items():
        if key in {"region", "category", "industry", "level"}:
            value = getattr(refs, value).pk
        elif key == "owner":
            value = getattr(org.users, value).pk
        query[key] = value
    response = api(org.users.admin).get(URL, query)
    assert response.status_code == 200
    assert set(ids(response)) == {catalogue[name].pk for name in expected}


def test_filters_stay_inside_the_scope(org, api, catalogue):
    response = api(org.users.sales1).get(URL, {"owner": org.users.sales2.pk})
    assert ids(response) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"ordering": "notes"}, "ordering"),
        ({"ordering": "owner"}, "ordering"),
        ({"ordering": "name;drop"}, "ordering"),
        ({"region": "abc"}, "region"),
        ({"owner": "1.5"}, "owner"),
        ({"category": "x"}, "category"),
        ({"status": "dormant"}, "status"),
        ({"review_status": "maybe"}, "review_status"),
    ],
)
def test_bad_list_parameters_are_400(org, api, params, field):
    response = api(org.users.sales1).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("name", lambda c: (c.name, c.pk)),
        ("-name", lambda c: (c.name, c.pk)),
        ("code", lambda c: (c.code, c.pk)),
        ("-code", lambda c: (c.code, c.pk)),
        ("id", lambda c: c.pk),
        ("-id", lambda c: c.pk),
        ("created_at", lambda c: (c.created_at, c.pk)),
        ("-updated_at", lambda c: (c.updated_at, c.pk)),
    ],
)
def test_keyset_pages_cover_every_row_once_in_order(org, api, ordering, key):
    # Equal names on purpose: the id keeps their order stable across pages.
    names = ["丙公司", "甲公司", "乙公司", "甲公司", "丁公司"]
    customers = [CustomerFactory(name=n, owner=org.users.sales1) for n in names]
    rows, pages = collect_pages(api(org.users.sales1), URL, {"page_size": 2, "ordering": ordering})
    assert pages == 3
    got = [row["id"] for row in rows]
    assert len(got) == len(set(got)) == 5
    expected = sorted(customers, key=key, reverse=ordering.startswith("-"))
    assert got == [c.pk for c in expected]


def test_default_order_is_newest_first_and_pages_go_back(org, api):
    customers = [CustomerFactory(owner=org.users.sales1) for _ in range(5)]
    client = api(org.users.sales1)
    first = client.get(URL, {"page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [customers[4].pk, customers[3].pk]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [customers[2].pk, customers[1].pk]
    back = client.get(second["previous"]).json()
    assert back["results"] == first["results"]


# --- update ------------------------------------------------------------------------------


def test_update_writes_history_with_field_changes(org, refs, api):
    customer = CustomerFactory(name="旧名称", owner=org.users.sales1, status="prospect")
    response = api(org.users.sales1).patch(
        detail(customer), {"name": "新名称", "status": "active", "region": refs.pudong.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["updated_by"] == org.users.sales1.pk
    customer.refresh_from_db()
    assert (customer.name, customer.status, customer.updated_by) == (
        "新名称", "active", org.users.sales1,
    )  # fmt: skip
    entry = AuditLog.objects.get(
        action=AuditAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=customer.pk,
    )
    assert entry.user == org.users.sales1
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes["name"] == ("旧名称", "新名称")
    assert changes["status"] == ("prospect", "active")
    assert changes["region"] == ("", str(refs.pudong))


def test_put_replaces_the_editable_fields(org, refs, api):
    customer = CustomerFactory(name="整体替换", owner=org.users.sales1, notes="旧备注")
    response = api(org.users.sales1).put(
        detail(customer), {"name": "整体替换后", "code": customer.code, "notes": ""}
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.name, customer.notes) == ("整体替换后", "")
    # PUT without the required name is refused.
    assert api(org.users.sales1).put(detail(customer), {"notes": "x"}).status_code == 400


def test_update_validation_errors_change_nothing(org, api):
    customer = CustomerFactory(name="不变", owner=org.users.sales1)
    client = api(org.users.sales1)
    for payload, field in [
        ({"credit_code": BAD_CREDIT_CODE}, "credit_code"),
        ({"phone": "12345"}, "phone"),
        ({"owner": org.users.sales2.pk}, "owner"),
        ({"name": "改名", "owner": org.users.sales2.pk}, "owner"),
    ]:
        response = client.patch(detail(customer), payload)
        assert response.status_code == 400
        assert field in response.json()
    customer.refresh_from_db()
    assert (customer.name, customer.owner) == ("不变", org.users.sales1)
    assert not AuditLog.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_deactivated_entry_already_on_the_record_may_stay(org, refs, api):
    customer = CustomerFactory(owner=org.users.sales1, category=refs.inactive_category)
    client = api(org.users.sales1)
    response = client.patch(
        detail(customer), {"category": refs.inactive_category.pk, "notes": "备注"}
    )
    assert response.status_code == 200
    other = CustomerFactory(owner=org.users.sales1)
    response = client.patch(f"{URL}{other.pk}/", {"category": refs.inactive_category.pk})
    assert response.status_code == 400
    assert "category" in response.json()


def test_rejected_customer_edited_by_its_author_goes_back_to_review(org, api):
    customer = CustomerFactory(owner=org.users.sales1, review_status="rejected")
    response = api(org.users.sales1).patch(detail(customer), {"notes": "补充了资料"})
    assert response.json()["review_status"] == "pending"


# --- review ------------------------------------------------------------------------------


def test_review_flow(org, api):
    created = api(org.users.sales1).post(URL, {"name": "待审核客户"}).json()
    assert created["review_status"] == "pending"
    review_url = f"{URL}{created['id']}/review/"

    assert api(org.users.sales1).post(review_url, {"approve": True}).status_code == 403
    assert api(org.users.clerk).post(review_url, {"approve": True}).status_code == 403
    assert api(org.users.manager2).post(review_url, {"approve": True}).status_code == 404

    manager = api(org.users.manager)
    response = manager.post(review_url, {"approve": False})
    assert response.status_code == 400
    assert "comment" in response.json()
    assert list(manager.post(review_url, {}).json()) == ["approve"]

    response = manager.post(review_url, {"approve": False, "comment": "资料不全"})
    assert response.status_code == 200
    assert response.json()["review_status"] == "rejected"
    assert response.json()["review_comment"] == "资料不全"
    # Not waiting for review any more.
    response = manager.post(review_url, {"approve": True})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]

    customer = Customer.objects.get(pk=created["id"])
    assert customer.reviewed_by == org.users.manager
    assert AuditLog.objects.filter(action=AuditAction.REVIEW, object_id=customer.pk).exists()


# --- recycle bin -------------------------------------------------------------------------


def test_restore_from_the_recycle_bin(org, api):
    customer = CustomerFactory(owner=org.users.sales1)
    admin = api(org.users.admin)
    restore_url = f"{detail(customer)}restore/"
    assert admin.post(restore_url).status_code == 404  # not in the bin
    assert api(org.users.manager).delete(detail(customer)).status_code == 204

    assert api(org.users.sales1).post(restore_url).status_code == 403  # no delete permission
    assert api(org.users.manager).post(restore_url).status_code == 403  # not all-scope
    assert api(org.users.manager2).post(restore_url).status_code == 404  # outside the scope
    response = admin.post(restore_url)
    assert response.status_code == 200
    assert response.json()["id"] == customer.pk
    customer.refresh_from_db()
    assert customer.deleted_at is None
    assert AuditLog.objects.filter(action=AuditAction.RESTORE, object_id=customer.pk).exists()
    assert customer.pk in ids(api(org.users.sales1).get(URL))
