#!/usr/bin/env bash
# Create the virtualenv bqemulator runs from (.cache/bqemulator-venv, gitignored) when it is missing.
# bqemulator works only pinned: duckdb 1.5.5 with the spatial extension installed once into the
# emulator's own HOME (from the duckdb-extension-spatial wheel), else it tries to download the
# extension at start and fails offline.
# Usage: scripts/setup-bqemulator.sh [VENV_DIR]; prints the path of the venv's python.
# The emulator's HOME is VENV_DIR/home (infrar/testing/bqemulator.py runs it with that HOME).
set -euo pipefail
BQEMULATOR_VERSION="${BQEMULATOR_VERSION:-1.4.0}"
DUCKDB_VERSION=1.5.5
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$root/.cache/bqemulator-venv}"
marker="$venv/.complete-$BQEMULATOR_VERSION-$DUCKDB_VERSION-numpy"
if [ ! -f "$marker" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "bqemulator==$BQEMULATOR_VERSION" \
        "duckdb==$DUCKDB_VERSION" "duckdb-extension-spatial==$DUCKDB_VERSION" "numpy>=1.26,<3" >&2
    mkdir -p "$venv/home"
    HOME="$venv/home" "$venv/bin/python" - <<'PY' >&2
import pathlib
import duckdb
import duckdb_extension_spatial

base = pathlib.Path(duckdb_extension_spatial.__file__).parent
extension = next(base.rglob("spatial.duckdb_extension"))
duckdb.connect().execute(f"INSTALL '{extension}'")
PY
    touch "$marker"
fi
echo "$venv/bin/python"
