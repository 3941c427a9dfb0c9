"""Production settings: PostgreSQL via DATABASE_URL, HTTPS only, behind a proxy that sets
X-Forwarded-Proto. `manage.py check --deploy --fail-level WARNING` passes with these."""

import os

from .base import *  # noqa: F403
from .base import env_bool

SESSION_COOKIE_SECURE = env_bool("GUANXI_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A plain-HTTP request (as the proxy reports it) is redirected to HTTPS; the health check
# answers over plain HTTP too, because load balancers probe the backend directly.
SECURE_SSL_REDIRECT = env_bool("GUANXI_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Browsers remember to use HTTPS only. GUANXI_HSTS_SECONDS=0 turns it off (e.g. while trying
# HTTPS out); subdomains and preloading can be turned off for a domain that also serves
# plain-HTTP subdomains.
SECURE_HSTS_SECONDS = int(os.environ.get("GUANXI_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GUANXI_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("GUANXI_HSTS_PRELOAD", True)
