"""The person a writer names as owner (salesperson, assignee) must be one they may assign:
a salesperson only themselves, a manager the active users of their department subtree, an
all-scope writer any active user. Anyone else is a 400 on that field and nothing is written,
on create and on update alike, for customers, opportunities, tasks, contracts, service
requests and care actions."""

import pytest
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.customers.models import Customer
from guanxi.sales.models import Contract, Opportunity, Task
from guanxi.service.models import CareAction, ServiceRequest
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    OpportunityFactory,
    ProductFactory,
    TaskFactory,
    UserFactory,
)
from tests.service.factories import CareActionFactory, ServiceRequestFactory, request_type

# resource: (API basename, model, owner field)
RESOURCES = {
    "customers": ("customer", Customer, "owner"),
    "opportunities": ("opportunity", Opportunity, "owner"),
    "tasks": ("task", Task, "salesperson"),
    "contracts": ("contract", Contract, "owner"),
    "care-actions": ("care-action", CareAction, "assignee"),
}


def create_payload(resource, customer):
    product = ProductFactory()
    return {
        "customers": {"name": "新建客户甲", "confirm_duplicates": True},
        "opportunities": {"customer": customer.pk, "name": "新机会"},
        "tasks": {"customer": customer.pk, "date": "2030-01-02", "purpose": "拜访"},
        "contracts": {
            "customer": customer.pk,
            "lines": [{"product": product.pk, "quantity": "1", "unit_price": "10.00"}],
        },
        "care-actions": {"customer": customer.pk, "kind": "follow_up", "due_date": "2030-01-02"},
    }[resource]


def existing(resource, customer):
    return {
        "customers": lambda: customer,
        "opportunities": lambda: OpportunityFactory(customer=customer),
        "tasks": lambda: TaskFactory(customer=customer),
        "contracts": lambda: ContractFactory(customer=customer),
        "care-actions": lambda: CareActionFactory(customer=customer),
    }[resource]()


def written():
    return (
        AuditLog.objects.count(),
        sorted(
            (m.__name__, tuple(m.objects.values_list("pk", flat=True).order_by("pk")))
            for _b, m, _f in RESOURCES.values()
        ),
    )


@pytest.fixture
def people(org):
    u = org.users
    return {
        "self": u.sales1,
        "colleague": u.sales1b,  # East's subtree (东 / 上海组)
        "north": u.sales2,
        "north_head": u.manager2,
        "inactive": UserFactory(username="gone", department=org.east, is_active=False),
    }


# writer: the people they may name
MAY_ASSIGN = {
    "sales1": {"self"},
    "manager": {"self", "colleague"},  # "self" here is sales1, who works under the manager
    "admin": {"self", "colleague", "north", "north_head"},
}


@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("writer", list(MAY_ASSIGN))
@pytest.mark.parametrize("target", ["self", "colleague", "north", "north_head", "inactive"])
@pytest.mark.parametrize("verb", ["create", "update"])
def test_owner_must_be_assignable(org, api, people, resource, writer, target, verb):
    basename, model, field = RESOURCES[resource]
    actor = getattr(org.users, writer)
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    client = api(actor)
    person = people[target]
    if verb == "create":
        url = reverse(f"api:{basename}-list")
        body = {**create_payload(resource, customer), field: person.pk}
        send = client.post
    else:
        record = existing(resource, customer)
        url = reverse(f"api:{basename}-detail", kwargs={"pk": record.pk})
        body = {field: person.pk}
        send = client.patch
    before = written()
    response = send(url, body, format="json")
    if target in MAY_ASSIGN[writer]:
        assert response.status_code in (200, 201), response.content
        assert response.json()[field] == person.pk
    else:
        assert response.status_code == 400, response.content
        assert field in response.json(), response.json()
        assert written() == before


@pytest.mark.parametrize("writer", ["sales1", "manager"])
def test_service_request_assignee_must_be_assignable(org, api, writer):
    """A salesperson or manager opening a request may not hand it to a service agent outside
    their scope (the agents sit at head office)."""
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    client = api(getattr(org.users, writer))
    before = written(), ServiceRequest.objects.count()
    body = {
        "customer": customer.pk,
        "type": request_type().pk,
        "subject": "设备异响",
        "assignee": org.users.service.pk,
    }
    response = client.post(reverse("api:service-request-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert "assignee" in response.json()
    assert (written(), ServiceRequest.objects.count()) == before


def test_service_request_assign_refuses_someone_outside_scope(org, api):
    """The dispatcher (all scope) may assign any agent; an inactive one is refused."""
    request = ServiceRequestFactory(customer=CustomerFactory(owner=org.users.sales1))
    gone = UserFactory(username="gone-agent", department=org.hq, roles=["service"])
    gone.is_active = False
    gone.save()
    client = api(org.users.svcmgr)
    url = reverse("api:service-request-assign", kwargs={"pk": request.pk})
    response = client.post(url, {"assignee": gone.pk}, format="json")
    assert response.status_code == 400 and "assignee" in response.json()
    response = client.post(url, {"assignee": org.users.service.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == org.users.service.pk


# --- the same rule on the pages -----------------------------------------------------------


def test_pages_offer_and_accept_only_assignable_people(org, login, people):
    """The East manager's pickers list East's people only; a North owner posted anyway is a
    form error next to the field and nothing is saved."""
    client = login(org.users.manager)
    page = client.get(reverse("web:customer_create"))
    offered = set(page.context["form"].fields["owner"].queryset)
    assert {people["self"], people["colleague"], org.users.manager} <= offered
    assert not offered & {people["north"], people["north_head"], people["inactive"]}
    response = client.post(
        reverse("web:customer_create"),
        {"name": "华北新客户", "status": "prospect", "owner": people["north"].pk},
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Customer.objects.filter(name="华北新客户").exists()

    customer = CustomerFactory(owner=org.users.sales1, status="active")
    opportunity = OpportunityFactory(customer=customer)
    page = client.get(reverse("web:opportunity_edit", args=[opportunity.pk]))
    offered = set(page.context["form"].fields["owner"].queryset)
    assert people["colleague"] in offered and people["north"] not in offered
    before = written()
    response = client.post(
        reverse("web:opportunity_edit", args=[opportunity.pk]),
        {"customer": customer.pk, "name": "改给华北", "owner": people["north"].pk},
    )
    assert response.status_code in (200, 400)
    assert "owner" in response.context["form"].errors
    assert written() == before
    opportunity.refresh_from_db()
    assert opportunity.owner == org.users.sales1
