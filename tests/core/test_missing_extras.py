"""Every entry point, run with an optional extra uninstalled, says how to install it in one line.

Each command runs in a fresh interpreter whose ``sitecustomize`` puts a finder first on
``sys.meta_path`` that refuses ``libcst`` and ``jsonschema`` exactly as Python refuses a
module that is not installed (ModuleNotFoundError with its name), so the real entry points
run unchanged, with the real package installed but unreachable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ERASE = "pip install 'infrar[erase]'"
INFRA = "pip install 'infrar[infra]'"

_BLOCKER = """\
import sys


class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("libcst", "jsonschema"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
"""

ERASE_ARGS = ["--provider", "aws", "app.py", "-o", "out"]
# (id, argv after the interpreter, the prefix and the install command of the one line)
CASES = [
    ("python -m infrar.erase", ["-m", "infrar.erase", *ERASE_ARGS], "infrar erase: ", ERASE),
    ("infrar erase", ["-m", "infrar.cli", "erase", *ERASE_ARGS], "infrar erase: ", ERASE),
    ("infrar erase --check", ["-m", "infrar.cli", "erase", "--check", "--provider", "gcp", "app.py"],
     "infrar erase: ", ERASE),
    ("infrar infra", ["-m", "infrar.cli", "infra", "--provider", "aws", "project.yaml", "-o", "infra"],
     "infrar infra: ", INFRA),
    ("infrar cost", ["-m", "infrar.cli", "cost", "project.yaml"], "infrar cost: ", INFRA),
    ("infrar scan", ["-m", "infrar.cli", "scan", "app.py", "--project", "project.yaml"], "infrar scan: ", INFRA),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory with a program using infrar and a valid project.yaml."""
    (tmp_path / "app.py").write_text(
        'from infrar import storage\n\nstorage.write_bytes("reports", "a.txt", b"hi")\n', encoding="utf-8"
    )
    shutil.copy(ROOT / "examples" / "project.yaml", tmp_path / "project.yaml")
    return tmp_path


def _run(cwd: Path, argv: list[str], blocked: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFRAR_", "PYTHON"))}
    env["INFRAR_PROVIDER"] = "local"
    if blocked:
        site = cwd.parent / f"{cwd.name}-site"
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(_BLOCKER, encoding="utf-8")
        env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_blocker_makes_the_extras_unimportable(project: Path) -> None:
    for module in ("libcst", "jsonschema"):
        done = _run(project, ["-c", f"import {module}"], blocked=True)
        assert done.returncode == 1
        assert f"ModuleNotFoundError: No module named '{module}'" in done.stderr
        assert _run(project, ["-c", f"import {module}"], blocked=False).returncode == 0


@pytest.mark.parametrize(("argv", "prefix", "command"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_missing_extra_is_one_line_with_the_install_command(
    project: Path, argv: list[str], prefix: str, command: str
) -> None:
    done = _run(project, argv, blocked=True)
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    line = done.stderr.rstrip("\n")
    assert line.startswith(prefix), line
    assert line.endswith(command), line
    assert ("libcst" if command == ERASE else "jsonschema") in line
    assert done.stdout == ""
    assert done.returncode == 2
    assert not (project / "out").exists() and not (project / "infra").exists()


@pytest.mark.parametrize(("argv", "prefix", "command"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_with_the_extras_installed_the_same_commands_do_not_ask_for_them(
    project: Path, argv: list[str], prefix: str, command: str
) -> None:
    done = _run(project, argv, blocked=False)
    assert command not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1), done.stderr  # scan: 1 when project.yaml lacks the bucket


@pytest.mark.parametrize("argv", [["-m", "infrar.cli", "doctor"], ["-m", "infrar.cli", "--help"],
                                  ["-m", "infrar.erase", "--help"]], ids=["doctor", "infrar --help", "erase --help"])
def test_commands_that_need_no_extra_run_without_them(project: Path, argv: list[str]) -> None:
    done = _run(project, argv, blocked=True)
    assert "Traceback" not in done.stderr
    assert "pip install 'infrar[" not in done.stderr
    assert done.returncode == 0, done.stderr
