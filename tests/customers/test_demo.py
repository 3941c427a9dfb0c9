"""The demo loader: loads into an empty database only, never over real data."""

import pytest
from django.core.management import CommandError, call_command

from guanxi.accounts.models import User
from guanxi.customers.models import Customer

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_logins_work(client):
    call_command("load_demo", customers=12)
    assert set(User.objects.values_list("username", flat=True)) == {
        "admin",
        "manager",
        "sales1",
        "manager2",
        "sales2",
        "clerk",
        "researcher",
        "service",
        "svcmgr",
        "exec",
    }
    assert Customer.objects.count() == 12
    assert Customer.objects.filter(review_status="pending").exists()
    assert all(c.contacts.count() >= 1 for c in Customer.objects.all())
    assert client.login(username="manager", password="demo12345")
    call_command("load_demo", if_empty=True)  # second run: nothing changes
    call_command("load_demo")
    assert Customer.objects.count() == 12


def test_demo_refuses_a_database_with_real_data():
    UserFactory(username="realuser")
    with pytest.raises(CommandError):
        call_command("load_demo")
    call_command("load_demo", if_empty=True)  # the run command just starts
    assert not Customer.objects.exists()
