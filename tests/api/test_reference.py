"""Reference lists: one generated endpoint per list in the registry."""

import pytest

from guanxi.common.models import AuditAction, AuditLog
from guanxi.reference.models import CustomerCategory, OpportunityStage, Region
from guanxi.reference.registry import REFERENCE_LISTS
from tests.factories import CustomerFactory

from .helpers import collect_pages, ids, make_region

SLUGS = list(REFERENCE_LISTS)
# Lists with required fields beyond code and name.
REQUIRED_EXTRA = {"holidays": {"month": 6, "day": 1}}


def url(slug, entry=None):
    return f"/api/v1/{slug}/" + (f"{entry.pk}/" if entry is not None else "")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_list_reads_for_anyone_and_writes_for_reference_admins(org, api, slug):
    model = REFERENCE_LISTS[slug]
    reader = api(org.users.researcher)  # no reference permission at all
    rows, _pages = collect_pages(reader, url(slug))
    assert [row["id"] for row in rows] == list(
        model.objects.order_by(
            *(["path"] if model is Region else ["sort_order", "code"])
        ).values_list("pk", flat=True)
    )

    payload = {"code": "T-NEW", "name": "新条目", **REQUIRED_EXTRA.get(slug, {})}
    assert reader.post(url(slug), payload).status_code == 403
    assert api(org.users.manager).post(url(slug), payload).status_code == 403
    admin = api(org.users.admin)
    response = admin.post(url(slug), payload)
    assert response.status_code == 201, response.content
    entry = model.objects.get(code="T-NEW")
    assert response.json()["id"] == entry.pk
    assert entry.created_by == org.users.admin
    assert reader.get(url(slug, entry)).json()["name"] == "新条目"

    assert reader.patch(url(slug, entry), {"name": "x"}).status_code == 403
    response = admin.patch(url(slug, entry), {"name": "改名", "is_active": False})
    assert response.status_code == 200
    assert response.json()["is_active"] is False

    assert reader.delete(url(slug, entry)).status_code == 403
    assert admin.delete(url(slug, entry)).status_code == 204
    assert not model.objects.filter(pk=entry.pk).exists()
    assert admin.get(url(slug, entry)).status_code == 404


def test_create_validates_and_orders(org, api):
    admin = api(org.users.admin)
    last = CustomerCategory.objects.order_by("-sort_order").first().sort_order
    response = admin.post(url("customer-categories"), {"code": "T-A", "name": "甲类"})
    assert response.json()["sort_order"] == last + 10
    before = CustomerCategory.objects.count()
    response = admin.post(url("customer-categories"), {"code": "T-A", "name": "重复"})
    assert response.status_code == 400
    assert "code" in response.json()
    response = admin.post(url("customer-categories"), {"code": "", "name": ""})
    assert set(response.json()) == {"code", "name"}
    assert CustomerCategory.objects.count() == before


def test_extra_fields_of_a_list(org, api):
    admin = api(org.users.admin)
    response = admin.post(
        url("opportunity-stages"), {"code": "T-WON", "name": "赢单", "default_probability": 100}
    )
    assert response.status_code == 201
    assert response.json()["default_probability"] == 100
    response = admin.post(
        url("opportunity-stages"), {"code": "T-X", "name": "X", "default_probability": 101}
    )
    assert response.status_code == 400
    assert "default_probability" in response.json()
    assert not OpportunityStage.objects.filter(code="T-X").exists()
    body = admin.get(url("service-request-types")).json()["results"][0]
    assert {"phase", "is_complaint"} <= set(body)


def test_an_entry_in_use_is_not_deleted(org, refs, api):
    CustomerFactory(owner=org.users.sales1, category=refs.category)
    response = api(org.users.admin).delete(url("customer-categories", refs.category))
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert CustomerCategory.objects.filter(pk=refs.category.pk).exists()
    assert not AuditLog.objects.filter(action=AuditAction.DELETE).exists()


def test_search_and_active_filters(org, refs, api):
    reader = api(org.users.sales1)
    found = ids(reader.get(url("customer-categories"), {"search": "t-o"}))
    assert set(found) == {refs.other_category.pk, refs.inactive_category.pk}
    found = ids(reader.get(url("customer-categories"), {"search": "t-", "active": "true"}))
    assert set(found) == {refs.category.pk, refs.other_category.pk}
    found = ids(reader.get(url("customer-categories"), {"active": "false"}))
    assert found == [refs.inactive_category.pk]
    response = reader.get(url("customer-categories"), {"active": "perhaps"})
    assert response.status_code == 400
    assert "active" in response.json()


def test_regions_tree(org, refs, api):
    reader = api(org.users.sales1)
    children = ids(reader.get(url("regions"), {"parent": refs.china.pk}))
    assert set(children) == {refs.shanghai.pk, refs.beijing.pk}
    assert reader.get(url("regions"), {"parent": "x"}).status_code == 400
    body = reader.get(url("regions", refs.pudong)).json()
    assert body["parent"] == refs.shanghai.pk
    assert body["path"] == refs.pudong.path

    admin = api(org.users.admin)
    response = admin.post(
        url("regions"), {"code": "310104", "name": "徐汇区", "parent": refs.shanghai.pk,
                         "path": "/forged/"}
    )  # fmt: skip
    assert response.status_code == 201
    xuhui = Region.objects.get(code="310104")
    assert xuhui.path == f"{refs.shanghai.path}{xuhui.pk}/" == response.json()["path"]

    # Moving Shanghai under Beijing rewrites the paths below it.
    response = admin.patch(url("regions", refs.shanghai), {"parent": refs.beijing.pk})
    assert response.status_code == 200
    refs.pudong.refresh_from_db()
    assert refs.pudong.path.startswith(refs.beijing.path)
    # An entry cannot go under its own subtree.
    response = admin.patch(url("regions", refs.shanghai), {"parent": refs.pudong.pk})
    assert response.status_code == 400
    assert "parent" in response.json()

    # A region with children is in use.
    assert admin.delete(url("regions", refs.beijing)).status_code == 400


def test_regions_page_in_tree_order(org, api):
    root = make_region("T-ROOT", "根")
    for i in range(5):
        make_region(f"T-{i}", f"子{i}", root)
    rows, pages = collect_pages(api(org.users.sales1), url("regions"), {"page_size": 2})
    assert pages == 3
    paths = [row["path"] for row in rows]
    assert paths == sorted(paths)
