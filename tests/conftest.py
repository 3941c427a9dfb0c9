"""Shared fixtures: the moment the suite runs at, an organisation shaped like the demo (two
sales departments under one head office) with one user per role, all with the password
demo12345.

GUANXI_TEST_NOW (an ISO moment with its offset, e.g. 2027-12-31T23:55+08:00) runs the whole
suite at that moment: every process (each xdist worker too) travels there before it collects
the tests, and every test starts again at exactly that moment, so a test that begins five
minutes before midnight ends before it. Time ticks on from there (the demo waits for the
clock to move). Unset, the suite runs on the real clock."""

import datetime
import os
from types import SimpleNamespace

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from .factories import DepartmentFactory, UserFactory

PASSWORD = "demo12345"
NOW_VARIABLE = "GUANXI_TEST_NOW"


def _test_now() -> datetime.datetime | None:
    raw = os.environ.get(NOW_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"{NOW_VARIABLE}={raw!r} is not an ISO date and time") from None
    if moment.tzinfo is None:
        raise pytest.UsageError(f"{NOW_VARIABLE}={raw!r} needs its UTC offset, e.g. +08:00")
    return moment


TEST_NOW = _test_now()
_session_travel: time_machine.travel | None = None


def pytest_configure(config):
    """Travel before collection, so nothing computed at import time sees the real date."""
    global _session_travel
    if TEST_NOW is not None and _session_travel is None:
        _session_travel = time_machine.travel(TEST_NOW, tick=True)
        _session_travel.start()


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def _describe_moment() -> str:
    if TEST_NOW is None:
        return f"clock: the real one ({NOW_VARIABLE} unset)"
    utc = TEST_NOW.astimezone(datetime.UTC)
    return f"clock: {NOW_VARIABLE}={TEST_NOW.isoformat()} ({utc:%Y-%m-%d %H:%M} UTC, {TEST_NOW:%A})"


def pytest_report_header(config):
    return _describe_moment()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(_describe_moment())


@pytest.fixture(autouse=True)
def _start_at_test_now():
    """Each test starts at GUANXI_TEST_NOW, however long the tests before it took."""
    if TEST_NOW is None:
        yield
        return
    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture
def clock():
    """Move time in a test: clock.move_to(moment, tick=False), clock.shift(timedelta).
    Without a move, time is GUANXI_TEST_NOW (or the real clock) as usual."""
    fixture = time_machine.TimeMachineFixture()
    yield fixture
    fixture.stop()


@pytest.fixture
def org(db):
    hq = DepartmentFactory(code="HQ", name="总部")
    east = DepartmentFactory(code="EAST", name="华东销售部", parent=hq)
    east_sub = DepartmentFactory(code="EAST-SH", name="上海组", parent=east)
    north = DepartmentFactory(code="NORTH", name="华北销售部", parent=hq)
    users = SimpleNamespace(
        admin=UserFactory(username="admin", department=hq, roles=["admin"]),
        manager=UserFactory(username="manager", department=east, roles=["sales_manager"]),
        sales1=UserFactory(username="sales1", department=east, roles=["salesperson"]),
        sales1b=UserFactory(username="sales1b", department=east_sub, roles=["salesperson"]),
        manager2=UserFactory(username="manager2", department=north, roles=["sales_manager"]),
        sales2=UserFactory(username="sales2", department=north, roles=["salesperson"]),
        clerk=UserFactory(username="clerk", department=hq, roles=["clerk"]),
        researcher=UserFactory(username="researcher", department=hq, roles=["researcher"]),
        service=UserFactory(username="service", department=hq, roles=["service"]),
        svcmgr=UserFactory(username="svcmgr", department=hq, roles=["service_manager"]),
        exec=UserFactory(username="exec", department=hq, roles=["executive"]),
    )
    east.head = users.manager
    east.save(update_fields=["head"])
    north.head = users.manager2
    north.save(update_fields=["head"])
    return SimpleNamespace(hq=hq, east=east, east_sub=east_sub, north=north, users=users)


@pytest.fixture
def login():
    """login(user, language="en") → a Django test client signed in as that user."""

    def _login(user, language="en"):
        client = Client(headers={"accept-language": language})
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():
    """api(user) → a DRF test client authenticated as that user (or anonymous)."""

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api
