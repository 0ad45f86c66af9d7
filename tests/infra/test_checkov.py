"""checkov finds no failed check in any generated root module that the module does not suppress
with a written reason (``#checkov:skip=CKV_X:reason`` next to the resource).

checkov pins an old boto3, so it runs from its own virtualenv (.cache/checkov-venv), made by
scripts/setup-checkov.sh the first time. Offline: BC_SKIP_MAPPING=TRUE and --skip-download.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infrar.infra.generate import generate
from infrar.infra.project import load_project
from infrar.infra.writer import write_atomic

ROOT = Path(__file__).resolve().parents[2]
FULL_PROJECT = Path(__file__).parent / "full_project.yaml"
SETUP = ROOT / "scripts" / "setup-checkov.sh"


@pytest.fixture(scope="session")
def checkov() -> Path:
    """The checkov executable of its own virtualenv, created when missing."""
    venv = Path(os.environ.get("INFRAR_CHECKOV_VENV", ROOT / ".cache" / "checkov-venv"))
    try:
        done = subprocess.run(["bash", str(SETUP), str(venv)], capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not create the checkov virtualenv: {exc}")
    if done.returncode != 0:
        pytest.skip(f"could not install checkov (no package index?): {done.stderr.strip()[-400:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def _scan(checkov: Path, directory: Path) -> dict[str, Any]:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    done = subprocess.run(
        [str(checkov), "--directory", str(directory), "--framework", "terraform", "--skip-download",
         "--output", "json", "--compact"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    result: dict[str, Any] = report[0] if isinstance(report, list) else report
    return result


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_generated_root_module_passes_checkov(checkov: Path, provider: str, tmp_path: Path) -> None:
    out = tmp_path / provider
    write_atomic(generate(load_project(FULL_PROJECT), provider, with_plugins=False), out)
    report = _scan(checkov, out)
    results = report["results"]
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]}): {c['check_name']}"
              for c in results["failed_checks"]]
    assert not failed, "checkov failed checks:\n" + "\n".join(failed)
    assert results["passed_checks"], "checkov checked nothing"
    for skipped in results["skipped_checks"]:
        reason = (skipped.get("check_result") or {}).get("suppress_comment", "")
        assert len(reason.strip()) > 20, f"{skipped['check_id']} on {skipped['resource']} is skipped without a reason"
