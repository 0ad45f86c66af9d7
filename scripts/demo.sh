#!/usr/bin/env bash
# Install infrar (no cloud SDK; DuckDB for the local warehouse) into .venv and run the demos on the
# embedded local provider: examples/demo.py, then the data pipeline of examples/data_pipeline/.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c "import ensurepip" >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet '.[local]'
INFRAR_PROVIDER=local .venv/bin/python examples/demo.py
echo
INFRAR_PROVIDER=local .venv/bin/python examples/data_pipeline/pipeline.py
