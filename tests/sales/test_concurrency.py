"""Two people acting on one contract at the same instant, on real connections and threads:
exactly one wins, the other is told, and nothing is written twice."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from guanxi.sales.enums import ContractStatus
from guanxi.sales.models import ApprovalDecision, Contract, Payment
from guanxi.sales.services import contracts as cs
from guanxi.sales.services.records import payment_create

# transaction=True: each thread commits on its own connection. serialized_rollback brings
# back the rows the data migrations made (roles, reference lists) for the tests after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(*calls):
    """Run each call in its own thread, released at once by a barrier; returns the results
    (a value or the exception raised), in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # a new thread starts in LANGUAGE_CODE
                results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_approve_and_reject_at_once_one_wins(org, make_contract, monkeypatch):
    u = org.users
    contract = make_contract(u.sales1, total="150000.00", status="pending")
    # Widen the window between reading the contract and writing the decision, so both
    # deciders have seen it pending (where the database lets them) before either writes.
    checked = cs.may_decide

    def slow_may_decide(actor, contract):
        allowed = checked(actor, contract)
        time.sleep(0.3)
        return allowed

    monkeypatch.setattr(cs, "may_decide", slow_may_decide)

    results = run_together(
        lambda: cs.contract_approve(actor=u.manager, contract=contract, comment="ok"),
        lambda: cs.contract_reject(actor=u.admin, contract=contract, comment="no"),
    )

    winners = [r for r in results if isinstance(r, Contract)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], ValidationError), results
    assert "someone else acted on it first" in losers[0].messages[0]
    assert ApprovalDecision.objects.filter(contract=contract).count() == 1
    decision = ApprovalDecision.objects.get(contract=contract)
    contract.refresh_from_db()
    assert contract.status == (
        ContractStatus.APPROVED if decision.decision == "approve" else ContractStatus.REJECTED
    )
    assert decision.approver == winners[0].updated_by


def test_two_payments_together_over_the_total_one_wins(org, make_contract):
    u = org.users
    contract = make_contract(u.sales1, total="1000.00", status="approved")
    today = contract.created_at.date()

    results = run_together(
        lambda: payment_create(actor=u.sales1, contract=contract, date=today, amount="600.00"),
        lambda: payment_create(actor=u.clerk, contract=contract, date=today, amount="600.00"),
    )

    paid = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(paid) == 1, results
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), results
    assert "amount" in refused[0].message_dict
    assert Payment.objects.filter(contract=contract).count() == 1
    contract.refresh_from_db()
    assert contract.paid == Decimal("600.00")


def test_two_contracts_created_at_once_get_different_numbers(org):
    from tests.factories import CustomerFactory

    u = org.users
    customers = [CustomerFactory(owner=u.sales1), CustomerFactory(owner=u.sales1b)]

    results = run_together(
        lambda: cs.contract_create(actor=u.sales1, customer=customers[0]),
        lambda: cs.contract_create(actor=u.manager, customer=customers[1]),
    )

    assert all(isinstance(r, Contract) for r in results), results
    numbers = sorted(r.number for r in results)
    year = timezone.localdate().year
    assert numbers == [f"HT-{year}-00001", f"HT-{year}-00002"]
