"""The version check of guanxi.common.versioning, through the customer services: a stale
expected version is a Conflict and leaves nothing behind; two writers at the same instant on
real connections never both win."""

import threading
import time

import pytest
from django.db import connection

from guanxi.common.models import AuditLog
from guanxi.common.versioning import Conflict, bump_version, parse_version
from guanxi.customers import services
from guanxi.customers.models import Customer
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    "raw, parsed",
    [(None, None), ("", None), ('""', None), ("3", 3), (3, 3), ('"3"', 3), ('W/"12"', 12)],
)
def test_parse_version_reads_what_clients_send(raw, parsed):
    assert parse_version(raw) == parsed


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "1.5", True, "2147483648", '"3'])
def test_parse_version_refuses_what_is_not_a_version(raw):
    with pytest.raises(ValueError):
        parse_version(raw)


@pytest.mark.django_db
def test_every_write_moves_the_version_and_history_records_it(org):
    customer = CustomerFactory(owner=org.users.sales1, status="active")
    customer = services.customer_update(actor=org.users.sales1, customer=customer, notes="一")
    assert customer.version == 2
    customer = services.customer_mark_lost(
        actor=org.users.sales1, customer=customer, reason="倒闭", expected_version=2
    )
    assert Customer.objects.get(pk=customer.pk).version == 3
    versions = list(
        AuditLog.objects.filter(object_id=customer.pk)
        .order_by("id")
        .values_list("record_version", flat=True)
    )
    assert versions == [2, 3]


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_and_writes_nothing(org):
    customer = CustomerFactory(owner=org.users.sales1)
    services.customer_update(actor=org.users.manager, customer=customer, phone="021-22222222")
    with pytest.raises(Conflict) as caught:
        services.customer_update(
            actor=org.users.sales1, customer=customer, notes="迟到", expected_version=1
        )
    assert (caught.value.expected, caught.value.current_version) == (1, 2)
    customer.refresh_from_db()
    assert (customer.notes, customer.version) == ("", 2)
    assert AuditLog.objects.filter(object_id=customer.pk).count() == 1


@pytest.mark.django_db
def test_a_failed_validation_does_not_use_up_a_version(org):
    customer = CustomerFactory(owner=org.users.sales1)
    with pytest.raises(Exception):  # noqa: B017 - the version is what is checked
        services.customer_update(
            actor=org.users.sales1, customer=customer, phone="bad", expected_version=1
        )
    customer.refresh_from_db()
    assert customer.version == 1
    bump_version(customer, 1)
    assert Customer.objects.get(pk=customer.pk).version == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_editors_at_once_one_wins(org, monkeypatch):
    """Both have read version 1; both save at the same instant on their own connections."""
    customer = CustomerFactory(owner=org.users.sales1)
    derive = services._derive

    def slow_derive(instance):
        derive(instance)
        time.sleep(0.3)  # widen the window between the version check and the commit

    monkeypatch.setattr(services, "_derive", slow_derive)
    barrier = threading.Barrier(2)
    results = [None, None]

    def edit(index, actor, notes):
        try:
            barrier.wait(timeout=10)
            results[index] = services.customer_update(
                actor=actor, customer=customer, notes=notes, expected_version=1
            )
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(0, org.users.sales1, "甲")),
        threading.Thread(target=edit, args=(1, org.users.manager, "乙")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [r for r in results if isinstance(r, Customer)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    if connection.vendor == "postgresql":  # SQLite may refuse the second writer outright
        assert isinstance(losers[0], Conflict), results
    customer.refresh_from_db()
    assert customer.version == 2 and customer.notes == winners[0].notes
    assert AuditLog.objects.filter(object_id=customer.pk).count() == 1
