"""Two schedulers firing at the same moment (a cron overlap, two servers): together they
make what one run makes, and count it exactly once."""

import threading
import time

import pytest
from django.db import connection

from guanxi.notifications.models import Notification
from guanxi.service import scheduled
from guanxi.service.models import CareAction

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_two_runs_at_once_make_each_row_once(world, monkeypatch):
    # Both runs look the keys up before either inserts: the slower one meets the unique
    # constraint and falls back to one row at a time.
    for model in (CareAction, Notification):
        real = model.objects.bulk_create

        def slow(objs, *args, _real=real, **kwargs):
            time.sleep(0.3)
            return _real(objs, *args, **kwargs)

        monkeypatch.setattr(model.objects, "bulk_create", slow)
    first, second = _together(scheduled.run_scheduled, scheduled.run_scheduled)
    assert isinstance(first, dict) and isinstance(second, dict), (first, second)
    total = {step: first[step] + second[step] for step in first}
    assert total == {
        "follow_ups": 1,
        "birthdays": 1,
        "holidays": 3,
        "tasks_due": 1,
        "approvals": 2,
        "request_deadlines": 3,
        "care_due": 1,
        "churn_warnings": 1,
    }
    assert CareAction.objects.count() == 1 + 1 + 3 + 1
    assert Notification.objects.count() == 1 + 2 + 3 + 1 + 1
