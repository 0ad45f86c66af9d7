"""`infrar scan` against project.yaml: missing resources, conflicts, --write (atomic, comments kept), the CLI."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infrar import plugins
from infrar.infra import scan_cli
from infrar.infra.project import ProjectError, load_project, parse_project
from infrar.infra.scan import add_resources, missing, scan, scan_source
from tests.infra.test_scan import APP


def test_missing_and_conflicts(demo: plugins.Plugin) -> None:
    project = parse_project("resources:\n  - {name: uploads, type: bucket}\n  - {name: jobs, type: topic}\n")
    result = scan_source(APP + "st.exists('Bad_Bucket', 'k')\n", "app.py")
    absent, conflicts = missing(project, result)
    assert absent == [("bucket", "reports"), ("bucket", "archive"), ("topic", "order-events"),
                      ("database", "main"), ("database", "orders-db"), ("warehouse", "analytics"),
                      ("cache", "sessions"), ("cache", "default-cache"), ("topic", "audit")]
    assert conflicts[0] == ("app.py:14:27: 'jobs' is used as a queue but project.yaml declares it as a topic; "
                            "rename one of them")
    assert "'Bad_Bucket' is not valid on every cloud" in conflicts[1]
PROJECT = """\
# the shop
name: shop   # keep this comment
capabilities:
  - name: web
    type: web_application
    config: {container_image: x}

resources:
  - name: uploads   # user data
    type: bucket
    versioning: true

usage:
  uploads: {storage_gb: 5}
"""


def test_write_appends_to_the_block_list_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(PROJECT)
    add_resources(path, [("queue", "jobs"), ("cache", "sessions")])
    text = path.read_text()
    assert text.startswith(PROJECT.split("    type: bucket")[0]) and text.endswith(PROJECT.split("true\n")[1])
    assert "    versioning: true\n  - name: jobs\n    type: queue\n  - name: sessions\n    type: cache\n" in text
    assert "# keep this comment" in text and "# user data" in text
    project = load_project(path)
    assert [(r.kind, r.name) for r in project.resources] == [
        ("bucket", "uploads"), ("queue", "jobs"), ("cache", "sessions")]
    assert project.usage == {"uploads": {"storage_gb": 5.0}}


@pytest.mark.parametrize("before", [
    "name: shop\n",
    "name: shop\nresources: []\n",
    "name: shop\nresources: [{name: uploads, type: bucket}]\n",
    "name: shop\nresources:\nusage: {}\n",
    "",
])
def test_write_handles_every_shape_of_resources(tmp_path: Path, before: str) -> None:
    path = tmp_path / "project.yaml"
    if before:
        path.write_text(before)
    add_resources(path, [("queue", "jobs")])
    assert ("queue", "jobs") in {(r.kind, r.name) for r in load_project(path).resources}


def test_write_refuses_to_produce_an_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(PROJECT)
    with pytest.raises(ProjectError):
        add_resources(path, [("bucket", "uploads")])  # duplicate name
    assert path.read_text() == PROJECT
    assert not list(tmp_path.glob(".*.tmp"))


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="infrar scan")
    scan_cli.configure(parser)
    return scan_cli.run(parser.parse_args(list(argv)))


def test_cli_reports_then_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str], demo: plugins.Plugin) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "app.py").write_text(APP)
    (src / ".venv").mkdir()
    (src / ".venv" / "ignored.py").write_text("import infrar.storage as s\ns.exists('ignored-bucket', 'k')\n")
    project = tmp_path / "project.yaml"
    project.write_text(PROJECT)
    assert run(str(src), "--project", str(project)) == 1
    out = capsys.readouterr().out
    assert "scanned 1 file(s): 11 resource(s) named in infrar calls" in out  # archive twice
    assert f"  bucket    reports                        used at {src / 'pkg' / 'app.py'}:10:15" in out
    assert f"  database  main                           used at {src / 'pkg' / 'app.py'}:15:1" in out
    assert "dynamic bucket name 'name'" in out and "ignored-bucket" not in out and "select" not in out
    assert "run again with --write" in out
    assert run(str(src), "--project", str(project), "--write") == 0
    assert "added 10 resource(s)" in capsys.readouterr().out
    assert run(str(src), "--project", str(project)) == 0
    assert "all of them are declared" in capsys.readouterr().out
    assert scan(src).files == 1


def test_cli_write_reminds_that_uses_must_list_a_new_resource(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text("import infrar.storage as st\nst.exists('reports', 'k')\n")
    project = tmp_path / "project.yaml"
    project.write_text(PROJECT.replace("    config: {container_image: x}\n",
                                       "    config: {container_image: x}\n    uses: [uploads]\n"))
    assert run(str(tmp_path), "--project", str(project), "--write") == 0
    assert "capabilities with uses: (web) reach a new resource only once it is listed there" in \
        capsys.readouterr().out


def test_infrar_scan_command_resolves_constants_and_skips_shadowed_names(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from infrar import storage\n\nBUCKET = 'photos'\n\n\n"
        "def thumbnails(storage):\n    storage.exists('shadowed-bucket', 'k')\n\n\n"
        "storage.exists(BUCKET, 'k')\n"
        "from infrar.storage import *\n"
    )
    (tmp_path / "project.yaml").write_text("name: shop\n")
    command = Path(sys.executable).with_name("infrar")
    result = subprocess.run([str(command), "scan", "app.py"], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ}, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "  bucket    photos                         used at app.py:10:16\n" in result.stdout
    assert "shadowed-bucket" not in result.stdout
    assert "  skipped app.py:11:1: 'from infrar.storage import *' hides which names" in result.stdout


def test_scan_needs_no_libcst(tmp_path: Path) -> None:
    # infrar scan is part of the core install: erase's resolver it shares uses only the stdlib ast
    (tmp_path / "app.py").write_text("from infrar import storage\nstorage.exists('reports', 'k')\n")
    blocked = (
        "import sys\n"
        "class Blocked:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'libcst':\n"
        "            raise ImportError('libcst is not installed in this run')\n"
        "sys.meta_path.insert(0, Blocked())\n"
        "sys.argv = ['infrar', 'scan', 'app.py']\n"
        "from infrar.cli import main\n"
        "sys.exit(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "  bucket    reports" in result.stdout
