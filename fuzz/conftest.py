"""The fuzz run's database: one test database for the whole session, created as pytest-django
would and holding a small demo organisation whose writes are committed (the requests go through
Django's WSGI handler, which opens and closes its own connections, so they cannot run inside a
test transaction). It is dropped at the end."""

import os

import pytest
from django.test.utils import setup_databases, teardown_databases

from guanxi.customers.demo.loader import load_demo


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_modify_db_settings, django_db_blocker):
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        load_demo(customers=20)
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(autouse=True)
def committed_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


def pytest_runtest_logreport(report):
    """With GUANXI_FUZZ_LOG set, each failure's message is appended to that file as it happens
    (the run is long; the summary comes only at its end)."""
    path = os.environ.get("GUANXI_FUZZ_LOG")
    if path and report.when == "call" and report.failed:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"=== {report.nodeid}\n{report.longreprtext[-6000:]}\n")
