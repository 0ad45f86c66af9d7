"""Show the selected provider, the installed plugins, which of their SDKs are missing and how to
install them, and which native variables are set (names only).

Everything per domain comes from the plugins' ``plugin.yaml`` (``sdk_modules``, ``variables``,
``requirements``): doctor names no domain, so a new plugin is diagnosed with no change here.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
from dataclasses import dataclass
from functools import cache
from importlib import metadata

from infrar import config, plugins
from infrar.errors import ConfigurationError
from infrar.plugins import Plugin

_BUILTIN_ROOT = "infrar"


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: doctor only reads


@cache
def _importable(module: str) -> bool:
    # find_spec looks the module up without importing it: doctor must not load a cloud SDK.
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@cache
def _infrar_extras() -> frozenset[str]:
    try:
        return frozenset(metadata.metadata("infrar").get_all("Provides-Extra") or ())
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return frozenset()


def _fix(plugin: Plugin, provider: str) -> str:
    """How to install what ``plugin``'s ``provider`` adapter imports."""
    if plugin.package.partition(".")[0] == _BUILTIN_ROOT and provider in _infrar_extras():
        return f"pip install 'infrar[{provider}]'"
    requirements = plugin.requirements.get(provider, ())
    if requirements:
        return "pip install " + " ".join(f"'{r}'" for r in requirements)
    return f"install what {plugin.name} needs for {provider} (its plugin.yaml lists no requirements)"


@dataclass(frozen=True)
class Problem:
    """Modules some plugins' adapters for one provider import but that are not installed."""

    modules: tuple[str, ...]
    plugins: tuple[str, ...]
    fix: str


def missing_sdks(provider: str, installed: dict[str, Plugin]) -> list[Problem]:
    """What is missing for ``provider``, grouped by the command that installs it."""
    by_fix: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    for plugin in sorted(installed.values(), key=lambda p: p.name):
        missing = [m for m in plugin.sdk_modules.get(provider, ()) if not _importable(m)]
        if missing:
            modules, names = by_fix.setdefault(_fix(plugin, provider), ({}, {}))
            modules.update(dict.fromkeys(missing))
            names[plugin.name] = None
    return [Problem(tuple(modules), tuple(names), fix) for fix, (modules, names) in by_fix.items()]


def _provider_line(raw: str) -> tuple[str | None, str]:
    try:
        provider = config.current_provider()
    except ConfigurationError as exc:
        return None, f"provider: INVALID {raw!r}: {exc}"
    origin = "set" if os.environ.get(config.PROVIDER_VARIABLE) else "unset, default local"
    return provider, f"provider: {provider} (INFRAR_PROVIDER {origin})"


def _sdk_lines(provider: str, selected: str | None, installed: dict[str, Plugin]) -> list[str]:
    marker = " <- selected" if provider == selected else ""
    needed = any(p.sdk_modules.get(provider) for p in installed.values())
    problems = missing_sdks(provider, installed)
    if not problems:
        state = "ok" if needed else "ok (standard library only)"
        return [f"  {provider:<6} {state}{marker}"]
    lines = []
    for i, problem in enumerate(problems):
        label = provider if i == 0 else ""
        lines.append(f"  {label:<6} missing {', '.join(problem.modules)} "
                     f"({', '.join(problem.plugins)}): {problem.fix}{marker if i == 0 else ''}")
    return lines


def report() -> tuple[list[str], bool]:
    """The doctor's lines, and whether all is well for the selected provider.

    Never a variable's value, since values may be credentials.
    """
    selected, first = _provider_line(config.selected_provider_raw())
    lines = [first]
    try:
        installed = plugins.registry()
    except ConfigurationError as exc:
        return [*lines, f"plugins: ERROR {exc}"], False
    lines.append("plugins: " + ", ".join(f"{p.name} {p.version}" for p in
                                          sorted(installed.values(), key=lambda p: p.name)))
    lines.append("SDKs:")
    healthy = selected is not None
    for provider in config.PROVIDERS:
        lines.extend(_sdk_lines(provider, selected, installed))
        if provider == selected and missing_sdks(provider, installed):
            healthy = False
    lines.append("variables set (values hidden):")
    for provider in config.PROVIDERS:
        present = [v for v in plugins.native_variables(provider) if os.environ.get(v)]
        lines.append(f"  {provider:<6} {', '.join(present) if present else '-'}")
    return lines, healthy


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 1 when the provider is invalid or its SDKs are missing."""
    del args
    lines, healthy = report()
    print("\n".join(lines))
    return 0 if healthy else 1
