"""Reference-data pages: index, lists (regions as a tree), create/edit, reorder, delete."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.common.models import AuditAction, AuditLog
from guanxi.reference.models import Industry, OpportunityStage, Region, ServiceRequestType
from guanxi.reference.registry import REFERENCE_LISTS
from guanxi.reference.services import reference_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(login):
    def _client(user):
        client = login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


@pytest.fixture
def admin(org, client_for):
    return client_for(org.users.admin)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def list_url(slug, **params):
    url = reverse("web:reference_list", args=[slug])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def industry_payload(**overrides):
    data = {
        "code": "ROBOTICS",
        "name": "机器人",
        "name_en": "Robotics",
        "sort_order": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def make_region(org, code, name, parent=None, **fields):
    return reference_create(
        actor=org.users.admin, model=Region, code=code, name=name, parent=parent, **fields
    )


@pytest.fixture
def regions(org):
    china = make_region(org, "CN", "中国")
    gd = make_region(org, "440000", "广东省", china, sort_order=10)
    js = make_region(org, "320000", "江苏省", china, sort_order=20)
    gz = make_region(org, "440100", "广州市", gd)
    th = make_region(org, "440106", "天河区", gz)
    return {"china": china, "gd": gd, "js": js, "gz": gz, "th": th}


# --- reading -------------------------------------------------------------------------------


def test_index_links_every_list(org, client_for):
    response = client_for(org.users.sales1).get(reverse("web:reference_index"))
    body = response.content.decode()
    assert response.status_code == 200
    for slug, model in REFERENCE_LISTS.items():
        assert reverse("web:reference_list", args=[slug]) in body
        assert str(model._meta.verbose_name_plural).capitalize() in body


def test_any_signed_in_user_can_read_every_list(org, client_for):
    client = client_for(org.users.sales1)
    for slug in REFERENCE_LISTS:
        assert client.get(list_url(slug)).status_code == 200, slug
    body = client.get(list_url("industries")).content.decode()
    assert "AUTO_PARTS" in body
    # but without change rights there are no edit buttons
    assert reverse("web:reference_create", args=["industries"]) not in body
    assert "↑" not in body


def test_anonymous_is_sent_to_login(org):
    response = Client().get(list_url("industries"))
    assert response.status_code == 302


def test_unknown_slug_and_missing_entry_are_404(admin):
    assert admin.get(list_url("no-such-list")).status_code == 404
    assert admin.get(reverse("web:reference_create", args=["no-such-list"])).status_code == 404
    assert admin.get(reverse("web:reference_edit", args=["industries", 999999])).status_code == 404
    assert (
        admin.post(reverse("web:reference_delete", args=["industries", 999999])).status_code == 404
    )
    assert (
        admin.post(
            reverse("web:reference_move", args=["industries", 999999]), {"direction": "up"}
        ).status_code
        == 404
    )


def test_salesperson_cannot_change_reference_data(org, client_for):
    client = client_for(org.users.sales1)
    entry = Industry.objects.get(code="AUTO_PARTS")
    assert client.get(reverse("web:reference_create", args=["industries"])).status_code == 403
    assert (
        client.post(
            reverse("web:reference_create", args=["industries"]), industry_payload()
        ).status_code
        == 403
    )
    assert (
        client.get(reverse("web:reference_edit", args=["industries", entry.pk])).status_code == 403
    )
    assert (
        client.post(
            reverse("web:reference_move", args=["industries", entry.pk]), {"direction": "down"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("web:reference_delete", args=["industries", entry.pk])).status_code
        == 403
    )
    assert not Industry.objects.filter(code="ROBOTICS").exists()
    assert Industry.objects.filter(pk=entry.pk).exists()


def test_extra_fields_are_listed_with_their_labels(admin):
    stages = admin.get(list_url("opportunity-stages"))
    assert "Default win probability (%)" in stages.content.decode()
    proposal = next(r for r in stages.context["rows"] if r["entry"].code == "PROPOSAL")
    assert proposal["extras"] == ["50"]

    ServiceRequestType.objects.create(
        code="TEST-C", name="投诉", phase="after_sale", is_complaint=True
    )
    types = admin.get(list_url("service-request-types"))
    body = types.content.decode()
    assert "Phase" in body and "Is a complaint" in body
    row = next(r for r in types.context["rows"] if r["entry"].code == "TEST-C")
    assert row["extras"] == ["After-sale", "Yes"]


# --- writing -------------------------------------------------------------------------------


def test_admin_creates_entry_at_the_end(org, admin):
    last = Industry.objects.order_by("-sort_order").first()
    response = admin.post(reverse("web:reference_create", args=["industries"]), industry_payload())
    assert response.status_code == 302
    entry = Industry.objects.get(code="ROBOTICS")
    assert entry.name_en == "Robotics"
    assert entry.sort_order > last.sort_order
    assert entry.created_by == org.users.admin
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=entry.pk).exists()


def test_bad_reference_input_shows_field_errors_and_writes_nothing(admin):
    before = Industry.objects.count()
    duplicate = admin.post(
        reverse("web:reference_create", args=["industries"]), industry_payload(code="AUTO_PARTS")
    )
    assert duplicate.status_code == 200
    assert "already exists" in " ".join(duplicate.context["form"].errors["code"])
    assert "already exists" in duplicate.content.decode()
    missing = admin.post(
        reverse("web:reference_create", args=["industries"]), industry_payload(name="")
    )
    assert missing.status_code == 200
    assert "name" in missing.context["form"].errors
    assert Industry.objects.count() == before

    stage = OpportunityStage.objects.get(code="PROPOSAL")
    response = admin.post(
        reverse("web:reference_edit", args=["opportunity-stages", stage.pk]),
        {
            "code": "PROPOSAL",
            "name": stage.name,
            "sort_order": stage.sort_order,
            "is_active": "on",
            "default_probability": 150,
        },
    )
    assert response.status_code == 200
    assert "default_probability" in response.context["form"].errors
    stage.refresh_from_db()
    assert stage.default_probability == 50


def test_edit_and_deactivate_entry_records_history(org, admin):
    entry = Industry.objects.get(code="LOGISTICS")
    response = admin.post(
        reverse("web:reference_edit", args=["industries", entry.pk]),
        {
            "code": "LOGISTICS",
            "name": "物流",
            "name_en": "Logistics & transport",
            "sort_order": entry.sort_order,
        },  # "is_active" unticked
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name_en == "Logistics & transport"
    assert not entry.is_active
    log = AuditLog.objects.filter(action=AuditAction.UPDATE, object_id=entry.pk).latest("id")
    changed = {c["field"]: (c["old"], c["new"]) for c in log.changes}
    assert changed["is_active"] == ("1", "0")
    assert changed["name_en"] == ("Logistics", "Logistics & transport")
    assert "Inactive" in admin.get(list_url("industries")).content.decode()


def test_entry_in_use_cannot_be_deleted(org, admin):
    industry = Industry.objects.get(code="AUTO_PARTS")
    CustomerFactory(industry=industry)
    response = admin.post(
        reverse("web:reference_delete", args=["industries", industry.pk]), follow=True
    )
    assert response.status_code == 200
    assert "is in use and cannot be deleted" in response.content.decode()
    assert Industry.objects.filter(pk=industry.pk).exists()
    assert not AuditLog.objects.filter(action=AuditAction.DELETE, object_id=industry.pk).exists()


def test_unused_entry_is_deleted(admin):
    industry = Industry.objects.get(code="AGRI")
    response = admin.post(
        reverse("web:reference_delete", args=["industries", industry.pk]), follow=True
    )
    assert response.status_code == 200
    assert "deleted" in response.content.decode()
    assert not Industry.objects.filter(pk=industry.pk).exists()


def test_reorder_swaps_neighbours(admin):
    ordered = list(Industry.objects.order_by("sort_order", "code").values_list("code", flat=True))
    second = Industry.objects.get(code=ordered[1])
    next_url = list_url("industries")
    response = admin.post(
        reverse("web:reference_move", args=["industries", second.pk]),
        {"direction": "up", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    now = list(Industry.objects.order_by("sort_order", "code").values_list("code", flat=True))
    assert now == [ordered[1], ordered[0], *ordered[2:]]
    shown = [r["entry"].code for r in admin.get(next_url).context["rows"]]
    assert shown == now

    admin.post(reverse("web:reference_move", args=["industries", second.pk]), {"direction": "down"})
    again = list(Industry.objects.order_by("sort_order", "code").values_list("code", flat=True))
    assert again == ordered


def test_move_refuses_bad_direction_and_foreign_next(admin):
    entry = Industry.objects.order_by("sort_order").first()
    url = reverse("web:reference_move", args=["industries", entry.pk])
    assert admin.post(url, {"direction": "sideways"}).status_code == 400
    response = admin.post(url, {"direction": "down", "next": "https://evil.example/"})
    assert response["Location"] == list_url("industries")


def test_reference_post_without_csrf_token_is_refused(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users.admin)
    entry = Industry.objects.get(code="AGRI")
    assert (
        client.post(reverse("web:reference_delete", args=["industries", entry.pk])).status_code
        == 403
    )
    assert Industry.objects.filter(pk=entry.pk).exists()


# --- regions -------------------------------------------------------------------------------


def test_regions_default_to_the_top_level(admin, regions):
    response = admin.get(list_url("regions"))
    assert [r["entry"].code for r in response.context["rows"]] == ["CN"]
    body = response.content.decode()
    assert f"?parent={regions['china'].pk}" in body  # drill down link


def test_regions_filtered_by_parent_show_the_tree_path(admin, regions):
    response = admin.get(list_url("regions", parent=regions["gd"].pk))
    rows = response.context["rows"]
    assert [r["entry"].code for r in rows] == ["440100"]
    assert rows[0]["indent"] == "tree-indent-2"
    ancestors = response.context["ancestors"]
    assert [(a["region"].code, a["indent"]) for a in ancestors] == [
        ("CN", ""),
        ("440000", "tree-indent-1"),
    ]
    body = response.content.decode()
    assert 'class="tree-indent-2"' in body
    assert "广东省" in body and "中国" in body

    provinces = admin.get(list_url("regions", parent=regions["china"].pk)).context["rows"]
    assert [r["entry"].code for r in provinces] == ["440000", "320000"]  # by sort order


def test_region_search_finds_nested_entries_as_a_tree(admin, regions):
    response = admin.get(list_url("regions", q="天河"))
    rows = response.context["rows"]
    assert [r["entry"].code for r in rows] == ["440106"]
    assert rows[0]["indent"] == "tree-indent-3"
    assert rows[0]["extras"] == ["广州市"]  # the parent column

    within = admin.get(list_url("regions", parent=regions["js"].pk, q="天河"))
    assert within.context["rows"] == []


def test_unknown_parent_is_404(admin, regions):
    assert admin.get(list_url("regions", parent=999999)).status_code == 404


def test_create_region_under_parent_by_code(admin, regions):
    form_page = admin.get(
        reverse("web:reference_create", args=["regions"]) + f"?parent={regions['gz'].pk}"
    )
    assert form_page.context["form"]["parent"].value() == "440100"
    response = admin.post(
        reverse("web:reference_create", args=["regions"]),
        {
            "code": "440104",
            "name": "越秀区",
            "parent": "440100",
            "sort_order": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == list_url("regions", parent=regions["gz"].pk)
    yuexiu = Region.objects.get(code="440104")
    assert yuexiu.parent == regions["gz"]
    assert yuexiu.path == f"{regions['gz'].path}{yuexiu.pk}/"


def test_region_with_unknown_parent_code_shows_error(admin, regions):
    before = Region.objects.count()
    response = admin.post(
        reverse("web:reference_create", args=["regions"]),
        {"code": "999999", "name": "无", "parent": "NOPE", "sort_order": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "No region has this code." in " ".join(response.context["form"].errors["parent"])
    assert Region.objects.count() == before


def test_region_cannot_move_under_its_descendant(admin, regions):
    gd = regions["gd"]
    response = admin.post(
        reverse("web:reference_edit", args=["regions", gd.pk]),
        {
            "code": "440000",
            "name": "广东省",
            "parent": "440106",
            "sort_order": 10,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    gd.refresh_from_db()
    assert gd.parent == regions["china"]


def test_moving_region_updates_subtree(admin, regions):
    gz, th, js = regions["gz"], regions["th"], regions["js"]
    edit_page = admin.get(reverse("web:reference_edit", args=["regions", gz.pk]))
    assert edit_page.context["form"]["parent"].value() == "440000"
    response = admin.post(
        reverse("web:reference_edit", args=["regions", gz.pk]),
        {
            "code": "440100",
            "name": "广州市",
            "parent": "320000",
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    th.refresh_from_db()
    assert th.path == f"{js.path}{gz.pk}/{th.pk}/"


def test_region_reorder_among_siblings(admin, regions):
    js = regions["js"]
    china = regions["china"]
    admin.post(reverse("web:reference_move", args=["regions", js.pk]), {"direction": "up"})
    rows = admin.get(list_url("regions", parent=china.pk)).context["rows"]
    assert [r["entry"].code for r in rows] == ["320000", "440000"]


def test_region_list_paginates_and_query_count_does_not_grow(org, admin, django_assert_num_queries):
    root = make_region(org, "CN", "中国")
    for i in range(5):
        make_region(org, f"P{i:03d}", f"省{i}", root)
    url = list_url("regions", parent=root.pk)
    queries_for(admin, url)
    few = queries_for(admin, url)
    for i in range(5, 80):
        make_region(org, f"P{i:03d}", f"省{i}", root)
    with django_assert_num_queries(few):
        response = admin.get(url)
    page_obj = response.context["page_obj"]
    assert page_obj.paginator.count == 80
    assert len(response.context["rows"]) == 50
    assert len(admin.get(url + "&page=2").context["rows"]) == 30


def test_reference_list_query_count_does_not_grow(org, admin, django_assert_num_queries):
    url = list_url("service-request-types")
    ServiceRequestType.objects.all().delete()
    for i in range(5):
        ServiceRequestType.objects.create(code=f"T{i:03d}", name=f"类型{i}")
    queries_for(admin, url)
    few = queries_for(admin, url)
    for i in range(5, 30):
        ServiceRequestType.objects.create(
            code=f"T{i:03d}", name=f"类型{i}", is_complaint=i % 2 == 0
        )
    with django_assert_num_queries(few):
        response = admin.get(url)
    assert len(response.context["rows"]) == 30
