"""A module constant that another module (or the module itself) may set is not taken for its literal.

Folding takes ``BUCKET = "good-bucket"`` for the literal it holds and leaves the bucket check
out of the copy. A caller doing ``app.BUCKET = "Bad_Bucket"`` (or a test doing
``monkeypatch.setattr(app, "BUCKET", ...)``) would then meet no check in the erased program,
where the runtime raises InvalidArgument. So erase reads every module of the tree, including
those that never mention infrar, for the names they set on a module, and does not fold those.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infrar.erase import erase_source, erase_tree
from infrar.erase.literals import constants, patched_names
from tests.erase._support import BLOCKER

APP = '''
from infrar import storage
from infrar.errors import InvalidArgument

BUCKET = "good-bucket"


def save() -> None:
    try:
        storage.write_bytes(BUCKET, "k", b"v")
        print("saved in", BUCKET)
    except InvalidArgument as exc:
        print("refused:", exc)
'''
CALLERS = {
    "attribute": "import app\n\napp.BUCKET = 'Bad_Bucket'\napp.save()\n",
    "setattr": "import app\n\nsetattr(app, 'BUCKET', 'Bad_Bucket')\napp.save()\n",
    "patch": ("from unittest import mock\n\nimport app\n\n"
              "with mock.patch('app.BUCKET', 'Bad_Bucket'):\n    app.save()\n"),
}


def _run(where: Path, blocked: bool) -> str:
    program = (BLOCKER if blocked else "") + "import runpy; runpy.run_path('main.py', run_name='__main__')"
    done = subprocess.run([sys.executable, "-c", program], cwd=where, capture_output=True, text=True,
                          env={"INFRAR_LOCAL_ROOT": str(where / "root"), "PATH": "/usr/bin:/bin",
                               "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("form", sorted(CALLERS))
def test_a_constant_another_module_sets_keeps_its_check(tmp_path: Path, form: str) -> None:
    tree = tmp_path / "src"
    tree.mkdir()
    (tree / "app.py").write_text(APP, encoding="utf-8")
    (tree / "main.py").write_text(CALLERS[form], encoding="utf-8")  # never mentions infrar
    report = erase_tree(tree, tmp_path / "out", "local")
    assert report.ok, report.as_text()
    assert "_check_bucket(bucket" in (tmp_path / "out" / "app.py").read_text(encoding="utf-8")
    runtime, erased = _run(tree, blocked=False), _run(tmp_path / "out", blocked=True)
    assert runtime == erased
    assert runtime.startswith("refused: invalid bucket name 'Bad_Bucket'")


def test_alone_the_constant_still_folds() -> None:
    folded = erase_source(APP, "local", "app.py")
    assert "_check_bucket(bucket" not in folded  # the literal was checked at erase time


def test_what_counts_as_setting_a_name() -> None:
    sources = [b"import app\napp.A = 1\ndel app.B\napp.C += 1\n",
               b"setattr(m, 'D', 1)\nmonkeypatch.setattr(app, 'E', 2)\nmonkeypatch.setattr('app.F', 3)\n",
               b"mock.patch('pkg.app.G')\nmock.patch.object(app, 'H', 1)\nprint(app.I)\n", b"def broken(:\n"]
    assert patched_names(sources) == frozenset("ABCDEFGH")
    own = "import sys\nA = 'x'\nB = 'y'\nsys.modules[__name__].A = 'z'\n"
    import ast

    assert constants(ast.parse(own)) == {"B": "y"}
