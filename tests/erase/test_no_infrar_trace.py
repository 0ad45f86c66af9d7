"""No erased output mentions infrar outside the configuration variables docs/erase.md keeps.

Every golden (each corpus program erased for each provider, and each provider's shared
_cloud.py) is scanned here; tests/erase/test_differential.py scans the erased corpus itself
with the same rule as it runs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.erase._traces import infrar_traces, kept_variables

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDENS = sorted(GOLDEN.glob("*.py.golden"))


def _source_of(golden: Path) -> str:
    """The program a golden was erased from: the corpus's, else an example's (the messaging one,
    tests/messaging/test_erase.py); '' for the shared module: all of it is erase's."""
    stem = golden.name.split(".", 1)[0]
    for program in (ROOT / "examples" / "corpus" / f"{stem}.py", ROOT / "examples" / f"{stem}.py"):
        if program.exists():
            return program.read_text(encoding="utf-8")
    return ""


def test_the_goldens_are_there() -> None:
    assert len(GOLDENS) >= 4 * 13, [g.name for g in GOLDENS]
    assert {"_cloud.aws.py.golden", "_cloud.local.py.golden"} <= {g.name for g in GOLDENS}


@pytest.mark.parametrize("golden", GOLDENS, ids=[g.name for g in GOLDENS])
def test_golden_names_no_infrar(golden: Path) -> None:
    traces = infrar_traces(golden.read_text(encoding="utf-8"), _source_of(golden))
    assert not traces, f"{golden.name} mentions infrar where the program did not:\n" + "\n".join(traces)


def test_the_rule_finds_what_it_must() -> None:
    """The scan is not vacuous: messages and names of infrar are found, the kept variables are not."""
    assert kept_variables() >= {"INFRAR_LOCAL_ROOT", "INFRAR_STORAGE_TIMEOUT"}
    erased = "\n".join([
        'raise MissingDependency("pip install \'infrar[azure]\'")',
        'x = os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar"',
        '_VARIABLE = "INFRAR_STORAGE_TIMEOUT"',
        'y = os.environ["INFRAR_SOMETHING_ELSE"]',
        '"""Covers: from infrar import storage"""',
    ])
    traces = infrar_traces(erased, own='"""Covers: from infrar import storage"""')
    assert [t.split(":", 1)[0] for t in traces] == ["1", "4"], traces
