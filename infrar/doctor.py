"""Show the selected provider, which SDKs import, and which variables are set (names only)."""

from __future__ import annotations

import argparse
import importlib.util
import os

from infrar import config
from infrar.errors import ConfigurationError

# provider -> modules its adapters import, and the extra that installs them
SDK_MODULES: dict[str, tuple[str, ...]] = {
    "local": (),
    "aws": ("boto3", "botocore"),
    "gcp": ("google.cloud.storage",),
    "azure": ("azure.storage.blob", "azure.identity"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: doctor only reads


def _importable(module: str) -> bool:
    # find_spec looks the module up without importing it: doctor must not load a cloud SDK.
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def report() -> list[str]:
    """The doctor's lines; never a variable's value, since values may be credentials."""
    lines: list[str] = []
    raw = config.selected_provider_raw()
    try:
        provider = config.current_provider()
        origin = "set" if os.environ.get(config.PROVIDER_VARIABLE) else "unset, default local"
        lines.append(f"provider: {provider} (INFRAR_PROVIDER {origin})")
    except ConfigurationError as exc:
        provider = None
        lines.append(f"provider: INVALID {raw!r}: {exc}")
    lines.append("SDKs:")
    for name, modules in SDK_MODULES.items():
        if not modules:
            lines.append(f"  {name:<6} ok (standard library only)")
            continue
        missing = [m for m in modules if not _importable(m)]
        state = "ok" if not missing else f"missing {', '.join(missing)}: pip install 'infrar[{name}]'"
        marker = " <- selected" if name == provider else ""
        lines.append(f"  {name:<6} {state}{marker}")
    lines.append("variables set (values hidden):")
    for name, variables in config.NATIVE_VARIABLES.items():
        present = [v for v in variables if os.environ.get(v)]
        lines.append(f"  {name:<6} {', '.join(present) if present else '-'}")
    return lines


def run(args: argparse.Namespace) -> int:
    del args
    lines = report()
    print("\n".join(lines))
    return 1 if lines[0].startswith("provider: INVALID") else 0
