"""One-click actions on a record's page (win, approve, resolve, complete, drop on the board…)
carry the version the page showed. Pressed after someone else changed the record, they do
nothing and say who changed it and when — the same rule as the edit forms (issue 9)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from guanxi.common.models import AuditLog
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_update
from guanxi.reference.models import OpportunityStage, ServiceRequestType
from guanxi.sales.models import Contract, Opportunity, Task
from guanxi.sales.services import contracts as cs
from guanxi.sales.services import opportunities as opps
from guanxi.sales.services.tasks import task_update
from guanxi.service.models import ServiceRequest
from guanxi.service.services import requests as srs

from ..factories import CustomerFactory, TaskFactory
from .test_contract_pages import build_contract

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"web:{name}", args=args)


def shown_versions(html: str) -> set[str]:
    return set(re.findall(r'name="version" value="([^"]*)"', html))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def opp(org):
    customer = CustomerFactory(owner=org.users.sales1, name="苏州精密机械有限公司")
    return opps.opportunity_create(
        actor=org.users.sales1,
        customer=customer,
        name="冲压线改造",
        amount="100000.00",
    )


def test_every_action_form_on_the_opportunity_page_carries_its_version(org, login, opp):
    html = login(org.users.sales1).get(url("opportunity_detail", opp.pk)).content.decode()
    assert html.count('name="version"') >= 4  # move, win, lose, delete
    assert shown_versions(html) == {str(opp.version)}


def test_win_from_a_stale_page_does_nothing_and_says_who_changed_it(org, login, opp):
    page_version = opp.version
    opps.opportunity_update(actor=org.users.manager, opportunity=opp, amount="120000.00")
    logged = AuditLog.objects.filter(object_id=opp.pk).count()

    client = login(org.users.sales1)
    response = client.post(url("opportunity_win", opp.pk), {"version": page_version, "note": "签"})
    assert response.status_code == 302
    (message,) = messages_of(response)
    assert message.startswith("Nothing was done") and str(org.users.manager) in message
    opp.refresh_from_db()
    assert opp.status == "open" and opp.version == page_version + 1
    assert AuditLog.objects.filter(object_id=opp.pk).count() == logged

    # Looked at again, the same button works.
    response = client.post(url("opportunity_win", opp.pk), {"version": opp.version, "note": "签"})
    opp.refresh_from_db()
    assert opp.status == "won"


def test_the_message_is_in_chinese_for_a_chinese_reader(org, login, opp):
    page_version = opp.version
    opps.opportunity_update(actor=org.users.manager, opportunity=opp, amount="120000.00")
    client = login(org.users.sales1, language="zh-hans")
    response = client.post(url("opportunity_reopen", opp.pk), {"version": page_version})
    (message,) = messages_of(response)
    assert message.startswith("未执行") and "修改了此记录" in message


def test_a_malformed_version_is_refused_as_out_of_date_not_a_server_error(org, login, opp):
    client = login(org.users.sales1)
    for bad in ("abc", "-1", "99999999999999999999"):
        response = client.post(url("opportunity_win", opp.pk), {"version": bad})
        assert response.status_code == 302
        assert messages_of(response)[0].startswith("Nothing was done")
    opp.refresh_from_db()
    assert opp.status == "open"


def test_an_action_without_a_version_still_works(org, login, opp):
    """Old pages and scripts that post no version act on the record as it is."""
    response = login(org.users.sales1).post(url("opportunity_win", opp.pk), {"note": "签"})
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.status == "won"


def test_board_drop_on_a_stale_card_is_a_409_and_the_stage_stays(org, login, opp):
    page_version, first_stage = opp.version, opp.stage_id
    needs = OpportunityStage.objects.get(code="NEEDS")
    opps.opportunity_update(actor=org.users.manager, opportunity=opp, amount="120000.00")
    response = login(org.users.sales1).post(
        url("opportunity_move", opp.pk),
        {"stage": needs.pk, "version": page_version},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["ok"] is False and "Nothing was done" in response.json()["error"]
    assert Opportunity.objects.get(pk=opp.pk).stage_id == first_stage != needs.pk


def test_approving_a_contract_changed_after_the_queue_was_opened(org, login):
    u = org.users
    contract = build_contract(u.sales1, total="800000.00", status="pending")
    assert contract.status == "pending"
    queue = login(u.manager).get(url("approval_queue")).content.decode()
    assert str(contract.version) in shown_versions(queue)
    page_version = contract.version
    contract = cs.contract_update(actor=u.sales1, contract=contract, notes="付款条件已改")

    response = login(u.manager).post(
        url("contract_approve", contract.pk), {"version": page_version}
    )
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was done")
    assert Contract.objects.get(pk=contract.pk).status == "pending"


def test_resolving_a_request_changed_meanwhile(org, login):
    u = org.users
    customer = CustomerFactory(owner=u.sales1)
    sr = srs.request_create(
        actor=u.service,
        customer=customer,
        type=ServiceRequestType.objects.get(code="REPAIR"),
        subject="主轴异响",
        description="…",
        assignee=u.service,
    )
    sr = srs.request_start(actor=u.service, request=sr)
    html = login(u.service).get(url("service_request_detail", sr.pk)).content.decode()
    assert shown_versions(html) == {str(sr.version)}
    page_version = sr.version
    srs.request_update(actor=u.svcmgr, request=sr, description="客户补充：冷机时异响")

    response = login(u.service).post(
        url("service_request_resolve", sr.pk), {"version": page_version, "resolution": "换轴承"}
    )
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was done")
    assert ServiceRequest.objects.get(pk=sr.pk).status == "in_progress"


def test_completing_a_task_changed_meanwhile(org, login):
    task = TaskFactory(customer=CustomerFactory(owner=org.users.sales1))
    page_version = task.version
    task_update(actor=org.users.manager, task=task, purpose="改为上门拜访")
    response = login(org.users.sales1).post(
        url("task_complete", task.pk), {"version": page_version, "result": "谈妥"}
    )
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was done")
    assert Task.objects.get(pk=task.pk).status != "done"


def test_deleting_a_customer_changed_meanwhile_keeps_it(org, login):
    customer = CustomerFactory(owner=org.users.sales1)
    page_version = customer.version
    customer_update(actor=org.users.manager, customer=customer, notes="经理补充")
    response = login(org.users.manager).post(
        url("customer_delete", customer.pk), {"version": page_version}
    )
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was done")
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_board_cards_carry_their_version_and_a_drop_answers_the_new_one(org, login, opp):
    client = login(org.users.sales1)
    html = client.get(url("opportunity_board")).content.decode()
    card = re.search(rf'<article[^>]*data-move-url="[^"]*/{opp.pk}/[^"]*"[^>]*>', html)
    assert card and f'data-version="{opp.version}"' in card.group(0)
    needs = OpportunityStage.objects.get(code="NEEDS")
    response = client.post(
        url("opportunity_move", opp.pk),
        {"stage": needs.pk, "version": opp.version},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["version"] == opp.version + 1
    # The plain "Change stage" form on the board carries the version too.
    html = client.get(url("opportunity_board") + f"?move={opp.pk}").content.decode()
    form = html[html.index('id="move"') - 200 :]
    assert f'name="version" value="{opp.version + 1}"' in form[:600]
