#!/usr/bin/env bash
# Create the virtualenv ministack runs from (.cache/ministack-venv, gitignored) when it is missing.
# ministack pins its own botocore, so it never shares infrar's environment; its Athena runs SQL
# with DuckDB, which must be installed beside it (else it answers with placeholder rows).
# Usage: scripts/setup-ministack.sh [VENV_DIR]; prints the path of the venv's python.
set -euo pipefail
MINISTACK_VERSION="${MINISTACK_VERSION:-1.5.33}"
DUCKDB_VERSION="${MINISTACK_DUCKDB_VERSION:-1.5.5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$root/.cache/ministack-venv}"
# Built in place (a venv cannot be moved); a marker written last says it is complete.
marker="$venv/.complete-$MINISTACK_VERSION-$DUCKDB_VERSION"
if [ ! -f "$marker" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "ministack==$MINISTACK_VERSION" "duckdb==$DUCKDB_VERSION" >&2
    touch "$marker"
fi
echo "$venv/bin/python"
