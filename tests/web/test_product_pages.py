"""Product pages: search by code, name, specification and pinyin; filters; create and edit
with errors next to fields; a product in use is not deleted but can be deactivated."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.sales.models import Product
from guanxi.sales.services import products as product_services

from ..factories import CustomerFactory, ProductFactory, SalesRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def codes(response):
    assert response.status_code == 200
    return [p.code for p in response.context["page_obj"]]


@pytest.fixture
def catalogue(org):
    return [
        product_services.product_create(
            actor=org.users.admin,
            code="BP-100",
            name="刹车片",
            specification="前轮 陶瓷",
            category="制动系统",
            list_price="128.50",
        ),
        product_services.product_create(
            actor=org.users.admin,
            code="OF-200",
            name="机油滤清器",
            specification="M20×1.5",
            category="滤清器",
            list_price="1234567.80",
        ),
        product_services.product_create(
            actor=org.users.admin, code="XX-900", name="旧款火花塞", is_active=False
        ),
    ]


@pytest.mark.parametrize(
    "role", ["sales1", "manager", "clerk", "researcher", "service", "exec", "admin"]
)
def test_every_role_with_view_may_read(org, login, catalogue, role):
    client = login(getattr(org.users, role))
    assert client.get(url("product_list")).status_code == 200
    assert client.get(url("product_detail", catalogue[0].pk)).status_code == 200


def test_write_pages_need_the_permission(org, login, catalogue):
    product = catalogue[0]
    sales1 = login(org.users.sales1)
    assert sales1.get(url("product_create")).status_code == 403
    assert sales1.get(url("product_edit", product.pk)).status_code == 403
    assert sales1.post(url("product_delete", product.pk)).status_code == 403
    assert sales1.post(url("product_deactivate", product.pk)).status_code == 403
    nobody = login(UserFactory(username="nobody", department=org.hq))
    assert nobody.get(url("product_list")).status_code == 403
    assert nobody.get(url("product_detail", product.pk)).status_code == 403
    assert login(org.users.clerk).get(url("product_create")).status_code == 200
    assert login(org.users.sales1).get(url("product_detail", 999999)).status_code == 404
    assert Product.objects.filter(pk=product.pk, is_active=True).exists()


def test_search_and_filters(org, login, catalogue):
    client = login(org.users.sales1)
    assert codes(client.get(url("product_list"), {"q": "bp-1"})) == ["BP-100"]
    assert codes(client.get(url("product_list"), {"q": "滤清"})) == ["OF-200"]
    assert codes(client.get(url("product_list"), {"q": "M20"})) == ["OF-200"]
    assert codes(client.get(url("product_list"), {"q": "shache"})) == ["BP-100"]  # pinyin
    assert codes(client.get(url("product_list"), {"q": "jylq"})) == ["OF-200"]  # initials
    assert codes(client.get(url("product_list"), {"category": "制动系统"})) == ["BP-100"]
    assert codes(client.get(url("product_list"), {"active": "0"})) == ["XX-900"]
    assert codes(client.get(url("product_list"), {"active": "1"})) == ["BP-100", "OF-200"]
    assert len(codes(client.get(url("product_list")))) == 3
    html = client.get(url("product_list")).content.decode()
    assert "1,234,567.80" in html and "128.50" in html


def test_create_and_edit_with_errors_next_to_fields(org, login, catalogue):
    client = login(org.users.clerk)
    response = client.post(
        url("product_create"), {"code": "bp-100", "name": "", "unit": "件", "list_price": "-1"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors and "list_price" in errors
    response = client.post(
        url("product_create"), {"code": "bp-100", "name": "重复", "unit": "件", "list_price": "1"}
    )
    assert "code" in response.context["form"].errors  # the service's check, case-blind
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert Product.objects.count() == 3
    response = client.post(
        url("product_create"),
        {
            "code": "GS-300",
            "name": "变速箱齿轮",
            "unit": "套",
            "list_price": "8800.00",
            "category": "传动系统",
            "is_active": "on",
        },
    )
    product = Product.objects.get(code="GS-300")
    assert response.status_code == 302 and response["Location"] == url("product_detail", product.pk)
    assert product.name_initials == "bsxcl" and product.created_by == org.users.clerk
    response = client.post(
        url("product_edit", product.pk),
        {"code": "GS-300", "name": "变速箱齿轮", "unit": "套", "list_price": "9900.00"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert str(product.list_price) == "9900.00" and not product.is_active
    html = client.get(url("product_detail", product.pk)).content.decode()
    assert "<del>8800.00</del> → <ins>9900.00</ins>" in html


def test_delete_unused_product(org, login, catalogue):
    product = catalogue[2]
    client = login(org.users.clerk)
    html = client.get(url("product_detail", product.pk)).content.decode()
    assert 'data-confirm="Delete this product?"' in html
    assert client.post(url("product_delete", product.pk)).status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    assert AuditLog.objects.filter(object_id=product.pk, action="delete").exists()


def test_used_product_is_not_deleted_but_can_be_deactivated(org, login, catalogue):
    product = catalogue[0]
    SalesRecordFactory(customer=CustomerFactory(owner=org.users.sales1), product=product)
    client = login(org.users.clerk)
    response = client.post(url("product_delete", product.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="product-in-use"' in html and "deactivate it instead" in html
    assert url("product_deactivate", product.pk) in html
    assert Product.objects.filter(pk=product.pk).exists()
    assert not AuditLog.objects.filter(object_id=product.pk, action="delete").exists()
    assert client.post(url("product_deactivate", product.pk)).status_code == 302
    product.refresh_from_db()
    assert not product.is_active


def _queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["sales1", "clerk"])
def test_list_query_count_does_not_grow_with_rows(org, login, role):
    client = login(getattr(org.users, role))
    ProductFactory.create_batch(3, category="制动系统")
    few = _queries(client, url("product_list"))
    ProductFactory.create_batch(20, category="滤清器")
    many = _queries(client, url("product_list"))
    assert few == many, (few, many)


def test_pages_in_chinese(org, login, catalogue):
    client = login(org.users.sales1, language="zh-hans")
    for page in (url("product_list"), url("product_detail", catalogue[0].pk)):
        html = client.get(page).content.decode()
        assert 'lang="zh-Hans"' in html and ">客户<" in html, page
    html = client.get(url("product_list")).content.decode()
    assert "筛选" in html and "编码" in html
