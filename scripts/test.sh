#!/usr/bin/env bash
# Install everything the tests need (Python extras, Node + Azurite, checkov's own venv)
# and run the whole suite. Safe to rerun: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

need_apt=()
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
"$PYTHON" -c "import ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
# The database tests run a real PostgreSQL from Debian's server package (infrar/testing/postgres.py).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The azure database tests run pyodbc through unixODBC and Debian's psqlODBC against that server.
ls /usr/lib/*/odbc/psqlodbcw.so >/dev/null 2>&1 || need_apt+=(unixodbc odbc-postgresql)
# The cache tests run real Redis servers, one of them TLS with openssl-made certificates (infrar/testing/redis.py).
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

VENV=.venv-test
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip setuptools wheel
"$VENV/bin/python" -m pip install --quiet -e '.[dev]'
# The third-party example plugin is installed like any user's plugin would be.
"$VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation tests/plugins/infrar_example_plugin

npm ci --no-audit --no-fund --silent

if [ -f scripts/setup-checkov.sh ]; then
  bash scripts/setup-checkov.sh
fi
# hashicorp/google and azurerm schemas (from the cdktf packages on PyPI) for the infra schema test.
PYTHON="$VENV/bin/python" bash scripts/setup-provider-schemas.sh
# The data tests run the BigQuery emulator from a pinned venv of its own (.cache/bqemulator-venv).
bash scripts/setup-bqemulator.sh >/dev/null
# ...and ministack (an AWS emulator whose Athena runs SQL) from another (.cache/ministack-venv).
bash scripts/setup-ministack.sh >/dev/null

export PATH="$PWD/$VENV/bin:$PATH"
exec "$VENV/bin/python" -m pytest -n 2 -q -p no:cacheprovider "$@"
