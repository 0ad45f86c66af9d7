"""A third-party plugin's functions are erasable with no change to erase (tests/plugins/...)."""

from __future__ import annotations

import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from infrar import plugins
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
