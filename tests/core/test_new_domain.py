"""A new domain is a new package: nothing under infrar/ changes for it to dispatch, erase, scan,
be diagnosed by doctor and pass the conformance check.

The plugin below is written to a temporary directory with a ``.dist-info`` holding its
``infrar.plugins`` entry point, which is all ``pip install`` would add; it has two top-level
functions, a nested-namespace function with the same last name as one of them, a returned
value type with a method, and a client per resource in its own service module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrar import plugins
from infrar.infra.scan import scan
from infrar.testing.conformance import problems
from tests.erase._support import assert_no_infrar
from tests.plugin_site import installed as installed_from
from tests.plugin_site import write_site

FILES: dict[str, str] = {
    "scratch_notes/__init__.py": '''
        """Notes kept in notebooks: a throwaway domain."""

        from __future__ import annotations

        from infrar.dispatch import adapter as _adapter
        from scratch_notes.types import Note

        __all__ = ["Note", "add", "count"]


        def add(notebook: str, text: str, pinned: bool = False) -> Note:
            """Append a note to ``notebook``."""
            note: Note = _adapter("notes").add(notebook, text, pinned)
            return note


        def count(notebook: str) -> int:
            """How many notes ``notebook`` holds."""
            found: int = _adapter("notes").count(notebook)
            return found
        ''',
    "scratch_notes/admin.py": '''
        """Housekeeping: same last name as scratch_notes.count, another function."""

        from __future__ import annotations

        from infrar.dispatch import adapter as _adapter


        def count(notebook: str, pinned_only: bool = True) -> int:
            """How many pinned (or all, with pinned_only=False) notes ``notebook`` holds."""
            found: int = _adapter("notes").admin_count(notebook, pinned_only)
            return found
        ''',
    "scratch_notes/types.py": '''
        from __future__ import annotations

        from typing import NamedTuple


        class Note(NamedTuple):
            notebook: str
            text: str
            pinned: bool

            def headline(self) -> str:
                return self.text.splitlines()[0].upper()
        ''',
    "scratch_notes/_clients/__init__.py": '''
        """How the local notes adapter reaches its notebooks."""
        ''',
    "scratch_notes/_clients/books.py": '''
        """One notebook file per notebook name, chosen once per process (NOTES_ROOT, or
        NOTES_PATH_<NAME> for a notebook kept elsewhere)."""

        from __future__ import annotations

        import os
        import threading
        from pathlib import Path

        _lock = threading.Lock()
        _books: dict[str, Path] = {}


        def client(notebook: str) -> Path:
            found = _books.get(notebook)
            if found is None:
                with _lock:
                    found = _books.setdefault(notebook, _locate(notebook))
            return found


        def _locate(notebook: str) -> Path:
            own = os.environ.get(f"NOTES_PATH_{notebook.upper()}")
            if own:
                return Path(own)
            return Path(os.environ.get("NOTES_ROOT") or ".notes") / f"{notebook}.jsonl"


        def reset() -> None:
            global _lock
            _books.clear()
            _lock = threading.Lock()
        ''',
    "scratch_notes/local.py": '''
        from __future__ import annotations

        import json

        from infrar.errors import InvalidArgument
        from scratch_notes._clients import books
        from scratch_notes.types import Note


        def _lines(notebook: str) -> list[dict[str, object]]:
            path = books.client(notebook)
            if not path.exists():
                return []
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


        class LocalNotes:
            def add(self, notebook: str, text: str, pinned: bool = False) -> Note:
                if not notebook.isidentifier():
                    raise InvalidArgument(f"notebook name {notebook!r} must be an identifier, e.g. 'ideas'")
                path = books.client(notebook)
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps({"text": text, "pinned": pinned}) + "\\n")
                return Note(notebook, text, pinned)

            def count(self, notebook: str) -> int:
                return len(_lines(notebook))

            def admin_count(self, notebook: str, pinned_only: bool = True) -> int:
                return sum(1 for line in _lines(notebook) if line["pinned"] or not pinned_only)
        ''',
    "scratch_notes/plugin.yaml": '''
        name: scratch-notes
        version: 0.3.0
        description: Notes in notebooks (a throwaway domain for tests)
        domain: notes
        api: scratch_notes
        dependencies: []
        provides:
          capabilities: []
          transformations:
            - name: scratch_notes.add
              resource: {parameter: notebook, kind: notebook}
            - name: scratch_notes.count
              resource: {parameter: notebook, kind: notebook}
            - name: scratch_notes.admin.count
              resource: {parameter: notebook, kind: notebook}
          modules: []
        adapters:
          local: scratch_notes.local:LocalNotes
        requirements:
          local: []
        variables:
          local: [NOTES_ROOT]
        sdk_modules:
          local: [json, scratch_notes_missing_sdk]
        ''',
    "scratch_notes-0.3.0.dist-info/METADATA": """
        Metadata-Version: 2.1
        Name: scratch-notes
        Version: 0.3.0
        """,
    "scratch_notes-0.3.0.dist-info/entry_points.txt": """
        [infrar.plugins]
        notes = scratch_notes
        """,
}

PROGRAM = '''
import scratch_notes
from scratch_notes import admin
from scratch_notes.admin import count as pinned_count
from infrar.errors import InvalidArgument

BOOK = "ideas"

note = scratch_notes.add(BOOK, "ship it\\nsoon", pinned=True)
print(note.headline(), note.pinned)
scratch_notes.add(BOOK, "later")
print(scratch_notes.count(BOOK), admin.count(BOOK), pinned_count(BOOK, pinned_only=False))
try:
    scratch_notes.add("not a name", "x")
except InvalidArgument as exc:
    print("invalid:", exc)
'''

# The erased run: neither infrar nor the plugin package can be imported.
BLOCKED_RUN = """
import runpy, sys
class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("infrar", "scratch_notes"):
            raise ImportError(f"blocked in the erased run: {name}")
