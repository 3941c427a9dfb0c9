"""Schemathesis over the whole OpenAPI document (./guanxi.sh fuzz; not part of the suite).

In-process through Django's WSGI handler (no network), against the test database holding a
small demo organisation, as the administrator and as the salesperson sales1 (bearer tokens).
Every operation, writes and deletes included, gets schema-valid and schema-invalid input; no
answer may be a server error, and each must use a status code, content type and body that the
document declares. Deterministic: Hypothesis derandomised, no example database; the number of
examples per operation and user in the fuzzing phase is GUANXI_FUZZ_EXAMPLES (default 8).
GUANXI_FUZZ_PHASES=examples,coverage,fuzzing adds schemathesis's coverage phase, the boundary
cases of every parameter (one past a minimum or maximum, a missing required field, a value of
the wrong type…): thorough, but several times longer than the default run, so not in CI.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from guanxi.accounts.models import User
from guanxi.accounts.tokens import api_token_create

MAX_EXAMPLES = int(os.environ.get("GUANXI_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
APP = WSGIHandler()

PHASES = os.environ.get("GUANXI_FUZZ_PHASES", "examples,fuzzing").split(",")

config = schemathesis.Config()
config.projects.default.phases.update(phases=PHASES)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=config
)


@pytest.fixture(params=["sales1", "admin"])
def login(request) -> dict[str, str]:
    user = User.objects.get(username=request.param)
    _, secret = api_token_create(actor=user, name="fuzz")
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case, login):
    case.call_and_validate(app=APP, headers=login, checks=CHECKS)
