"""Erasing a tree: copies, parallel erase, atomic output, requirements, manifest, idempotence."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from infrar.erase.tree import MANIFEST, REQUIREMENTS, erase_tree
from tests.erase._support import assert_no_infrar, run

APP = """\
from infrar import storage

storage.write_bytes("tree-bucket", "k", b"v")
print(storage.read_bytes("tree-bucket", "k"))
"""


def make_tree(root: Path, modules: int = 3) -> Path:
    src = root / "src"
    (src / "pkg" / "sub").mkdir(parents=True)
    (src / "main.py").write_text(APP, encoding="utf-8")
    for i in range(modules):
        (src / "pkg" / f"m{i}.py").write_text(
            f"import infrar.storage as st\n\n\ndef f{i}(b):\n    return st.exists(b, 'k{i}')\n", encoding="utf-8"
        )
    (src / "pkg" / "__init__.py").write_bytes(b"")
    (src / "pkg" / "sub" / "plain.py").write_bytes(b"# no infrar here\r\nx = 1  \r\n")
    (src / "pkg" / "sub" / "mentions.py").write_bytes(b"# infrar in a comment only\nx = 2\n")
    (src / "data.bin").write_bytes(bytes(range(256)))
    (src / "README.md").write_text("infrar is mentioned here\n", encoding="utf-8")
    return src


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_tree_erased_copied_and_runs_without_infrar(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    out = tmp_path / "out"
    report = erase_tree(src, out, "local", jobs=2)
    assert report.ok and report.written == str(out)
    files = tree_bytes(out)
    # several modules copy definitions: they share one private module (test_errors_mapping)
    assert sorted(files) == sorted([*tree_bytes(src), REQUIREMENTS, MANIFEST, "_cloud.py"])
    for rel in ("pkg/sub/plain.py", "pkg/sub/mentions.py", "data.bin", "README.md", "pkg/__init__.py"):
        assert files[rel] == (src / rel).read_bytes()
    assert report.changed == ["main.py", "pkg/m0.py", "pkg/m1.py", "pkg/m2.py"]
    assert_no_infrar(files["pkg/m0.py"].decode("utf-8"))
    result = run(out / "main.py", tmp_path / "root", blocked=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "b'v'\n"


def test_local_output_is_stdlib_only(tmp_path: Path) -> None:
    import ast

    out = tmp_path / "out"
    assert erase_tree(make_tree(tmp_path), out, "local").ok
    for path in out.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            own = [r for r in roots if (out / f"{r}.py").is_file()]  # the tree's private _cloud.py
            assert all(r in sys.stdlib_module_names for r in roots if r not in own), (path, ast.unparse(node))
    assert (out / REQUIREMENTS).read_text(encoding="utf-8").splitlines()[1:] == []


def test_requirements_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert erase_tree(make_tree(tmp_path), out, "aws").ok
    assert (out / REQUIREMENTS).read_text(encoding="utf-8") == (
        "# Native packages the erased code needs (infrar erase --provider aws)\nboto3>=1.34\n"
    )
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["provider"] == "aws"
    assert manifest["plugins"] == {"infrar-storage": "0.1.0"}
    assert manifest["infrar"] == "0.1.0"
    assert manifest["requirements"] == ["boto3>=1.34"]
    text = (out / MANIFEST).read_text(encoding="utf-8") + (out / "main.py").read_text(encoding="utf-8")
    assert "SECRET" not in text.upper().replace("AWS_SECRET_ACCESS_KEY", "")


def test_user_requirements_are_kept_and_infrar_dropped(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    (src / REQUIREMENTS).write_text("requests>=2\ninfrar[aws]>=0.1\n", encoding="utf-8")
    out = tmp_path / "out"
    assert erase_tree(src, out, "aws").ok
    assert (out / REQUIREMENTS).read_text(encoding="utf-8") == (
        "requests>=2\n# added by infrar erase --provider aws\nboto3>=1.34\n"
    )


@pytest.mark.parametrize("provider", ["local", "aws"])
def test_idempotent_and_deterministic(tmp_path: Path, provider: str) -> None:
    src = make_tree(tmp_path)
    first, second, again = tmp_path / "o1", tmp_path / "o2", tmp_path / "o3"
    assert erase_tree(src, first, provider, jobs=1).ok
    assert erase_tree(src, second, provider, jobs=3).ok
    assert tree_bytes(first) == tree_bytes(second)
    report = erase_tree(first, again, provider)
    assert report.ok and report.changed == []
    assert tree_bytes(again) == tree_bytes(first)


def test_nothing_written_on_error(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    (src / "pkg" / "bad.py").write_text("from infrar.storage import *\n", encoding="utf-8")
    out = tmp_path / "out"
    report = erase_tree(src, out, "local")
    assert not report.ok and report.written is None
    assert [d.code for d in report.errors] == ["star-import"]
    assert report.errors[0].file == str(src / "pkg" / "bad.py")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_previous_output_untouched_on_error(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    out = tmp_path / "out"
    assert erase_tree(src, out, "local").ok
    before = tree_bytes(out)
    (src / "broken.py").write_text("import infrar.storage\ndef f(:\n", encoding="utf-8")
    report = erase_tree(src, out, "local")
    assert [(d.code, d.line) for d in report.errors] == [("syntax-error", 2)]
    assert tree_bytes(out) == before


def test_existing_foreign_directory_is_not_replaced(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep", encoding="utf-8")
    report = erase_tree(src, out, "local")
    assert not report.ok and "non-empty directory that erase did not write" in report.errors[0].message
    assert (out / "precious.txt").read_text(encoding="utf-8") == "keep"


def test_out_inside_src_is_refused(tmp_path: Path) -> None:
    src = make_tree(tmp_path)
    report = erase_tree(src, src / "dist", "local")
    assert not report.ok and "overlap" in report.errors[0].message
    assert not (src / "dist").exists()


def test_single_file_src(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(APP, encoding="utf-8")
    out = tmp_path / "dist"
    assert erase_tree(app, out, "local").ok
    assert sorted(p.name for p in out.iterdir()) == ["app.py", MANIFEST, REQUIREMENTS]


def test_manifest_mismatch_is_warned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert erase_tree(make_tree(tmp_path), out, "local").ok
    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    data["plugins"]["infrar-storage"] = "0.0.1"
    (out / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    report = erase_tree(out, tmp_path / "again", "local", check=True)
    assert report.ok
    assert [d.message for d in report.diagnostics if d.severity == "warning"] == [
        "plugin infrar-storage was 0.0.1, installed is 0.1.0"
    ]
