"""Shared fixtures: an organisation shaped like the demo (two sales departments under one
head office) with one user per role, all with the password demo12345."""

from types import SimpleNamespace

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .factories import DepartmentFactory, UserFactory

PASSWORD = "demo12345"


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
