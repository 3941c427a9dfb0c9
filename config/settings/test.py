"""Test settings: fast hasher, fixed key. DATABASE_URL selects SQLite (default) or PostgreSQL."""

import os

os.environ.setdefault("GUANXI_SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: E402,F403
from .base import DATABASES, MIDDLEWARE, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Tests serve static files through Django's finders; WhiteNoise would only warn that
# collectstatic has not run.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
