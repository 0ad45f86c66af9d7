"""The public types of every API module erase to native definitions that behave the same.

`from infrar.data import Row` (a class the data API re-exports from the database plugin),
`infrar.data.Column`, `infrar.messaging.Message`, `infrar.database.Row` ...: every name an API
module exports that is not a function or a module is copied into the erased program, and the
program prints the same with infrar unimportable.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from infrar.erase.catalog import Catalog, TypeDef, exported_names, module_file
from tests.erase._support import assert_no_infrar, erase, run

PROVIDERS = ("local", "aws", "gcp", "azure")


def _exported_types() -> list[str]:
    """``api.Name`` for each name in an API module's ``__all__`` that erase copies as a type."""
    catalog = Catalog()
    found: list[str] = []
    for plugin in sorted(catalog.plugins.values(), key=lambda p: p.api):
        path = module_file(plugin.api)
        assert path is not None, plugin.api
        found += [f"{plugin.api}.{n}" for n in exported_names(path)
                  if isinstance(catalog.resolve(f"{plugin.api}.{n}"), TypeDef)]
    return found


EXPORTED = _exported_types()


def _program() -> str:
    lines = [f"from {q.rpartition('.')[0]} import {q.rpartition('.')[2]} as T{i}" for i, q in enumerate(EXPORTED)]
    lines.append("from infrar.data import Column, Row")
    lines.append("from infrar.database import Row as DatabaseRow")
    lines += [f"print({q!r}, getattr(T{i}, '__name__', type(T{i}).__name__))" for i, q in enumerate(EXPORTED)]
    lines += textwrap.dedent("""
        row = Row({"owner": 0, 0: 0, "size": 1, 1: 1}, ["ana", 3])
        print(row["owner"], row[1], dict(row), row == DatabaseRow({"owner": 0, 0: 0, "size": 1, 1: 1}, ["ana", 3]))
        print(Column("id", "INT64"), Column("id", "INT64")._replace(nullable=False).nullable, Row is DatabaseRow)
        try:
            row["missing"]
        except KeyError as exc:
            print("KeyError", exc)
    """).splitlines()
    return "\n".join(lines) + "\n"


def test_the_api_types_are_known() -> None:
    assert {"infrar.data.Row", "infrar.data.Column", "infrar.database.Row", "infrar.messaging.Message",
            "infrar.storage.ObjectInfo"} <= set(EXPORTED), EXPORTED


@pytest.mark.parametrize("provider", PROVIDERS)
def test_api_types_erase_and_behave_the_same(provider: str, tmp_path: Path) -> None:
    source = tmp_path / "app.py"
    source.write_text(_program(), encoding="utf-8")
    erased = tmp_path / "erased" / "app.py"
    erased.parent.mkdir()
    erased.write_text(erase(source.read_text(encoding="utf-8"), provider), encoding="utf-8")
    text = erased.read_text(encoding="utf-8")
    assert_no_infrar(text)
    assert "class Row(Mapping[str, Any]):" in text and text.count("class Row(") == 1, text
    runtime = run(source, tmp_path / "root1", blocked=False, provider=provider)
    after = run(erased, tmp_path / "root2", blocked=True, provider=provider)
    assert runtime.returncode == 0, runtime.stderr
    assert after.returncode == 0, after.stderr + "\n" + text
    assert after.stdout == runtime.stdout
    assert "ana 3 {'owner': 'ana', 'size': 3} True" in after.stdout


def test_a_name_the_api_does_not_export_is_refused(tmp_path: Path) -> None:
    """`infrar.data.column_index` is in infrar.data.types but not in infrar.data: an ImportError
    at run time, so erase refuses it rather than succeed with a program that fails later."""
    from infrar.erase import erase_tree

    source = tmp_path / "app.py"
    source.write_text("from infrar.data import column_index\nprint(column_index)\n", encoding="utf-8")
    report = erase_tree(source, tmp_path / "out", "local")
    assert [(d.line, d.col) for d in report.diagnostics if d.severity == "error"] == [(1, 25), (2, 7)], (
        report.diagnostics
    )
    assert not (tmp_path / "out").exists()
