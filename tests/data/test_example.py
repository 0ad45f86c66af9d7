"""The worked example examples/data_pipeline runs on local, twice (the second run replaces, never duplicates)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = """\
sales columns: [('day', 'DATE'), ('customer', 'STRING'), ('amount', 'DECIMAL(12,2)')]
scheduled: nightly-totals PENDING
run now: SUCCEEDED
  2026-11-01  2 orders  120.40
  2026-11-02  3 orders  22.35
  2026-11-03  1 orders  40.00
"""


def test_pipeline_runs_on_local(tmp_path: Path) -> None:
    environment = {**os.environ, "INFRAR_PROVIDER": "local", "INFRAR_LOCAL_ROOT": str(tmp_path / "root")}
    for _ in range(2):
        result = subprocess.run([sys.executable, str(ROOT / "examples" / "data_pipeline" / "pipeline.py")],
                                capture_output=True, text=True, env=environment, timeout=300, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (0, EXPECTED), result.stderr
    schedule = tmp_path / "root" / "data" / "jobs" / "nightly-totals" / "schedule.json"
    assert '"0 2 * * *"' in schedule.read_text()
