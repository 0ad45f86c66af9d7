"""Every refusal, on every provider: `python -m infrar.erase --provider P` over a tree of bad
programs exits 2, writes nothing, and names each problem at the same file:line:col with the
same code whichever provider was chosen (the refusals are about the program, not the cloud).

One CLI call per provider; the bad programs are the forms the other erase tests explain one by
one (test_unerasable.py, test_bindings_refused.py), gathered so that no provider is skipped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ("local", "aws", "gcp", "azure")

# file -> (its text, the (line, col, code) erase must report in it)
BAD: dict[str, tuple[str, list[tuple[int, int, str]]]] = {
    "as_value.py": ("from infrar.storage import exists\nfound = list(map(exists, ['a'], ['k']))\n",
                    [(2, 18, "function-as-value")]),
    "module_value.py": ("import infrar.storage\nbackend = infrar.storage\n", [(2, 11, "function-as-value")]),
    "dynamic.py": ("from infrar import storage\nname = 'exists'\ngetattr(storage, name)('a-bucket', 'k')\n",
                   [(3, 9, "dynamic-access")]),
    "star.py": ("from infrar.storage import *\n", [(1, 1, "star-import")]),
    "unknown.py": ("from infrar.storage import copy_object\nimport infrar.nosuchdomain\n",
                   [(1, 28, "unknown-name"), (2, 8, "unknown-name")]),
    "runtime_only.py": ("import infrar\nwith infrar.use_provider('aws'):\n    pass\n", [(2, 6, "runtime-only")]),
    "ambiguous.py": ("import os\nif os.environ.get('X'):\n    from infrar.storage import exists\nelse:\n"
                     "    def exists(bucket, key):\n        return False\nexists('a-bucket', 'k')\n",
                     [(7, 1, "ambiguous-name")]),
    "syntax.py": ("from infrar import storage\ndef f(:\n    pass\n", [(2, 7, "syntax-error")]),
    "plain_import.py": ("import infrar\ninfrar.storage.write_bytes('p-bucket', 'k', b'x')\n",
                        [(2, 1, "unsupported-binding")]),
    "deleted.py": ("from infrar import storage\nstorage.exists('d-bucket', 'k')\ndel storage\n",
                   [(3, 5, "unsupported-binding")]),
    "class_body.py": ("class Repo:\n    import infrar.storage as backend\n", [(2, 12, "unsupported-binding")]),
    "optional.py": ("try:\n    from infrar import storage\nexcept ImportError:\n    storage = None\n",
                    [(2, 5, "unsupported-binding")]),
    "lib/__init__.py": ("from infrar import storage\n__all__ = ['storage']\n", [(2, 12, "re-export")]),
    "uses_lib.py": ("import lib\nfrom lib import storage\nlib.storage.exists('r-bucket', 'k')\n",
                    [(2, 1, "re-export"), (3, 1, "re-export")]),
}
_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: .+; fix: .+$")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("refusals") / "src"
    for rel, (text, _expected) in BAD.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text, encoding="utf-8")
    return src


def _erase(src: Path, provider: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFRAR_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "infrar.erase", "--provider", provider, str(src), "-o", str(src.parent / "out"),
         *extra],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_refusal_names_its_place_and_exits_2_on_every_provider(tree: Path, provider: str) -> None:
    done = _erase(tree, provider, "--format", "json")
    assert done.returncode == 2, done.stdout + done.stderr
    assert not (tree.parent / "out").exists()
    errors = [d for d in json.loads(done.stdout)["diagnostics"] if d["severity"] == "error"]
    found = sorted((Path(d["file"]).relative_to(tree).as_posix(), d["line"], d["column"], d["code"]) for d in errors)
    expected = sorted((rel, *where) for rel, (_text, places) in BAD.items() for where in places)
    assert found == expected
    assert all(d["message"] and d["fix"] for d in errors)


def test_the_text_report_gives_file_line_col_and_a_fix_for_each(tree: Path) -> None:
    done = _erase(tree, "aws")
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(lines) == sum(len(places) for _text, places in BAD.values())
    for line in lines:
        match = _LINE.match(line)
        assert match is not None, line
        assert Path(match["file"]).is_relative_to(tree)
