"""The README's first command runs examples/demo.py on the embedded local provider: it works, runs
again on the data it left, and erased (infrar blocked) prints the same, up to the trace section.

Erased code has no dispatch layer, so the spans infrar opens around each of its calls are not
there (docs/erase.md, "What cannot be identical by design"); everything the program itself
prints before the trace must be the same.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from infrar.erase import erase_tree
from tests.erase._support import BLOCKER

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo.py"
TRACE = "trace of this run"


def _demo(script: Path, where: Path, blocked: bool = False) -> str:
    """The demo's output, run as the README runs it: from a directory of its own, data under ./.infrar."""
    program = (BLOCKER if blocked else "") + f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFRAR_", "APP_"))}
    done = subprocess.run([sys.executable, "-c", program], cwd=where, capture_output=True, text=True,
                          env={**env, "INFRAR_PROVIDER": "local"}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_runs_on_local_and_again(tmp_path: Path) -> None:
    first = _demo(DEMO, tmp_path)
    for line in ("best day in the database: 5 (617.25)", "cache: run 1, first run: True",
                 "queue: 5 jobs done, days [1, 2, 3, 4, 5]", "topic: subscription demo-mailer got 5 announcements",
                 "after delete: 4 reports", "missing report handled: NotFound", "    storage.write_bytes x5",
                 "    database.transaction", "    cache.incr", "    messaging.publish x5"):
        assert line in first, first
    assert (tmp_path / ".infrar").is_dir()
    second = _demo(DEMO, tmp_path)
    assert "cache: run 2, first run: False" in second and "queue: 5 jobs done" in second


def test_the_erased_demo_prints_the_same(tmp_path: Path) -> None:
    report = erase_tree(DEMO, tmp_path / "erased", "local")
    assert report.ok, report.as_text()
    (tmp_path / "runtime").mkdir()
    (tmp_path / "native").mkdir()
    runtime = _demo(DEMO, tmp_path / "runtime")
    erased = _demo(tmp_path / "erased" / "demo.py", tmp_path / "native", blocked=True)
    assert TRACE in runtime and TRACE in erased
    assert erased.split(TRACE)[0] == runtime.split(TRACE)[0]
