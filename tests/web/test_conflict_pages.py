"""Two people edit the same record in their browsers: the second save is refused with what
changed (who, when, which fields), the typed values kept, and nothing written (issue 9)."""

import pytest
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.customers.models import Contact, Customer

from ..factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def form_data(response):
    """What the browser would send back: the initial values of the rendered form."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def history_count(record):
    return AuditLog.objects.filter(object_id=record.pk).count()


def test_second_customer_save_is_a_conflict_showing_what_changed(org, login):
    customer = CustomerFactory(
        owner=org.users.sales1, status="active", phone="021-11111111", notes="原备注"
    )
    url = reverse("web:customer_edit", args=[customer.pk])
    mine, theirs = login(org.users.sales1), login(org.users.manager)
    my_form = form_data(mine.get(url))
    their_form = form_data(theirs.get(url))
    assert my_form["version"] == their_form["version"] == 1

    response = theirs.post(url, {**their_form, "phone": "021-22222222"})
    assert response.status_code == 302
    logged = history_count(customer)

    response = mine.post(url, {**my_form, "notes": "我的新备注"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this record after you opened the form." in body
    assert str(org.users.manager) in body  # who saved it
    conflict = response.context["form"].conflict
    assert conflict["by"] == org.users.manager
    assert [(r["name"], r["then"], r["now"]) for r in conflict["fields"]] == [
        ("phone", "021-11111111", "021-22222222")
    ]
    assert "021-11111111" in body and "021-22222222" in body
    assert f'href="{url}"' in body  # reload the current version
    # The typed values are kept; the phone field says what it became meanwhile.
    form = response.context["form"]
    assert form["notes"].value() == "我的新备注"
    assert form["version"].value() == "2"
    assert "021-22222222" in form.errors["phone"][0]
    # Nothing written, no history entry for the refused save.
    customer.refresh_from_db()
    assert (customer.notes, customer.phone, customer.version) == ("原备注", "021-22222222", 2)
    assert history_count(customer) == logged

    # Saving the re-shown form again is a deliberate save over the current version.
    response = mine.post(url, {**my_form, "notes": "我的新备注", "version": "2"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.notes, customer.version) == ("我的新备注", 3)


def test_conflict_message_in_chinese(org, login):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    url = reverse("web:customer_edit", args=[customer.pk])
    mine = login(org.users.sales1, language="zh-hans")
    my_form = form_data(mine.get(url))
    assert login(org.users.manager).post(url, {**my_form, "address": "上海"}).status_code == 302
    response = mine.post(url, {**my_form, "notes": "x"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "其他人在您打开表单后保存了此记录。" in body
    assert "重新加载当前版本" in body


def test_a_tampered_version_is_a_message_not_an_error(org, login):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    url = reverse("web:customer_edit", args=[customer.pk])
    client = login(org.users.sales1)
    data = form_data(client.get(url))
    for bad in ("abc", "-1", "0", "99999999999999999999"):
        response = client.post(url, {**data, "version": bad, "notes": "x"})
        assert response.status_code == 200, bad
        assert response.context["form"].non_field_errors() == [
            "This form is out of date. Reload the page and enter your changes again."
        ]
    customer.refresh_from_db()
    assert customer.notes == "" and customer.version == 1


def test_second_contact_save_is_a_conflict(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    contact = ContactFactory(customer=customer, name="王芳", mobile="13912345678")
    url = reverse("web:contact_edit", args=[contact.pk])
    mine, theirs = login(org.users.sales1), login(org.users.manager)
    my_form, their_form = form_data(mine.get(url)), form_data(theirs.get(url))
    assert theirs.post(url, {**their_form, "department": "采购部"}).status_code == 302
    logged = history_count(contact)

    response = mine.post(url, {**my_form, "wechat": "wf-2024"})
    assert response.status_code == 409
    assert [r["name"] for r in response.context["form"].conflict["fields"]] == ["department"]
    assert response.context["form"]["wechat"].value() == "wf-2024"
    contact.refresh_from_db()
    assert (contact.wechat, contact.department, contact.version) == ("", "采购部", 2)
    assert history_count(contact) == logged
    assert Contact.objects.count() == 1 and Customer.objects.get().version == 1
