"""Erase never writes, or exits 0 on, code that does not compile on the oldest supported Python;
inlined arguments keep Python's evaluation order (once, left to right, before the body)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar.erase import EraseError, erase_tree
from infrar.erase.emit import Result, _compiles
from infrar.erase.verify import legacy_fstring_problem, problem

from ._support import differential, erase


@pytest.mark.parametrize(("literal", "bad"), [
    ('f"{len("")} objects"', True),
    ('f"{d["k"]}"', True),
    ("f\"{f'{\"x\"}'}\"", True),
    ('f"{a\\n}"', True),
    ('f"{x  # note\n}"', True),
    ("f\"{d['k']:>{width}}\"", False),
    ("f\"{'}'} {{literal}}\"", False),
    ('f"""{"a"}"""', False),
    ('"plain" f"{b!r}"', False),
    ('rb"\\d"', False),
])
def test_fstrings_python_before_312_rejects_are_found(literal: str, bad: bool) -> None:
    assert (legacy_fstring_problem(literal) is not None) is bad


def test_compiler_only_errors_are_found() -> None:
    assert problem(b"[x for x in (p := 1, 2)]\n", "a.py") is not None
    assert problem(b"def f():\n    return [x for x in (1, 2)]\n", "a.py") is None


def test_output_that_does_not_compile_is_an_error_not_a_file() -> None:
    bad = Result(b"print(f\"{len(\"\")}\")\n")
    assert _compiles(bad, b"x = 1\n", "a.py") is not None
    assert _compiles(Result(b"x = 2\n"), b"x = 1\n", "a.py") is None


def test_input_the_compiler_rejects_is_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from infrar import storage\nprint([o for o in storage.list_objects('bkt', (p := 'x/'))])\n")
    report = erase_tree(tmp_path, tmp_path.parent / "out", "local")
    assert not report.ok and [d.code for d in report.errors] == ["syntax-error"]
    assert (report.errors[0].line, report.errors[0].file.endswith("app.py")) == (2, True)
    assert not (tmp_path.parent / "out").exists()


FSTRING_AND_WALRUS = '''
from infrar import storage
B = "compile-bucket"
storage.write_bytes(B, "logs/a", b"x")
print(f"{len(storage.list_objects(B))} objects")
print(f"{storage.read_bytes(B, 'logs/a')!r} {storage.exists(B, 'logs/a') if True else ''}")
print(len(storage.list_objects(B, (p := "logs/"))), p)
keys = storage.list_objects(B, (q := "logs/"))
print(keys, q)
print(storage.exists(bucket=(b := B), key=f"{p}a"), b)
'''


def test_fstring_calls_and_walrus_arguments_compile_and_behave(tmp_path: Path) -> None:
    out = erase(FSTRING_AND_WALRUS)
    assert problem(out.encode(), "app.py") is None
    runtime, erased = differential(tmp_path, FSTRING_AND_WALRUS)
    assert runtime == erased
    assert runtime.splitlines()[0] == "1 objects"


ORDER = '''
from infrar import storage

class Config:
    def __init__(self):
        self.log = []

    @property
    def prefix(self):
        self.log.append("prefix")
        return "p/"

    def bucket(self):
        self.log.append("bucket")
        return "order-bucket"

c = Config()
storage.write_bytes(c.bucket(), "p/k", b"1")
print(len(storage.list_objects(prefix=c.prefix, bucket=c.bucket())))
print(storage.exists(key=c.prefix + "k", bucket=c.bucket()))
print(c.log)
'''


def test_arguments_are_evaluated_once_left_to_right(tmp_path: Path) -> None:
    runtime, erased = differential(tmp_path, ORDER)
    assert runtime == erased
    assert runtime.splitlines()[-1] == "['bucket', 'prefix', 'bucket', 'prefix', 'bucket']"


def test_erase_error_names_the_output_problem() -> None:
    with pytest.raises(EraseError) as caught:
        erase("from infrar import storage\nprint([o for o in storage.list_objects('b', (p := 'x'))])\n")
    assert "syntax error" in str(caught.value)


def test_comments_on_argument_lines_are_kept() -> None:
    out = erase('''
        from infrar import storage
        B = "comment-bucket"
        found = storage.read_bytes(
            B,  # the bucket from the config
            "k",  # the key we look for
        )
        ''')
    assert "B,  # the bucket from the config" in out and '"k",  # the key we look for' in out
