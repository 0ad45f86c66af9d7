#!/usr/bin/env bash
# Create the virtualenv checkov runs from (.cache/checkov-venv, gitignored) when it is missing.
# checkov pins its own (old) boto3 and friends, so it never shares infrar's environment.
# Usage: scripts/setup-checkov.sh [VENV_DIR]; prints the path of the checkov executable.
set -euo pipefail
CHECKOV_VERSION="${CHECKOV_VERSION:-3.2.510}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$root/.cache/checkov-venv}"
# A venv cannot be moved (its scripts hold absolute paths), so it is built in place and a
# marker written last says it is complete; an interrupted build is thrown away and redone.
if [ ! -f "$venv/.complete-$CHECKOV_VERSION" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" >&2
    touch "$venv/.complete-$CHECKOV_VERSION"
fi
echo "$venv/bin/checkov"
