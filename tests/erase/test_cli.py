"""The command line: python -m infrar.erase --provider P SRC -o OUT, --check, --diff, --format json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from infrar.erase.cli import main

APP = "from infrar import storage\n\nprint(storage.exists('cli-bucket', 'k'))\n"
BAD = "from infrar import storage\n\nx = storage.upload\n"


def write(tmp_path: Path, text: str) -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "app.py").write_text(text, encoding="utf-8")
    return src


def test_module_entry_point_writes_out(tmp_path: Path) -> None:
    src = write(tmp_path, APP)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "infrar.erase", "--provider", "local", str(src), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    assert "_exists('cli-bucket', 'k')" in (out / "app.py").read_text(encoding="utf-8")


def test_unerasable_exits_2_writes_nothing(tmp_path: Path, capsys: object) -> None:
    src = write(tmp_path, BAD)
    out = tmp_path / "out"
    assert main(["--provider", "local", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert f"{src / 'app.py'}:3:5: error: infrar.storage.upload is used as a value" in err
    assert not out.exists()


def test_check(tmp_path: Path, capsys: object) -> None:
    src = write(tmp_path, APP)
    assert main(["--provider", "aws", "--check", str(src)]) == 0
    text = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "app.py: would change" in text
    assert "erasable for --provider aws: 1 file(s) would change" in text
    (src / "lock.py").write_text("import infrar.aws.s3\ninfrar.aws.s3.enable_versioning('b')\n", encoding="utf-8")
    assert main(["--provider", "gcp", "--check", str(src)]) == 2
    text = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "lock.py:2:1: error: infrar.aws.s3.enable_versioning ties this code to aws" in text
    assert "cannot erase for --provider gcp" in text


def test_diff(tmp_path: Path, capsys: object) -> None:
    src = write(tmp_path, APP)
    assert main(["--provider", "local", "--diff", str(src)]) == 0
    text = capsys.readouterr().out  # type: ignore[attr-defined]
    assert text.startswith("--- a/app.py\n+++ b/app.py\n")
    assert "-from infrar import storage\n" in text
    assert "+print(_exists('cli-bucket', 'k'))\n" in text
    assert "+++ b/requirements.txt" in text
    assert not (tmp_path / "out").exists()


def test_json_report(tmp_path: Path, capsys: object) -> None:
    src = write(tmp_path, BAD)
    assert main(["--provider", "local", "--check", "--format", "json", str(src)]) == 2
    data = json.loads(capsys.readouterr().out)  # type: ignore[attr-defined]
    assert data["ok"] is False
    assert data["diagnostics"] == [{
        "file": str(src / "app.py"), "line": 3, "column": 5, "code": "function-as-value",
        "message": "infrar.storage.upload is used as a value, not called; erase replaces calls, "
                   "so a function passed around or stored cannot be erased",
        "fix": "call it where it is needed, e.g. wrap it: 'lambda *args: storage.upload(*args)'",
        "severity": "error",
    }]


def test_out_required_without_check(tmp_path: Path, capsys: object) -> None:
    src = write(tmp_path, APP)
    assert main(["--provider", "local", str(src)]) == 2
    assert "-o OUT is required" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_progress_to_stderr(tmp_path: Path, capsys: object) -> None:
    src = write(tmp_path, APP)
    assert main(["--provider", "local", "--progress", str(src), "-o", str(tmp_path / "out")]) == 0
    assert "infrar erase: 1/1 files" in capsys.readouterr().err  # type: ignore[attr-defined]


def test_syntax_error_no_traceback(tmp_path: Path) -> None:
    src = write(tmp_path, "import infrar.storage\nif True\n    pass\n")
    done = subprocess.run([sys.executable, "-m", "infrar.erase", "--provider", "local", str(src), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{src / 'app.py'}:2:" in done.stderr and "syntax error" in done.stderr



def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`python -m infrar.erase ... | head -1`: the write that meets the closed pipe ends the command
    quietly with status 1, and so does the flush at exit (stdout then points at devnull)."""
    program = ("import sys\nfrom infrar.cli import guarded\n"
               "def run():\n    sys.stdout.write('x' * 10)\n    raise BrokenPipeError(32, 'Broken pipe')\n"
               "sys.exit(guarded('infrar erase', run))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr) == (1, "")
