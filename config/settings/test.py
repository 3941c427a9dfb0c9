"""Test settings: fast hasher, fixed key. DATABASE_URL selects SQLite (default) or PostgreSQL."""

import atexit
import contextlib
import glob
import os
import tempfile

os.environ.setdefault("GUANXI_SECRET_KEY", "test-only-not-secret")

from .base import *  # noqa: E402,F403
from .base import DATABASES, MIDDLEWARE, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, like production, not Django's shared-cache in-memory database: in shared-cache
    # mode SQLite answers a second writer with "database table is locked" at once (the busy
    # timeout does not apply), so tests with two connections at once (concurrent approvals,
    # payments) could not pass. One file per process, so parallel runs never share it.
    _TEST_DB = os.path.join(tempfile.gettempdir(), f"guanxi-test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _TEST_DB}

    @atexit.register
    def _remove_test_db_files() -> None:
        # Django removes the database file; a connection a live-server thread left open
        # leaves its -wal and -shm files behind (xdist workers add a suffix to the name).
        for path in glob.glob(glob.escape(_TEST_DB) + "*"):
            with contextlib.suppress(OSError):
                os.remove(path)


DATABASES["default"]["CONN_MAX_AGE"] = 0

# Tests serve static files through Django's finders; WhiteNoise would only warn that
# collectstatic has not run.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]

# Every search reads its table's sample afresh, so the query counts tests see are the same on
# the first and the second request.
SEARCH_SAMPLE_SECONDS = 0
