#!/usr/bin/env bash
# Guanxi CRM — one entry point for people and CI.
#   ./guanxi.sh run            install everything, create/upgrade the SQLite database, load the
#                              demo into an empty database, serve at http://127.0.0.1:8000/
#   ./guanxi.sh test           install everything, lint, check migrations, run the suite (SQLite)
#   ./guanxi.sh test-postgres  the suite again on PostgreSQL (DATABASE_URL, default local server)
#   ./guanxi.sh test-dates     the SQLite suite at five moments where dates go wrong (month end,
#                              29 February, New Year, Beijing vs UTC midnight); one moment:
#                              GUANXI_TEST_NOW=2028-01-01T00:05+08:00 ./guanxi.sh test
#   ./guanxi.sh e2e            the browser journeys in Debian's Chromium (apt-get if missing)
#   ./guanxi.sh fuzz           schemathesis over the whole API, in process, on a throwaway test
#                              database (SQLite, or DATABASE_URL); GUANXI_FUZZ_EXAMPLES sets
#                              the examples per operation and user
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${GUANXI_VENV:-.venv}
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '==> %s\n' "$*"; }

install() {
  local requirements=$1
  if [ ! -x "$PY" ]; then
    say "Creating the virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  say "Installing Python packages ($requirements)"
  "$PY" -m pip install -q -r "$requirements"
  say "Installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p var
  if [ ! -s var/secret_key ] && [ -z "${GUANXI_SECRET_KEY:-}" ]; then
    "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
    chmod 600 var/secret_key
  fi
  "$PY" manage.py compile_translations
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  run)
    install requirements.txt
    say "Preparing the database"
    "$PY" manage.py migrate --noinput -v0
    "$PY" manage.py collectstatic --noinput -v0
    "$PY" manage.py load_demo --if-empty
    "$PY" manage.py run_scheduled --quiet
    HOST=${GUANXI_HOST:-127.0.0.1}
    PORT=${GUANXI_PORT:-8000}
    cat <<MSG

  Guanxi is running at http://$HOST:$PORT/   (stop with Ctrl+C)

  Demo logins, all with the password demo12345:
    admin       administrator           manager     head of East Sales
    sales1      salesperson, East       manager2    head of North Sales
    sales2      salesperson, North      clerk       information clerk
    researcher  market researcher       service     service agent
    svcmgr      service manager         exec        executive
  API: http://$HOST:$PORT/api/v1/  (OpenAPI: /api/v1/schema/, docs: /api/v1/docs/)

MSG
    exec "$VENV/bin/gunicorn" config.wsgi --bind "$HOST:$PORT" --workers "${GUANXI_WORKERS:-2}" \
      --access-logfile - --error-logfile - --log-level warning
    ;;
  test)
    install requirements-dev.txt
    export DJANGO_SETTINGS_MODULE=config.settings.test
    say "Lint (ruff)"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    say "Migrations are committed (makemigrations --check)"
    "$PY" manage.py makemigrations --check --dry-run
    say "Production settings pass the deployment checks (check --deploy)"
    # A throwaway key and a database that is never connected to: the checks read settings.
    DJANGO_SETTINGS_MODULE=config.settings.production \
      GUANXI_SECRET_KEY="$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")" \
      GUANXI_ALLOWED_HOSTS=crm.example.com \
      DATABASE_URL=postgres://guanxi@db.invalid:5432/guanxi \
      "$PY" manage.py check --deploy --fail-level WARNING
    say "Test suite on SQLite"
    "$VENV/bin/pytest" -n 2 "$@"
    ;;
  test-postgres)
    export DJANGO_SETTINGS_MODULE=config.settings.test
    export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
    say "Test suite on PostgreSQL"
    "$VENV/bin/pytest" -n 2 "$@"
    ;;
  test-dates)
    # The SQLite suite at moments where dates go wrong: a Sunday at a month end, the Monday
    # after February, 29 February, New Year's Eve, and New Year in Beijing while UTC is still
    # in the old year. Stops at the first moment that fails.
    export DJANGO_SETTINGS_MODULE=config.settings.test
    unset DATABASE_URL
    for moment in ${GUANXI_TEST_DATES:-2027-01-31T23:50+08:00 2027-03-01T00:20+08:00 \
      2028-02-29T12:00+08:00 2027-12-31T23:55+08:00 2028-01-01T00:05+08:00}; do
      say "Test suite on SQLite at $moment"
      if ! GUANXI_TEST_NOW="$moment" "$VENV/bin/pytest" -n 2 "$@"; then
        say "FAILED at GUANXI_TEST_NOW=$moment"
        exit 1
      fi
    done
    ;;
  e2e)
    if [ ! -x "$PY" ]; then install requirements-dev.txt; fi
    CHROMIUM=${GUANXI_CHROMIUM:-/usr/bin/chromium}
    if [ ! -x "$CHROMIUM" ]; then
      say "Installing Debian's Chromium (apt-get)"
      if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    fi
    export GUANXI_CHROMIUM="$CHROMIUM" DJANGO_SETTINGS_MODULE=config.settings.test
    export DJANGO_ALLOW_ASYNC_UNSAFE=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    "$PY" manage.py collectstatic --noinput -v0
    say "Browser journeys in $CHROMIUM"
    "$VENV/bin/pytest" -m e2e tests/e2e -p no:xdist "$@"
    ;;
  fuzz)
    if [ ! -x "$VENV/bin/schemathesis" ]; then install requirements-dev.txt; fi
    export DJANGO_SETTINGS_MODULE=config.settings.test
    say "Fuzzing the API with schemathesis (${DATABASE_URL:-SQLite})"
    "$VENV/bin/pytest" fuzz -p no:xdist "$@"
    ;;
  *)
    echo "usage: ./guanxi.sh run | test | test-postgres | test-dates | e2e | fuzz" >&2
    exit 2
    ;;
esac
