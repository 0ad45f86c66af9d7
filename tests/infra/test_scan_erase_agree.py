"""`infrar scan` and erase agree on which calls are infrar calls: one resolver.

Erase's reference path (LibCST's scopes and qualified names, bindings.Bindings) and its fast
path (ast, erase.scan) are compared with the calls infrar scan reads (erase.resolve.infrar_calls)
on the erase corpus, the fast path's edge cases and the scan tests' own sources.
"""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from infrar import plugins
from infrar.erase import report
from infrar.erase.bindings import Bindings
from infrar.erase.catalog import Catalog
from infrar.erase.resolve import infrar_calls
from infrar.erase.scan import Unsupported
from infrar.erase.scan import scan as fast_scan
from tests.infra.test_scan import APP, CONSTANTS, SHADOWS

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "examples" / "corpus").glob("*.py")) + sorted((ROOT / "tests/erase/fast_cases").glob("*.py"))
SOURCES = {path.stem: path.read_text(encoding="utf-8") for path in FILES}
SOURCES |= {"scan_app": APP, "scan_shadows": SHADOWS, "scan_constants": CONSTANTS}
# diagnostics about the provider, not about which call is infrar
_PROVIDER_CODES = {report.LOCK_IN, report.NO_ADAPTER}

Calls = set[tuple[int, int, str]]


def _libcst_calls(source: str, catalog: Catalog) -> Calls | None:
    """Calls erase's LibCST path finds, on any provider; None if it refuses the module."""
    found: Calls = set()
    for provider in ("local", "aws", "gcp", "azure"):
        bindings = Bindings(catalog, provider, "app.py")
        MetadataWrapper(cst.parse_module(source)).visit(bindings)
        if any(d.code not in _PROVIDER_CODES for d in bindings.uses.diagnostics):
            return None
        found |= {(*bindings.uses.positions[id(call)], function.qualified) for call, function in bindings.uses.calls}
    return found


def _scan_calls(source: str, catalog: Catalog) -> Calls:
    found = infrar_calls(ast.parse(source), catalog)
    return {(call.lineno, call.col_offset + 1, function.qualified) for call, function in found.calls}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_scan_and_erase_find_the_same_infrar_calls(name: str, demo: plugins.Plugin) -> None:
    source, catalog = SOURCES[name], Catalog()
    erased = _libcst_calls(source, catalog)
    assert erased is not None, "every source here is one erase accepts"
    scanned = _scan_calls(source, catalog)
    assert scanned == erased
    try:
        fast = fast_scan(ast.parse(source), catalog)
    except Unsupported:
        return
    assert {(c.lineno, c.col_offset + 1, f.qualified) for c, f, _ctx, _parent in fast.calls} == scanned


def test_the_comparison_covers_shadowing_and_every_import_form(demo: plugins.Plugin) -> None:
    catalog = Catalog()
    shadows = _scan_calls(SHADOWS, catalog)
    assert {line for line, _col, _q in shadows} == {26, 29, 30}  # the shadowed calls are in neither
    assert len(_scan_calls(APP, catalog)) == 15  # every call of APP but print and other.upload
