"""Customer and contact services: review, owner rules, duplicates, bin, history, primary."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from guanxi.common.models import AuditLog
from guanxi.customers import selectors, services
from guanxi.customers.models import Contact, Customer
from guanxi.reference.models import Industry

from ..factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
GOOD_CODE = "91110000600037341L"


def test_salesperson_entry_is_pending_and_manager_entry_is_approved(org):
    by_sales = services.customer_create(actor=org.users.sales1, name="华东汽配有限公司")
    assert by_sales.review_status == "pending"
    assert by_sales.owner == org.users.sales1
    assert by_sales.created_by == by_sales.updated_by == org.users.sales1
    assert by_sales.code == f"C{by_sales.pk:06d}"

    by_manager = services.customer_create(
        actor=org.users.manager, name="华东轴承有限公司", owner=org.users.sales1
    )
    assert by_manager.review_status == "approved"
    assert by_manager.reviewed_by == org.users.manager


def test_clerk_entry_is_pending_too(org):
    customer = services.customer_create(
        actor=org.users.clerk, name="北方机械有限公司", owner=org.users.sales2
    )
    assert customer.review_status == "pending"


def test_review_approve_and_reject_with_comment(org):
    customer = services.customer_create(actor=org.users.sales1, name="甲公司")
    with pytest.raises(ValidationError) as exc:
        services.customer_review(actor=org.users.manager, customer=customer, approve=False)
    assert "comment" in exc.value.message_dict
    services.customer_review(
        actor=org.users.manager, customer=customer, approve=False, comment="资料不全"
    )
    customer.refresh_from_db()
    assert (customer.review_status, customer.review_comment) == ("rejected", "资料不全")
    entry = AuditLog.objects.filter(action="review", object_id=customer.pk).get()
    assert entry.user == org.users.manager
    assert entry.detail == {"decision": "rejected", "comment": "资料不全"}

    # The author corrects it: back to pending. A second review of a decided record is refused.
    services.customer_update(actor=org.users.sales1, customer=customer, phone="021-62345678")
    customer.refresh_from_db()
    assert customer.review_status == "pending"
    services.customer_review(actor=org.users.manager, customer=customer, approve=True)
    with pytest.raises(ValidationError):
        services.customer_review(actor=org.users.manager, customer=customer, approve=True)


def test_salesperson_cannot_review(org):
    customer = services.customer_create(actor=org.users.sales1, name="乙公司")
    with pytest.raises(PermissionDenied):
        services.customer_review(actor=org.users.sales1, customer=customer, approve=True)


def test_owner_must_be_inside_the_actors_scope(org):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=org.users.sales1, name="丙公司", owner=org.users.sales2)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.customer_create(actor=org.users.manager, name="丙公司", owner=org.users.sales2)
    # sub-department member is inside the manager's tree
    customer = services.customer_create(
        actor=org.users.manager, name="丙公司", owner=org.users.sales1b
    )
    assert customer.owner == org.users.sales1b
    assert not Customer.objects.filter(owner=org.users.sales2).exists()


def test_bad_credit_code_and_phone_write_nothing(org):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(
            actor=org.users.sales1, name="丁公司", credit_code="91110000600037341X", phone="12"
        )
    assert set(exc.value.message_dict) == {"credit_code", "phone"}
    assert not Customer.all_objects.exists()
    assert not AuditLog.objects.filter(action="create").exists()


def test_code_unique_across_recycle_bin(org):
    first = services.customer_create(
        actor=org.users.manager, name="戊公司", code="K001", owner=org.users.sales1
    )
    services.customer_delete(actor=org.users.manager, customer=first)
    with pytest.raises(ValidationError) as exc:
        services.customer_create(
            actor=org.users.manager, name="己公司", code="K001", owner=org.users.sales1
        )
    assert "code" in exc.value.message_dict


def test_update_records_field_history_old_to_new(org):
    auto, machinery = (
        Industry.objects.get(code="AUTO_PARTS"),
        Industry.objects.get(code="MACHINERY"),
    )
    customer = services.customer_create(actor=org.users.sales1, name="庚公司", industry=auto)
    services.customer_update(
        actor=org.users.sales1, customer=customer, industry=machinery, status="active"
    )
    customer.refresh_from_db()
    assert customer.updated_by == org.users.sales1
    entry = selectors.customer_history(customer=customer).filter(action="update").get()
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    # Reference entries are logged by their one stable name, whatever the active language.
    assert changes == {"industry": (auto.name, machinery.name), "status": ("prospect", "active")}


def test_soft_delete_and_restore_by_administrator_only(org):
    customer = CustomerFactory(owner=org.users.sales1)
    with pytest.raises(PermissionDenied):
        services.customer_delete(actor=org.users.sales1, customer=customer)
    services.customer_delete(actor=org.users.manager, customer=customer)
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert Customer.all_objects.get(pk=customer.pk).deleted_by == org.users.manager
    with pytest.raises(PermissionDenied):
        services.customer_restore(actor=org.users.manager, customer=customer)
    services.customer_restore(actor=org.users.admin, customer=customer)
    assert Customer.objects.filter(pk=customer.pk).exists()
    actions = list(
        AuditLog.objects.filter(object_id=customer.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["delete", "restore"]


def test_duplicates_by_name_phone_and_credit_code(org):
    mine = CustomerFactory(
        owner=org.users.sales1, name="上海华东汽配有限公司", phone="021-62345678"
    )
    mine.phone_normalized = "2162345678"
    mine.save()
    CustomerFactory(owner=org.users.sales2, name="北京汽配", credit_code=GOOD_CODE)

    visible, hidden = selectors.customer_duplicates(
        reader=org.users.sales1, name="上海 华东汽配（有限公司）"
    )
    assert visible == [mine] and hidden == 0
    visible, hidden = selectors.customer_duplicates(
        reader=org.users.sales1, phone="+86 21 6234 5678"
    )
    assert visible == [mine]
    # Someone else's customer is counted, never shown.
    visible, hidden = selectors.customer_duplicates(
        reader=org.users.sales1, credit_code=GOOD_CODE.lower()
    )
    assert visible == [] and hidden == 1
    visible, hidden = selectors.customer_duplicates(reader=org.users.admin, credit_code=GOOD_CODE)
    assert len(visible) == 1 and hidden == 0


def test_first_contact_is_primary_and_only_one_primary(org):
    customer = CustomerFactory(owner=org.users.sales1)
    a = services.contact_create(actor=org.users.sales1, customer=customer, name="甲")
    b = services.contact_create(actor=org.users.sales1, customer=customer, name="乙")
    assert a.is_primary and not b.is_primary
    services.contact_update(actor=org.users.sales1, contact=b, is_primary=True)
    assert list(customer.contacts.filter(is_primary=True)) == [b]
    services.contact_delete(actor=org.users.sales1, contact=b)
    assert list(customer.contacts.filter(is_primary=True).values_list("name", flat=True)) == ["甲"]
    history = selectors.customer_history(customer=customer)
    assert history.filter(action="delete", object_repr="乙").exists()


def test_contact_bad_mobile_refused(org):
    customer = CustomerFactory(owner=org.users.sales1)
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=org.users.sales1, customer=customer, name="丙", mobile="123")
    assert "mobile" in exc.value.message_dict
    assert not Contact.objects.exists()


def test_researcher_cannot_create_contacts(org):
    customer = CustomerFactory(owner=org.users.sales1)
    with pytest.raises(PermissionDenied):
        services.contact_create(actor=org.users.researcher, customer=customer, name="丁")
    ContactFactory(customer=customer)


# --- marking a customer lost (流失) ----------------------------------------------------------


def _customer_state(customer):
    return (
        Customer.all_objects.filter(pk=customer.pk).values().first(),
        AuditLog.objects.count(),
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_mark_lost_needs_a_reason(org, reason):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    before = _customer_state(customer)
    with pytest.raises(ValidationError) as exc:
        services.customer_mark_lost(actor=org.users.sales1, customer=customer, reason=reason)
    assert "reason" in exc.value.message_dict
    assert _customer_state(customer) == before


def test_mark_lost_records_reason_time_and_history(org):
    from django.contrib.contenttypes.models import ContentType

    from guanxi.common.models import AuditAction

    customer = CustomerFactory(owner=org.users.sales1, status="active")
    services.customer_mark_lost(actor=org.users.sales1, customer=customer, reason=" 转向竞品 ")
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.status, fresh.lost_reason) == ("lost", "转向竞品")
    assert fresh.lost_at is not None and fresh.updated_by == org.users.sales1
    entry = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id=customer.pk
    ).latest("id")
    assert entry.action == AuditAction.TRANSITION and entry.user == org.users.sales1
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes == {"status": ("active", "lost"), "lost_reason": ("", "转向竞品")}
    # Already lost: refused, nothing changes.
    before = _customer_state(customer)
    with pytest.raises(ValidationError):
        services.customer_mark_lost(actor=org.users.sales1, customer=customer, reason="再次")
    assert _customer_state(customer) == before


def test_mark_lost_needs_the_change_right(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    for actor in (org.users.researcher, org.users.service, org.users.exec):
        with pytest.raises(PermissionDenied):
            services.customer_mark_lost(actor=actor, customer=customer, reason="x")
    assert Customer.objects.get(pk=customer.pk).status == "active"


def test_a_lost_customer_edited_back_to_active_forgets_the_moment(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    services.customer_mark_lost(actor=org.users.sales1, customer=customer, reason="价格")
    services.customer_update(actor=org.users.manager, customer=customer, status="active")
    fresh = Customer.objects.get(pk=customer.pk)
    assert fresh.status == "active" and fresh.lost_at is None


def test_the_plain_edit_does_not_lose_a_customer_without_a_reason(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    before = _customer_state(customer)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.customer_update(actor=org.users.sales1, customer=customer, status="lost")
    assert exc.value.message_dict["status"] == [
        "Use “Mark lost” on the customer's page: it asks for the reason."
    ]
    assert _customer_state(customer) == before
