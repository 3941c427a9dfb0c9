"""The production settings pass Django's deployment checks, and HTTPS behind the proxy works
as the README describes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "GUANXI_SECRET_KEY": "a-long-random-key-for-the-check-only-0123456789-abcdefghijklmnop",
    "GUANXI_ALLOWED_HOSTS": "crm.example.com",
    # Never connected to: the checks read settings only.
    "DATABASE_URL": "postgres://guanxi@db.invalid:5432/guanxi",
}


def run_in_production(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANXI_")}
    env.update(PRODUCTION_ENV)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_checks_at_warning_level():
    result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="crm.example.com", raise_request_exception=False)
plain = client.get("/login/")
health = client.get("/healthz")
secure = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
print(plain.status_code, plain.get("Location"))
print(health.status_code)
print(secure.get("Strict-Transport-Security"))
"""


def test_production_redirects_plain_http_except_the_health_check():
    result = run_in_production("-c", PROBE)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0] == "301 https://crm.example.com/login/"
    # /healthz would touch the (absent) database; what matters is that it is not redirected.
    assert lines[1] != "301"
    assert lines[2].startswith("max-age=31536000")
