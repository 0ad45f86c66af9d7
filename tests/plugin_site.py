"""Install a throwaway plugin from files in a temporary directory, as ``pip install`` would.

A package plus a ``<name>-<version>.dist-info`` holding its ``infrar.plugins`` entry point is
all an installed plugin is; putting that directory on ``sys.path`` installs it for one test.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from infrar import dispatch, plugins


def write_site(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> indented text) below ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


@contextmanager
def installed(site: Path, domain: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[plugins.Plugin]:
    """The plugin of ``domain`` found in ``site``; afterwards its modules and the registry are forgotten."""
    monkeypatch.syspath_prepend(str(site))
    plugins.reset()
    plugin = plugins.get(domain)
    try:
        yield plugin
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == plugin.package.partition(".")[0]]:
            del sys.modules[name]
        monkeypatch.undo()
        plugins.reset()
        dispatch.reset()
