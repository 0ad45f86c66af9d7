"""Helpers for erase tests: erase text, run erased code with infrar made unimportable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infrar.erase import EraseError
from infrar.plugins import registry

if TYPE_CHECKING:
    from infrar.erase.adapters import Library
    from infrar.erase.catalog import Catalog
    from infrar.plugins import Plugin

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = """
import sys
class _NoInfrar:
    def find_spec(self, name, path=None, target=None):
        if name == "infrar" or name.startswith("infrar.") or name.startswith("infrar_"):
            raise ImportError(f"infrar is not installed (blocked: {name})")
sys.meta_path.insert(0, _NoInfrar())
for _name in [m for m in sys.modules if m == "infrar" or m.startswith(("infrar.", "infrar_"))]:
    del sys.modules[_name]
"""

RUNNER = """
import os, runpy, sys
path = sys.argv[1]
sys.argv = [path]
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))  # as `python path` does
runpy.run_path(path, run_name="__main__")
"""


def erase(code: str, provider: str = "local", filename: str = "app.py") -> str:
    """What ``erase_source`` returns for ``code``, with the adapter analysis kept per process.

    erase_source builds a new Catalog and Library on every call, and analysing the adapters
    again cost 0.7-0.9 s of CPU per call (a program erased with a kept Library: 0.02 s). Tests
    call this hundreds of times. One Library erases every file of a tree in erase_tree, and
    tests/erase/test_tree.py shows the output does not depend on which files it erased before.
    """
    from infrar import config
    from infrar.erase.emit import erase_module

    config.validate_provider(provider, "--provider")
    catalog, library = _analysis()
    result = erase_module(textwrap.dedent(code).encode("utf-8"), provider, filename, catalog, library)
    if result.diagnostics:
        raise EraseError(result.diagnostics)
    return textwrap.dedent(code) if result.code is None else result.code.decode("utf-8")


_kept: list[tuple[list[Plugin], Catalog, Library]] = []  # at most one: the latest plugin set's


def _analysis() -> tuple[Catalog, Library]:
    """The Catalog and Library of the installed plugins, new once the plugin set changes (a test
    that installs a plugin resets the registry: new Plugin objects, held here so no id is reused)."""
    from infrar.erase.adapters import Library
    from infrar.erase.catalog import Catalog

    found = registry()
    plugins = list(found.values())
    if _kept and len(_kept[0][0]) == len(plugins) and all(a is b for a, b in zip(_kept[0][0], plugins, strict=True)):
        return _kept[0][1], _kept[0][2]
    catalog = Catalog(found)
    _kept[:] = [(plugins, catalog, Library(catalog))]
    return _kept[0][1], _kept[0][2]


def run(path: Path, root: Path, blocked: bool, provider: str = "local",
        extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``path`` as __main__ with INFRAR_LOCAL_ROOT=root (and ``extra``, an emulator's
    variables say); with ``blocked``, infrar cannot be imported."""
    env = dict(os.environ, INFRAR_LOCAL_ROOT=str(root), INFRAR_PROVIDER=provider, **(extra or {}))
    program = (BLOCKER if blocked else "") + RUNNER
    return subprocess.run(
        [sys.executable, "-c", program, str(path)],
        capture_output=True, text=True, env=env, cwd=str(path.parent), timeout=120, check=False,
    )


def both_ways(tmp_path: Path, provider: str, source: str, erased: str, emulator: Any = None,
              literal_bucket: str = "gen-bucket") -> tuple[str, str]:
    """(runtime stdout, erased stdout), each run in a directory of its own; on a cloud against
    ``emulator`` (an infrar.testing service) with ``literal_bucket`` renamed to a fresh bucket
    per run (both texts alike), shown as <bucket> in the output."""
    outputs = []
    for name, text, blocked in (("app", source, False), ("erased", erased, True)):
        bucket = f"gen-{uuid.uuid4().hex[:12]}"
        where = tmp_path / name
        where.mkdir()
        (where / "main.py").write_text(text.replace(f'"{literal_bucket}"', f'"{bucket}"'), encoding="utf-8")
        if emulator is not None:
            emulator.create_bucket(bucket)
        try:
            done = run(where / "main.py", where / "root", blocked, provider,
                       emulator.environment() if emulator is not None else None)
        finally:
            if emulator is not None:
                emulator.delete_bucket(bucket)
        assert done.returncode == 0, f"{name}:\n{done.stderr}"
        outputs.append(done.stdout.replace(bucket, "<bucket>"))
    return outputs[0], outputs[1]


def differential(tmp_path: Path, code: str) -> tuple[str, str]:
    """(runtime stdout, erased stdout) of ``code`` on the local provider, each on a fresh root."""
    source = tmp_path / "app.py"
    source.write_text(textwrap.dedent(code), encoding="utf-8")
    erased = tmp_path / "erased.py"
    erased.write_text(erase(source.read_text(encoding="utf-8"), "local", "app.py"), encoding="utf-8")
    first = run(source, tmp_path / "root1", blocked=False)
    second = run(erased, tmp_path / "root2", blocked=True)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr + "\n" + erased.read_text(encoding="utf-8")
    return first.stdout, second.stdout


def assert_no_infrar(code: str) -> None:
    import ast

    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "infrar" for a in node.names), ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] != "infrar", ast.unparse(node)
        elif isinstance(node, ast.Name):
            assert node.id != "infrar"
