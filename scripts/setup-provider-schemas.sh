#!/usr/bin/env bash
# The hashicorp/google and hashicorp/azurerm provider schemas for tests/infra/test_provider_schema.py,
# taken from the cdktf prebuilt provider packages on PyPI (the provider binaries themselves are not
# reachable here). Each package version below is the one built from the provider version the
# generated root modules pin (infrar/infra/profiles.py); the test checks that they agree.
# Writes .cache/provider-schemas/{google,azurerm}.json (skips those already there).
# Usage: scripts/setup-provider-schemas.sh [DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/.cache/provider-schemas}"
python="${PYTHON:-$root/.venv-test/bin/python}"
[ -x "$python" ] || python=python3
mkdir -p "$dir"
# local name, PyPI package, package version (hashicorp/google 6.50.0, hashicorp/azurerm 4.55.0)
for spec in "google cdktf-cdktf-provider-google 16.12.1" "azurerm cdktf-cdktf-provider-azurerm 14.23.1"; do
    read -r name package version <<<"$spec"
    out="$dir/$name.json"
    marker="$dir/.$name-$version"
    if [ -f "$out" ] && [ -f "$marker" ]; then
        continue
    fi
    download="$(mktemp -d)"
    "$python" -m pip download --quiet --disable-pip-version-check --no-deps -d "$download" "$package==$version" >&2
    "$python" "$root/scripts/provider_schemas.py" "$download"/*.whl "$out" >&2
    rm -rf "$download"
    touch "$marker"
done
