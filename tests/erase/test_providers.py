"""Erasing to each cloud: native code only, SDK imports, and (on AWS, via moto) the same behaviour."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from infrar.erase.tree import REQUIREMENTS, erase_tree
from tests.erase._support import assert_no_infrar, run

PROGRAM = """\
import sys
from infrar import storage, errors

bucket = sys.argv[1] if len(sys.argv) > 1 else "prov-bucket"
storage.write_bytes(bucket, "a/1.txt", b"one")
print(storage.read_bytes(bucket, "a/1.txt"), storage.exists(bucket, "a/1.txt"))
print(storage.list_objects(bucket, prefix="a/"))
print([(o.key, o.size) for o in storage.iter_objects(bucket)])
try:
    storage.delete(bucket, "nope")
except errors.NotFound:
    print("not found")
"""

SDK = {"aws": "boto3", "gcp": "google.cloud", "azure": "azure.storage.blob"}
REQS = {"aws": ["boto3>=1.34"], "gcp": ["google-cloud-storage>=2.16"],
        "azure": ["azure-identity>=1.15", "azure-storage-blob>=12.19"]}


@pytest.mark.parametrize("provider", sorted(SDK))
def test_cloud_erase_is_native(tmp_path: Path, provider: str) -> None:
    src = tmp_path / "app.py"
    src.write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "out"
    report = erase_tree(src, out, provider)
    assert report.ok, report.as_text()
    code = (out / "app.py").read_text(encoding="utf-8")
    assert_no_infrar(code)
    compile(code, "app.py", "exec")
    imported = {
        (n.module if isinstance(n, ast.ImportFrom) else n.names[0].name) or ""
        for n in ast.walk(ast.parse(code)) if isinstance(n, (ast.Import, ast.ImportFrom))
    }
    assert any(m.startswith(SDK[provider]) for m in imported), imported
    lines = (out / REQUIREMENTS).read_text(encoding="utf-8").splitlines()
    assert lines[1:] == REQS[provider]


def test_aws_erased_matches_runtime_on_moto(tmp_path: Path, infrar_aws: object) -> None:
    bucket = infrar_aws.create_bucket()  # type: ignore[attr-defined]
    src = tmp_path / "app.py"
    src.write_text(PROGRAM.replace('"prov-bucket"', repr(bucket)), encoding="utf-8")
    out = tmp_path / "out"
    assert erase_tree(src, out, "aws").ok
    runtime = run(src, tmp_path / "r", blocked=False, provider="aws")
    assert runtime.returncode == 0, runtime.stderr
    erased = run(out / "app.py", tmp_path / "r", blocked=True, provider="aws")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout == runtime.stdout
    assert runtime.stdout.endswith("not found\n")
