"""A literal argument that fails the check the copied code runs on it: erase warns, at the call.

Folding runs each declared check (docs/adapters.md, contract 7) once at erase time on the literals
a program passes. One that fails keeps its check in the copy, so the erased program raises where
and as the runtime one does; erase says so, with the call's file:line:col and the check's own
message (its class alone where the message would show an argument erase cannot know), and still
erases: the error may be what the program means to meet.
"""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path

import pytest

from infrar.erase import EraseWarning, erase_source, erase_tree
from infrar.erase import cli as erase_cli
from tests.erase._support import differential

REFUSED = '''
import os
from infrar import storage
from infrar.errors import InvalidArgument

BUCKET = "Bad_Bucket"

try:
    storage.exists(BUCKET, "k")
except InvalidArgument as exc:
    print("refused:", exc)
try:
    storage.write_bytes(os.environ.get("APP_BUCKET", "good-bucket"), "", b"x")
except InvalidArgument as exc:
    print("refused:", exc)
'''


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "app.py"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("provider", ["local", "aws"])
def test_a_refused_literal_is_warned_of_at_its_call(tmp_path: Path, provider: str) -> None:
    report = erase_tree(_write(tmp_path, REFUSED), tmp_path / "out", provider)
    assert report.ok and report.written is not None
    warnings = [(d.line, d.col, d.code, d.severity) for d in report.diagnostics]
    assert warnings == [(9, 5, "literal-check", "warning"), (13, 5, "literal-check", "warning")]
    bucket, key = sorted(report.diagnostics)
    assert bucket.message.startswith("bucket='Bad_Bucket' fails the check the copied code runs on it "
                                     "(InvalidArgument: invalid bucket name 'Bad_Bucket'")
    # the bucket is not known at erase time, and the check's message would name a stand-in for it
    assert key.message.startswith("key='' fails the check the copied code runs on it (InvalidArgument); ")
    assert "the erased program raises this at run time here" in key.message


def test_the_erased_program_still_raises_as_the_runtime_one(tmp_path: Path) -> None:
    runtime, erased = differential(tmp_path, REFUSED)
    assert runtime == erased
    assert runtime.count("refused: ") == 2


def test_valid_literals_draw_no_warning(tmp_path: Path) -> None:
    valid = REFUSED.replace('"Bad_Bucket"', '"good-bucket"').replace('"", b"x"', '"k", b"x"')
    report = erase_tree(_write(tmp_path, valid), tmp_path / "out", "aws")
    assert report.ok and report.diagnostics == []


def test_the_command_line_prints_it_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path, REFUSED)
    assert erase_cli.main(["--provider", "gcp", str(source), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"{source}:9:5: warning: bucket='Bad_Bucket' fails the check" in err
    assert "0 error(s)" in err
    assert erase_cli.main(["--provider", "gcp", str(source), "--check", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["line"], d["column"], d["severity"]) for d in shown] == [(9, 5, "warning"), (13, 5, "warning")]


def test_erase_source_warns() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        erased = erase_source(textwrap.dedent(REFUSED), "azure", "app.py")
    assert [w.category for w in caught] == [EraseWarning, EraseWarning]
    assert [str(w.message).split(" fails")[0] for w in caught] == [
        "app.py:9:5: warning: bucket='Bad_Bucket'", "app.py:13:5: warning: key=''"]
    assert "Bad_Bucket" in erased


@pytest.mark.parametrize("provider", ["local", "aws", "gcp", "azure"])
def test_a_check_that_does_not_run_on_the_literal_draws_no_warning(tmp_path: Path, provider: str) -> None:
    """An empty prefix is checked as a key only when not empty (``check_key(...) if prefix else
    prefix``): the check would refuse '', but never runs on it, so nothing is warned of."""
    source = ('from infrar import storage\n\nprint(storage.list_objects("good-bucket"))\n'
              'print(list(storage.iter_objects("good-bucket", "")))\n')
    report = erase_tree(_write(tmp_path, source), tmp_path / "out", provider)
    assert report.ok and report.diagnostics == []
