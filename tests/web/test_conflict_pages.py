"""Two people edit the same record in their browsers: the second save is refused with what
changed (who, when, which fields), the typed values kept, and nothing written (issue 9)."""

import pytest
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.customers.models import Contact, Customer

from ..factories import (
    ContactFactory,
    CustomerFactory,
    OpportunityFactory,
    ProductFactory,
    TaskFactory,
)
from ..service.factories import CareActionFactory, ServiceRequestFactory
from .test_contract_pages import build_contract, contract_post

pytestmark = pytest.mark.django_db


def form_data(response):
    """What the browser would send back: the initial values of the rendered form."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if isinstance(value, tuple):  # the customer picker: an id and the text box
            data[name], data[f"{name}_q"] = value
        elif value is not None and value is not False:
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


# --- the other versioned records ---------------------------------------------------------


def _opportunity(org):
    return OpportunityFactory(customer=CustomerFactory(owner=org.users.sales1))


def _task(org):
    return TaskFactory(customer=CustomerFactory(owner=org.users.sales1))


def _request(org):
    return ServiceRequestFactory(customer=CustomerFactory(owner=org.users.sales1))


def _care(org):
    return CareActionFactory(customer=CustomerFactory(owner=org.users.sales1))


# (edit page, make, writer, other writer, their change, my change)
PAGES = {
    "opportunity": ("web:opportunity_edit", _opportunity, "sales1", "manager",
                    ("notes", "他们的备注"), ("name", "我的名称")),
    "task": ("web:task_edit", _task, "sales1", "manager", ("location", "上海"),
             ("purpose", "我的目的")),
    "product": ("web:product_edit", lambda org: ProductFactory(), "admin", "admin",
                ("specification", "A型"), ("unit", "箱")),
    "service request": ("web:service_request_edit", _request, "svcmgr", "admin",
                        ("subject", "他们的主题"), ("description", "我的描述")),
    "care action": ("web:care_edit", _care, "sales1", "manager", ("title", "他们的标题"),
                    ("title", "我的标题")),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(PAGES))
def test_each_edit_page_refuses_a_stale_save(org, login, kind):
    page, make, me, them, (their_field, their_value), (my_field, my_value) = PAGES[kind]
    record = make(org)
    model = type(record)
    url = reverse(page, args=[record.pk])
    mine, theirs = login(getattr(org.users, me)), login(getattr(org.users, them))
    my_form, their_form = form_data(mine.get(url)), form_data(theirs.get(url))
    assert my_form["version"] == 1

    response = theirs.post(url, {**their_form, their_field: their_value})
    assert response.status_code == 302, response.context["form"].errors
    before = model.objects.filter(pk=record.pk).values().get()
    logged = history_count(record)

    response = mine.post(url, {**my_form, my_field: my_value})
    assert response.status_code == 409
    form = response.context["form"]
    assert their_field in [row["name"] for row in form.conflict["fields"]]
    assert form[my_field].value() == my_value  # what I typed is kept
    assert "Someone else saved this record after you opened the form." in response.content.decode()
    assert model.objects.filter(pk=record.pk).values().get() == before
    assert history_count(record) == logged

    response = mine.post(url, {**my_form, my_field: my_value, "version": "2"})
    assert response.status_code == 302
    assert model.objects.get(pk=record.pk).version == 3


def test_contract_edit_pages_refuse_a_stale_save(org, login):
    u = org.users
    contract = build_contract(u.sales1, total="500.00")
    line = contract.lines.get()
    url = reverse("web:contract_edit", args=[contract.pk])
    mine, theirs = login(u.sales1), login(u.manager)
    assert mine.get(url).context["form"]["version"].value() == contract.version
    data = contract_post(
        contract.customer,
        u.sales1,
        [{"product": line.product_id, "quantity": "1", "unit_price": "500.00"}],
        version=str(contract.version),
    )
    data["lines-INITIAL_FORMS"] = "1"
    assert theirs.post(url, {**data, "title": "他们的标题"}).status_code == 302
    logged = history_count(contract)

    response = mine.post(url, {**data, "notes": "我的备注"})
    assert response.status_code == 409
    form = response.context["form"]
    assert [row["name"] for row in form.conflict["fields"]] == ["title"]
    assert form["notes"].value() == "我的备注"
    assert response.context["formset"].forms[0]["quantity"].value() == "1"
    contract.refresh_from_db()
    assert (contract.title, contract.notes) == ("他们的标题", "")
    assert history_count(contract) == logged


def test_contract_notes_page_refuses_a_stale_save(org, login):
    u = org.users
    contract = build_contract(u.sales1, total="150000.00", status="pending")
    url = reverse("web:contract_edit", args=[contract.pk])
    mine, theirs = login(u.sales1), login(u.manager)
    version = mine.get(url).context["form"]["version"].value()
    assert theirs.post(url, {"notes": "他们", "version": version}).status_code == 302
    response = mine.post(url, {"notes": "我的", "version": version})
    assert response.status_code == 409
    assert response.context["form"].conflict["fields"][0]["now"] == "他们"
    contract.refresh_from_db()
    assert contract.notes == "他们"
