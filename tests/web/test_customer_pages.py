"""Customer and contact pages: scope (404), errors next to fields, duplicate warning,
review, recycle bin, query counts that do not grow with the rows."""

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.customers.models import Contact, Customer

from ..factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
GOOD_CODE = "91110000600037341L"


def test_list_shows_only_own_customers_and_counts(org, login):
    CustomerFactory(owner=org.users.sales1, name="我的客户")
    CustomerFactory(owner=org.users.sales2, name="别人的客户")
    body = login(org.users.sales1).get(reverse("web:customer_list")).content.decode()
    assert "我的客户" in body and "别人的客户" not in body
    assert "1 record" in body


def test_other_teams_customer_is_404_on_every_page(org, login):
    theirs = CustomerFactory(owner=org.users.sales2)
    contact = ContactFactory(customer=theirs)
    client = login(org.users.sales1)
    for name in ("customer_detail", "customer_edit"):
        assert client.get(reverse(f"web:{name}", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("web:contact_create", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("web:contact_edit", args=[contact.pk])).status_code == 404
    assert client.get(reverse("web:contact_list") + f"?customer={theirs.pk}").status_code == 404
    assert client.post(reverse("web:contact_delete", args=[contact.pk])).status_code == 404
    found = client.get(reverse("web:customer_autocomplete") + f"?q={theirs.name}").json()
    assert found == {"results": []}
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_create_with_bad_input_shows_errors_next_to_fields(org, login):
    client = login(org.users.sales1)
    response = client.post(
        reverse("web:customer_create"),
        {
            "name": "",
            "credit_code": "123",
            "phone": "abc",
            "status": "prospect",
            "owner": org.users.sales1.pk,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"name", "credit_code", "phone"}
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Customer.all_objects.exists()


def test_create_warns_about_duplicate_then_saves_when_confirmed(org, login):
    CustomerFactory(owner=org.users.sales2, name="苏州恒通汽配有限公司", credit_code=GOOD_CODE)
    client = login(org.users.sales1)
    data = {"name": "苏州恒通汽配有限公司", "status": "prospect", "owner": org.users.sales1.pk}
    response = client.post(reverse("web:customer_create"), data)
    assert response.status_code == 200
    assert response.context["hidden_duplicates"] == 1
    assert "duplicate-warning" in response.content.decode()
    assert Customer.objects.count() == 1
    response = client.post(reverse("web:customer_create"), {**data, "confirm_duplicates": "on"})
    assert response.status_code == 302
    created = Customer.objects.get(owner=org.users.sales1)
    assert created.review_status == "pending" and created.created_by == org.users.sales1


def test_salesperson_cannot_give_customer_to_another_team(org, login):
    client = login(org.users.sales1)
    response = client.post(
        reverse("web:customer_create"),
        {"name": "新客户", "status": "prospect", "owner": org.users.sales2.pk},
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Customer.objects.exists()


def test_review_through_the_page_and_author_sees_decision(org, login):
    customer = CustomerFactory(
        owner=org.users.sales1, created_by=org.users.sales1, review_status="pending"
    )
    assert (
        login(org.users.sales1)
        .post(reverse("web:customer_review", args=[customer.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    manager = login(org.users.manager)
    response = manager.post(
        reverse("web:customer_review", args=[customer.pk]), {"decision": "reject", "comment": ""}
    )
    assert response.status_code == 400
    assert "comment" in response.context["review_form"].errors
    response = manager.post(
        reverse("web:customer_review", args=[customer.pk]),
        {"decision": "reject", "comment": "地址不全"},
    )
    assert response.status_code == 302
    home = login(org.users.sales1).get(reverse("web:home")).content.decode()
    assert "地址不全" in home
    detail = login(org.users.sales1).get(reverse("web:customer_detail", args=[customer.pk]))
    assert "地址不全" in detail.content.decode()


def test_history_tab_shows_field_changes(org, login):
    client = login(org.users.sales1)
    client.post(
        reverse("web:customer_create"),
        {"name": "历史公司", "status": "prospect", "owner": org.users.sales1.pk},
    )
    customer = Customer.objects.get(name="历史公司")
    data = {
        "name": "历史公司",
        "status": "active",
        "owner": org.users.sales1.pk,
        "code": customer.code,
        "phone": "021-62345678",
    }
    assert client.post(reverse("web:customer_edit", args=[customer.pk]), data).status_code == 302
    response = client.get(reverse("web:customer_detail", args=[customer.pk]) + "?tab=history")
    body = response.content.decode()
    assert "021-62345678" in body
    assert "<del>Prospect</del> → <ins>Active</ins>" in body


def test_delete_goes_to_bin_and_admin_restores(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    assert (
        login(org.users.sales1).post(reverse("web:customer_delete", args=[customer.pk])).status_code
        == 403
    )
    assert (
        login(org.users.manager)
        .post(reverse("web:customer_delete", args=[customer.pk]))
        .status_code
        == 302
    )
    assert (
        login(org.users.sales1).get(reverse("web:customer_detail", args=[customer.pk])).status_code
        == 404
    )
    admin = login(org.users.admin)
    assert customer.name in admin.get(reverse("web:customer_bin")).content.decode()
    assert admin.post(reverse("web:customer_restore", args=[customer.pk])).status_code == 302
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_contact_create_edit_delete_under_customer(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    client = login(org.users.sales1)
    response = client.post(
        reverse("web:contact_create", args=[customer.pk]), {"name": "王芳", "mobile": "139"}
    )
    assert "mobile" in response.context["form"].errors
    response = client.post(
        reverse("web:contact_create", args=[customer.pk]),
        {"name": "王芳", "mobile": "13912345678", "gender": "female"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.is_primary and contact.created_by == org.users.sales1
    response = client.post(
        reverse("web:contact_edit", args=[contact.pk]),
        {"name": "王芳芳", "mobile": "13912345678", "is_primary": "on"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "王芳芳"
    assert client.post(reverse("web:contact_delete", args=[contact.pk])).status_code == 302
    assert not Contact.objects.exists()
    assert AuditLog.objects.filter(parent_id=customer.pk, action="delete").exists()


def test_csrf_is_enforced_on_pages(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users.sales1)
    response = client.post(reverse("web:customer_create"), {"name": "X", "status": "prospect"})
    assert response.status_code == 403
    assert not Customer.objects.exists()


def _count_queries(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["web:customer_list", "web:contact_list", "web:home"])
def test_list_query_count_does_not_grow_with_rows(
    org, login, url_name, django_assert_max_num_queries
):
    client = login(org.users.manager)

    def fill(n):
        for _ in range(n):
            c = CustomerFactory(owner=org.users.sales1)
            ContactFactory(customer=c)

    fill(3)
    few = _count_queries(django_assert_max_num_queries, client, reverse(url_name))
    fill(20)
    many = _count_queries(django_assert_max_num_queries, client, reverse(url_name))
    assert many == few, (few, many)


def test_detail_tabs_query_count_does_not_grow(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    client = login(org.users.sales1)
    url = reverse("web:customer_detail", args=[customer.pk])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 12):
        while customer.contacts.count() < n:
            ContactFactory(customer=customer)
            AuditLog.objects.create(
                action="update",
                object_repr="x",
                parent_id=customer.pk,
                changes=[{"field": "name", "old": "a", "new": "b"}],
            )
        row = []
        for tab in ("details", "contacts", "history"):
            client.get(f"{url}?tab={tab}")  # warm per-process caches (content types)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"{url}?tab={tab}").status_code == 200
            row.append(len(ctx.captured_queries))
        counts.append(row)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("language", "header", "title"), [("en", "Code", "Customers"), ("zh-hans", "编码", "客户")]
)
def test_list_is_in_the_readers_language(org, login, language, header, title):
    body = login(org.users.sales1, language=language).get(reverse("web:customer_list"))
    html = body.content.decode()
    assert f">{header}" in html
    assert f"<h1>{title}</h1>" in html


def test_customer_status_and_person_name_read_right_in_chinese(org, login):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    ContactFactory(customer=customer)
    client = login(org.users.sales1, language="zh-hans")
    assert "现有客户" in client.get(reverse("web:customer_list")).content.decode()
    contacts = client.get(reverse("web:contact_list")).content.decode()
    assert ">姓名<" in contacts
