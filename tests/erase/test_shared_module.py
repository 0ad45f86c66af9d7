"""A tree whose modules copy definitions gets them once, in one private module (shared.py):
each module imports what it calls from there, the process builds one client, and names stay
clear of every module's own."""

from __future__ import annotations

import ast
import textwrap
import uuid
from pathlib import Path

from infrar.erase.tree import erase_tree
from infrar.testing.services import ServiceRegistry
from tests.erase._support import assert_no_infrar, run

FILES = {
    "writer.py": """
        from infrar import storage


        def save(bucket, key, data):
            storage.write_bytes(bucket, key, data)
        """,
    "reader.py": """
        from infrar.storage import read_bytes, exists


        def write_bytes(text):  # the module's own: the shared write_bytes must not take its name
            return text.encode()


        def load(bucket, key):
            return read_bytes(bucket, key) if exists(bucket, key) else None
        """,
    "main.py": """
        import os
        import sys

        import reader
        import writer

        BUCKET = os.environ["APP_BUCKET"]


        writer.save(BUCKET, "a", reader.write_bytes("one"))
        print(reader.load(BUCKET, "a"), reader.load(BUCKET, "b"))
        if "_cloud" in sys.modules:  # only in the erased tree: one client for both modules
            print("clients:", sum(1 for v in vars(sys.modules["_cloud"]).values() if type(v).__name__ == "S3"))
        """,
}


def _tree(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def test_definitions_live_once_and_each_module_imports_them(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src")
    out = tmp_path / "out"
    assert erase_tree(src, out, "aws").ok
    shared = (out / "_cloud.py").read_text(encoding="utf-8")
    assert shared.count("session.client(") == 1 and shared.count("\ndef check_key(") == 1
    for rel in ("writer.py", "reader.py"):
        text = (out / rel).read_text(encoding="utf-8")
        assert_no_infrar(text)
        assert "boto3" not in text and "def check" not in text
    assert "from _cloud import storage_write_bytes\n" in (out / "writer.py").read_text(encoding="utf-8")
    assert "from _cloud import exists, read_bytes\n" in (out / "reader.py").read_text(encoding="utf-8")
    assert "write_bytes" in _defined(out / "reader.py") and "write_bytes" not in _defined(out / "_cloud.py")


def test_the_erased_tree_runs_like_the_runtime_with_one_client(
    tmp_path: Path, infrar_emulators: ServiceRegistry
) -> None:
    src = _tree(tmp_path / "src")
    out = tmp_path / "out"
    assert erase_tree(src, out, "aws").ok
    emulator = infrar_emulators.for_provider("aws")
    outputs = []
    for main, blocked in ((src / "main.py", False), (out / "main.py", True)):
        bucket = f"shared-{uuid.uuid4().hex[:12]}"
        emulator.create_bucket(bucket)
        try:
            done = run(main, tmp_path / "unused", blocked, "aws", {**emulator.environment(), "APP_BUCKET": bucket})
        finally:
            emulator.delete_bucket(bucket)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == "b'one' None\n"
    assert outputs[1] == "b'one' None\nclients: 1\n"
