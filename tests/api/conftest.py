"""Fixtures of the API tests. Codes start with T- to stay clear of the seeded entries."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from guanxi.accounts.tokens import api_token_create
from guanxi.reference.models import (
    CustomerCategory,
    CustomerLevel,
    CustomerSource,
    Industry,
    JobTitle,
)

from .helpers import make_region


@pytest.fixture
def refs(db):
    china = make_region("CN", "中国")
    shanghai = make_region("310000", "上海市", china)
    pudong = make_region("310115", "浦东新区", shanghai)
    beijing = make_region("110000", "北京市", china)
    return SimpleNamespace(
        china=china,
        shanghai=shanghai,
        pudong=pudong,
        beijing=beijing,
        category=CustomerCategory.objects.create(code="T-DIST", name="测试经销商"),
        other_category=CustomerCategory.objects.create(code="T-OEM", name="测试主机厂"),
        inactive_category=CustomerCategory.objects.create(
            code="T-OLD", name="旧分类", is_active=False
        ),
        industry=Industry.objects.create(code="T-AUTO", name="测试行业"),
        level=CustomerLevel.objects.create(code="T-VIP", name="测试级别"),
        source=CustomerSource.objects.create(code="T-FAIR", name="测试来源"),
        job_title=JobTitle.objects.create(code="T-PUR", name="测试职务"),
    )


@pytest.fixture
def token_client(db):
    """token_client(user) → an API client that sends 'Authorization: Bearer <token>', so every
    request loads its user afresh as in production."""

    def _client(user):
        token, secret = api_token_create(actor=user, name="tests")
        # Noted as used (a moment ahead, so however slow the machine): the requests of a test
        # then never write last_used_at, and query counts see the steady state. The
        # once-a-minute note itself is tested in test_tokens.py.
        token.last_used_at = timezone.now() + datetime.timedelta(hours=1)
        token.save(update_fields=["last_used_at"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return _client
