"""A third-party plugin's functions are erasable with no change to erase (tests/plugins/...),
and a nested api module's functions map to their own adapter methods."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import libcst as cst
import pytest

from infrar import plugins
from infrar.erase.adapters import Library
from infrar.erase.catalog import Catalog, Function, ModuleRef, TypeDef
from infrar.erase.tree import erase_tree
from tests.erase._support import assert_no_infrar, run

PLUGIN_DIR = Path(__file__).resolve().parents[1] / "plugins" / "infrar_example_plugin"

PROGRAM = textwrap.dedent(
    """
    import infrar_example_kv as kv
    from infrar_example_kv import get
    from infrar.errors import NotFound

    kv.put("sessions", "alice", {"n": 1})
    print(get("sessions", "alice"))
    try:
        get("sessions", "bob")
    except NotFound:
        print("no bob")
    """
)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, plugins.Plugin]:
    monkeypatch.syspath_prepend(str(PLUGIN_DIR))
    found = dict(plugins.registry())
    found["kv"] = plugins.load_package_manifest("infrar_example_kv")
    return found


def _installed() -> bool:
    return any(e.value == "infrar_example_kv" for e in metadata.entry_points(group="infrar.plugins"))


def test_third_party_plugin_erases_and_runs_without_infrar(tmp_path: Path, registry: dict[str, plugins.Plugin]) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text(PROGRAM, encoding="utf-8")
    out = tmp_path / "out"
    report = erase_tree(src, out, "local", plugins=registry, jobs=1)
    assert report.ok, report.as_text()
    assert report.plugins == {"infrar-example-kv": "1.2.0"}
    erased = (out / "app.py").read_text(encoding="utf-8")
    assert_no_infrar(erased)
    assert "infrar_example_kv" not in erased
    assert "def _put(table: str, key: str, value: Any) -> None:" in erased
    result = run(out / "app.py", tmp_path / "erased-root", blocked=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "{'n': 1}\nno bob\n"
    if _installed():
        runtime = run(src / "app.py", tmp_path / "runtime-root", blocked=False)
        assert runtime.stdout == result.stdout, runtime.stderr


def test_third_party_plugin_without_adapter_is_an_error(tmp_path: Path, registry: dict[str, plugins.Plugin]) -> None:
    src = tmp_path / "app.py"
    src.write_text(PROGRAM, encoding="utf-8")
    report = erase_tree(src, None, "aws", plugins=registry, check=True, jobs=1)
    found = [(d.line, d.col, d.code) for d in report.errors]
    assert found == [(6, 1, "no-adapter"), (7, 7, "no-adapter"), (9, 5, "no-adapter")]
    assert report.errors[0].message == (
        "infrar_example_kv.put has no aws adapter (plugin infrar-example-kv 1.2.0 offers: local)"
    )


NESTED: dict[str, str] = {
    "nested_pkg/__init__.py": "def list_tables(schema: str) -> list[str]: ...\n",
    "nested_pkg/catalog.py": "def list_tables(database: str) -> list[str]: ...\n",
    "nested_pkg/types.py": (
        "from dataclasses import dataclass\n\n@dataclass\nclass Table:\n    name: str\n\n"
        "async def fetch() -> None: ...\n\nAlias = Table\nLIMIT: int = 3\n_private = 1\na = b = 2\n"
    ),
    "nested_pkg/local.py": (
        "class LocalNested:\n"
        "    def list_tables(self, schema: str) -> list[str]:\n        return ['top:' + schema]\n\n"
        "    def catalog_list_tables(self, database: str) -> list[str]:\n        return ['catalog:' + database]\n"
    ),
    "nested_pkg/plugin.yaml": (
        "name: nested\nversion: 1.0.0\ndomain: nested\napi: nested_pkg\n"
        "provides: {transformations: [nested_pkg.list_tables, nested_pkg.catalog.list_tables]}\n"
        "adapters: {local: nested_pkg.local:LocalNested}\n"
    ),
}


@pytest.fixture
def nested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> plugins.Plugin:
    """A plugin whose api has ``list_tables`` twice: at the top and in a nested ``catalog`` module."""
    for name, text in NESTED.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return plugins.load_package_manifest("nested_pkg")


def test_nested_namespace_functions_map_to_distinct_adapter_methods(nested: plugins.Plugin) -> None:
    found = Catalog({"nested": nested})
    top, inner = found.resolve("nested_pkg.list_tables"), found.resolve("nested_pkg.catalog.list_tables")
    assert isinstance(top, Function) and isinstance(inner, Function)
    assert (top.name, inner.name) == ("list_tables", "list_tables")
    assert (top.method, inner.method) == ("list_tables", "catalog_list_tables")
    assert isinstance(found.resolve("nested_pkg.catalog"), ModuleRef)
    library = Library(found)
    target = nested.adapters["local"]
    codes = [library.method(target, f.method) for f in (top, inner)]
    assert [c.name for c in codes] == ["LocalNested.list_tables", "LocalNested.catalog_list_tables"]
    bodies = [cst.Module([]).code_for_node(library.definition(c).node) for c in codes]
    assert "'top:'" in bodies[0] and "'catalog:'" in bodies[1]


def test_types_module_definitions_are_read_without_libcst(nested: plugins.Plugin, tmp_path: Path) -> None:
    found = Catalog({"nested": nested})
    types = sorted(q for q, e in found.entities.items() if isinstance(e, TypeDef) and q.startswith("nested_pkg.types"))
    assert types == ["nested_pkg.types.Alias", "nested_pkg.types.LIMIT", "nested_pkg.types.Table",
                     "nested_pkg.types.fetch"]
    code = (
        "import sys\nsys.modules['libcst'] = None\n"  # importing libcst now raises ImportError
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from infrar import plugins\nfrom infrar.erase.catalog import Catalog, TypeDef\n"
        "found = Catalog({'nested': plugins.load_package_manifest('nested_pkg')})\n"
        "print(isinstance(found.resolve('nested_pkg.types.Table'), TypeDef))\n"
        # the api module does not import Table: `from nested_pkg import Table` fails at run time
        "print(found.resolve('nested_pkg.Table'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout == "True\nNone\n", result.stderr
