"""Generated programs (tests/erase/_grammar.py) erased for local behave like the runtime:
each batch compiles on Python 3.10, names no infrar, and prints the same, case by case
(results, handled exception classes, and the order each argument was evaluated in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar.erase import erase_source
from infrar.erase.verify import problem
from tests.erase._grammar import program
from tests.erase._support import assert_no_infrar, run

BATCHES = range(1, 9)
CASES_PER_BATCH = 40


@pytest.mark.parametrize("seed", BATCHES)
def test_generated_programs_behave_the_same_erased(seed: int, tmp_path: Path) -> None:
    source = program(seed, CASES_PER_BATCH)
    erased = erase_source(source, "local", f"generated_{seed}.py")
    assert problem(erased.encode(), "erased.py") is None
    assert_no_infrar(erased)
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    (tmp_path / "erased.py").write_text(erased, encoding="utf-8")
    runtime = run(tmp_path / "app.py", tmp_path / "root1", blocked=False)
    after = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True)
    assert runtime.returncode == 0, runtime.stderr
    assert after.returncode == 0, after.stderr
    cases = runtime.stdout.split("case ")
    assert len(cases) == CASES_PER_BATCH + 1
    for want, got in zip(cases, after.stdout.split("case "), strict=True):
        assert got == want, f"case {want.splitlines()[0]} differs; see {tmp_path}"
