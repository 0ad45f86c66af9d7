"""Helpers for erase tests: erase text, run erased code with infrar made unimportable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from infrar.erase import erase_source

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
    return erase_source(textwrap.dedent(code), provider, filename)


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


def differential(tmp_path: Path, code: str) -> tuple[str, str]:
    """(runtime stdout, erased stdout) of ``code`` on the local provider, each on a fresh root."""
    source = tmp_path / "app.py"
    source.write_text(textwrap.dedent(code), encoding="utf-8")
    erased = tmp_path / "erased.py"
    erased.write_text(erase_source(source.read_text(encoding="utf-8"), "local", "app.py"), encoding="utf-8")
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
