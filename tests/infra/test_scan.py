"""`infrar scan`: resource names from infrar calls (ast, aliases), missing ones, --write."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from infrar.infra import scan_cli
from infrar.infra.project import ProjectError, load_project, parse_project
from infrar.infra.scan import Use, add_resources, missing, scan, scan_source

APP = '''\
import infrar.storage as st
from infrar.storage import upload as put
from infrar import messaging
import infrar.database
from infrar.data import query as warehouse_query

put(bucket="uploads", source="a.txt", destination="a.txt")
st.read_bytes("reports", "k")
messaging.publish(topic="order-events", message={})
messaging.send_message("jobs", {"id": 1})
messaging.subscribe("order-events", handler=print)
infrar.database.query(database="orders-db", sql="select 1")
warehouse_query("analytics", "select 1")
name = compute()
st.upload(bucket=name, source="a", destination="b")
print("upload(bucket='not-infrar')")
other.upload(bucket="not-infrar-either")


def handler():
    from infrar.cache import get
    return get(cache="sessions", key="k")
'''


def test_finds_literal_names_through_every_kind_of_import() -> None:
    result = scan_source(APP, "app.py")
    found = [(u.kind, u.name, u.line, u.call) for u in result.uses]
    assert found == [
        ("bucket", "uploads", 7, "infrar.storage.upload"),
        ("bucket", "reports", 8, "infrar.storage.read_bytes"),
        ("topic", "order-events", 9, "infrar.messaging.publish"),
        ("queue", "jobs", 10, "infrar.messaging.send_message"),
        ("topic", "order-events", 11, "infrar.messaging.subscribe"),
        ("database", "orders-db", 12, "infrar.database.query"),
        ("warehouse", "analytics", 13, "infrar.data.query"),
        ("cache", "sessions", 22, "infrar.cache.get"),
    ]
    assert result.uses[0] == Use("bucket", "uploads", "app.py", 7, 12, "infrar.storage.upload")
    (dynamic,) = result.dynamic
    assert (dynamic.kind, dynamic.line, dynamic.expression) == ("bucket", 15, "name")


def test_no_infrar_import_means_no_uses() -> None:
    assert scan_source("from storage import upload\nupload(bucket='b-one')\n").uses == ()


def test_syntax_error_is_reported_with_location() -> None:
    result = scan_source("def f(:\n", "bad.py")
    assert result.errors and result.errors[0].startswith("bad.py:1:")


def test_missing_and_conflicts() -> None:
    project = parse_project("resources:\n  - {name: uploads, type: bucket}\n  - {name: jobs, type: topic}\n")
    result = scan_source(APP + "st.exists('Bad_Bucket', 'k')\n", "app.py")
    absent, conflicts = missing(project, result)
    assert absent == [("bucket", "reports"), ("topic", "order-events"), ("database", "orders-db"),
                      ("warehouse", "analytics"), ("cache", "sessions")]
    assert conflicts[0] == ("app.py:10:24: 'jobs' is used as a queue but project.yaml declares it as a topic; "
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


def test_cli_reports_then_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "app.py").write_text(APP)
    (src / ".venv").mkdir()
    (src / ".venv" / "ignored.py").write_text("import infrar.storage as s\ns.exists('ignored-bucket', 'k')\n")
    project = tmp_path / "project.yaml"
    project.write_text(PROJECT)
    assert run(str(src), "--project", str(project)) == 1
    out = capsys.readouterr().out
    assert "scanned 1 file(s): 7 resource(s) named in infrar calls" in out  # order-events twice
    assert f"  bucket    reports                        used at {src / 'pkg' / 'app.py'}:8:15" in out
    assert "dynamic bucket name 'name'" in out and "ignored-bucket" not in out
    assert "run again with --write" in out
    assert run(str(src), "--project", str(project), "--write") == 0
    assert "added 6 resource(s)" in capsys.readouterr().out
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
