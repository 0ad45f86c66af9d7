"""`infrar scan`: which calls are infrar (erase's resolver), which argument names the resource
(plugin.yaml, bound like Python binds it), and which values are fixed by the module."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from infrar import plugins
from infrar.erase.catalog import Catalog
from infrar.infra.scan import Use, scan, scan_source

APP = '''\
import infrar.storage as st
from infrar.storage import upload as put
from infrar import storage
import infrar.aws.s3
import scan_demo
from scan_demo import publish, query as sql_query
from scan_demo.warehouse import run

put(bucket="uploads", source="a.txt", destination="a.txt")
st.read_bytes("reports", "k")
storage.exists(key="k", bucket="archive")
infrar.aws.s3.enable_versioning("archive")
publish({}, topic="order-events")
scan_demo.send({"id": 1}, "jobs")
sql_query("select 1")
sql_query("select 1", "orders-db")
scan_demo.query(sql="select 2", database="orders-db")
run("select 3", "analytics")
scan_demo.fetch("k", "sessions")
scan_demo.fetch("k")
scan_demo.send({"id": 2})
name = compute()
st.upload(bucket=name, source="a", destination="b")
print("upload(bucket='not-infrar')")
other.upload(bucket="not-infrar-either")


def handler():
    from scan_demo import publish as emit
    return emit({}, topic="audit")
'''


def _found(text: str) -> list[tuple[str, str, int]]:
    return [(u.kind, u.name, u.line) for u in scan_source(textwrap.dedent(text), "app.py").uses]


def test_resource_arguments_come_from_the_manifest_bound_like_python(demo: plugins.Plugin) -> None:
    result = scan_source(APP, "app.py")
    assert [(u.kind, u.name, u.line, u.call) for u in result.uses] == [
        ("bucket", "uploads", 9, "infrar.storage.upload"),
        ("bucket", "reports", 10, "infrar.storage.read_bytes"),
        ("bucket", "archive", 11, "infrar.storage.exists"),  # keyword, not the first argument
        ("bucket", "archive", 12, "infrar.aws.s3.enable_versioning"),
        ("topic", "order-events", 13, "scan_demo.publish"),  # keyword-only
        ("queue", "jobs", 14, "scan_demo.send"),  # second positional
        ("database", "main", 15, "scan_demo.query"),  # query(sql): the default database, not the sql
        ("database", "orders-db", 16, "scan_demo.query"),
        ("database", "orders-db", 17, "scan_demo.query"),
        ("warehouse", "analytics", 18, "scan_demo.warehouse.run"),  # nested namespace, positional-only
        ("cache", "sessions", 19, "scan_demo.fetch"),  # signature read from the adapter, `self` dropped
        ("cache", "default-cache", 20, "scan_demo.fetch"),
        ("topic", "audit", 30, "scan_demo.publish"),  # imported inside a function, aliased
    ]
    assert result.uses[0] == Use("bucket", "uploads", "app.py", 9, 12, "infrar.storage.upload")
    assert result.uses[6] == Use("database", "main", "app.py", 15, 1, "scan_demo.query")  # at the call
    (dynamic,) = result.dynamic
    assert (dynamic.kind, dynamic.line, dynamic.column, dynamic.expression) == ("bucket", 23, 18, "name")
    assert result.errors == ()


def test_a_star_or_double_star_argument_is_dynamic(demo: plugins.Plugin) -> None:
    result = scan_source("import scan_demo\nscan_demo.query(*args)\nscan_demo.publish({}, **options)\n"
                         "scan_demo.query('select 1', *rest)\n")
    assert [(d.kind, d.line, d.expression) for d in result.dynamic] == [
        ("database", 2, "*args"), ("topic", 3, "**options"), ("database", 4, "*rest")]
    assert result.uses == ()


def test_a_function_without_a_resource_in_its_manifest_names_none() -> None:
    # the example third-party plugin (tests/plugins) declares no resource for put/get
    assert "infrar_example_kv" in {p.api for p in plugins.registry().values()}
    assert scan_source("import infrar_example_kv as kv\nkv.put('settings', 'k', 1)\n").uses == ()


def test_a_resource_declared_on_a_plugin_object_is_read() -> None:
    kv = plugins.get("kv")
    table = plugins.Resource(parameter="table", kind="table")
    catalog = Catalog({"kv": dataclasses.replace(kv, resources={"infrar_example_kv.put": table})})
    result = scan_source("from infrar_example_kv import put\nput('settings', key='k', value=1)\n", catalog=catalog)
    assert [(u.kind, u.name, u.call) for u in result.uses] == [("table", "settings", "infrar_example_kv.put")]


SHADOWS = '''\
from infrar import storage
from infrar.storage import exists


def local_dict():
    storage = {"upload": print}
    storage.upload("local-dict", "a", "b")


def parameter(storage, exists):
    storage.upload("param-storage", "a", "b")
    exists("param-exists", "k")


def comprehension(stores):
    return [storage.exists("comprehension", "k") for storage in stores]


handler = lambda exists: exists("lambda-param", "k")


class Holder:
    storage = {}

    def method(self):
        return storage.exists("method-sees-module", "k")


storage.exists("module-level", "k")
exists("module-exists", "k")
'''


def test_a_local_that_shadows_an_import_is_not_infrar() -> None:
    assert _found(SHADOWS) == [("bucket", "method-sees-module", 26), ("bucket", "module-level", 29),
                               ("bucket", "module-exists", 30)]


@pytest.mark.parametrize("text", [
    """
    try:
        from infrar import storage
    except ImportError:
        storage = None
    storage.exists("may-be-infrar", "k")
    """,
    """
    from infrar import storage
    def reset():
        global storage
        storage = None
    def use():
        storage.exists("may-be-infrar", "k")
    """,
    """
    def outer():
        from infrar import storage
        def inner():
            nonlocal storage
            storage = None
        storage.exists("may-be-infrar", "k")
    """,
])
def test_a_name_that_may_be_infrar_is_read_as_infrar(text: str) -> None:
    # erase refuses these (it cannot tell which code to emit); declaring the bucket is harmless
    assert [name for _kind, name, _line in _found(text)] == ["may-be-infrar"]


def test_global_and_nonlocal_rebind_where_they_say() -> None:
    text = """
    from infrar import storage
    def shadow():
        storage = None
        def inner():
            nonlocal storage
            storage = {}
        storage.exists("local-chain", "k")
    def match_capture(value):
        match value:
            case {"store": storage}:
                storage.exists("captured", "k")
    storage.exists("module", "k")
    """
    assert [name for _kind, name, _line in _found(text)] == ["module"]


def test_a_star_import_of_infrar_is_reported_and_the_rest_still_scanned() -> None:
    result = scan_source("from infrar.storage import *\nimport infrar.storage as st\nst.exists('kept', 'k')\n"
                         "exists('hidden', 'k')\n", "star.py")
    assert [u.name for u in result.uses] == ["kept"]
    assert result.errors == ("star.py:1:1: 'from infrar.storage import *' hides which names the code calls, "
                             "so they are not scanned; import the names you use instead",)


CONSTANTS = '''\
from infrar import storage

BUCKET = "photos"
PREFIX: str = "shop"
LOGS = f"{PREFIX}-logs"
BACKUPS = PREFIX + "-backups"
SHARD = f"shard-{3:02d}-{PREFIX!r}"
FIRST = SECOND = "chained"
MOVED = "first"
MOVED = "second"
SWAPPED = "swapped"
LOOPED = "looped"
for LOOPED in ("a", "b"):
    pass


def swap():
    global SWAPPED
    SWAPPED = "other"


def shadowed(BUCKET):
    storage.exists(BUCKET, "k")


def reads_module():
    storage.exists(BUCKET, "k")


storage.exists(LOGS, "k")
storage.exists(BACKUPS, "k")
storage.exists(SHARD, "k")
storage.exists(SECOND, "k")
storage.exists(f"{BUCKET}-thumbs", "k")
storage.exists(MOVED, "k")
storage.exists(SWAPPED, "k")
storage.exists(LOOPED, "k")
storage.exists(BUCKET.upper(), "k")
storage.exists(UNDEFINED, "k")
'''


def test_module_constants_assigned_once_are_resolved_and_the_rest_stay_dynamic() -> None:
    result = scan_source(CONSTANTS, "app.py")
    assert [(u.name, u.line, u.column) for u in result.uses] == [
        ("photos", 27, 20), ("shop-logs", 30, 16), ("shop-backups", 31, 16), ("shard-03-'shop'", 32, 16),
        ("chained", 33, 16), ("photos-thumbs", 34, 16)]
    assert [(d.line, d.expression) for d in result.dynamic] == [
        (23, "BUCKET"), (35, "MOVED"), (36, "SWAPPED"), (37, "LOOPED"), (38, "BUCKET.upper()"), (39, "UNDEFINED")]


def test_scan_walks_a_tree_with_one_catalog(tmp_path: Path, demo: plugins.Plugin) -> None:
    root = tmp_path / "src"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "app.py").write_text(APP)
    (root / "pkg" / "consts.py").write_text(CONSTANTS)
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "skipped.py").write_text("import infrar.storage as s\ns.exists('skipped', 'k')\n")
    result = scan(root)
    assert result.files == 2
    assert {u.name for u in result.uses} >= {"orders-db", "photos"} and "skipped" not in {u.name for u in result.uses}


def test_syntax_error_is_reported_with_location() -> None:
    result = scan_source("def f(:\n", "bad.py")
    assert result.errors and result.errors[0].startswith("bad.py:1:") and "syntax error" in result.errors[0]