sys.meta_path.insert(0, _Blocked())
sys.argv = ["app.py"]
runpy.run_path("app.py", run_name="__main__")
"""

EXPECTED = "SHIP IT True\n2 1 2\ninvalid: notebook name 'not a name' must be an identifier, e.g. 'ideas'\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(tmp_path_factory.mktemp("scratch-site"), FILES)


@pytest.fixture
def installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[plugins.Plugin]:
    with installed_from(site, "notes", monkeypatch) as plugin:
        yield plugin


def _environment(site: Path, notes: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
            "INFRAR_PROVIDER": "local", "NOTES_ROOT": str(notes)}


def _python(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_new_domain_dispatches_at_runtime(site: Path, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PROGRAM, encoding="utf-8")
    result = _python(["app.py"], _environment(site, tmp_path / "notes"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED
    assert len((tmp_path / "notes" / "ideas.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_new_domain_erases_to_code_that_runs_without_infrar(site: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "app.py").write_text(PROGRAM, encoding="utf-8")
    env = _environment(site, tmp_path / "notes")
    erased = _python(["-m", "infrar.erase", "--provider", "local", str(src), "-o", str(out)], env, tmp_path)
    assert erased.returncode == 0, erased.stdout + erased.stderr
    code = (out / "app.py").read_text(encoding="utf-8")
    assert_no_infrar(code)
    assert "scratch_notes" not in code
    assert "def headline(self) -> str:" in code  # the value type came along, method included
    assert "NOTES_PATH_" in code  # the per-resource client builder was lifted from its service module
    # The two `count`s erased to their own adapter methods: the nested one counts pinned notes.
    assert code.count("len(_lines(BOOK))") == 1
    assert 'if line["pinned"] or not True' in code
    result = _python(["-c", BLOCKED_RUN], _environment(site, tmp_path / "erased-notes"), out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED


def test_new_domain_resources_are_scanned_from_its_manifest(installed: plugins.Plugin, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(PROGRAM, encoding="utf-8")
    result = scan(tmp_path)
    names = sorted({(use.kind, use.name, use.line) for use in result.uses})
    assert names == [("notebook", "ideas", 9), ("notebook", "ideas", 11), ("notebook", "ideas", 12),
                     ("notebook", "not a name", 14)]
    assert [(use.call, use.line) for use in result.uses if use.line == 12] == [
        ("scratch_notes.count", 12), ("scratch_notes.admin.count", 12), ("scratch_notes.admin.count", 12)
    ]


def test_doctor_reports_the_new_domains_sdk_and_variables(site: Path, tmp_path: Path) -> None:
    infrar_command = Path(sys.executable).with_name("infrar")
    env = {**_environment(site, tmp_path / "notes"), "NOTES_ROOT": "/secret/value/not/shown"}
    result = subprocess.run([str(infrar_command), "doctor"], capture_output=True, text=True, env=env, timeout=120)
    assert "scratch_notes_missing_sdk" in result.stdout, result.stdout + result.stderr
    assert "NOTES_ROOT" in result.stdout
    assert "/secret/value" not in result.stdout + result.stderr


def test_new_domain_conforms(installed: plugins.Plugin) -> None:
    assert installed.name == "scratch-notes"
    assert problems(installed) == []
    assert plugins.method_name(installed, "scratch_notes.admin.count") == "admin_count"
