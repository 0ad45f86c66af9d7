"""Erased twins (docs/adapters.md): ``def <name>_erased`` beside a copied function is what erase copies.

A message that names an infrar command (``infrar infra``) is right at run time and wrong in an
erased program, which must not mention infrar. The function keeps its runtime text; its twin,
with the same parameters, carries the native fix, and erase copies the twin under the
function's name.
"""

from __future__ import annotations

import ast
from pathlib import Path

from infrar.messaging.rules import missing
from tests.erase._support import erase
from tests.erase._traces import infrar_traces

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = "from infrar import messaging\n\nmessaging.send_message('jobs', {'n': 1})\n"


def _twins() -> list[tuple[Path, ast.FunctionDef, ast.FunctionDef | None]]:
    """Each module-level ``*_erased`` function of infrar, with the function it stands in for (or None)."""
    found = []
    for path in sorted((ROOT / "infrar").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for name, twin in functions.items():
            if name.endswith("_erased"):
                found.append((path, twin, functions.get(name.removesuffix("_erased"))))
    return found


def test_every_twin_stands_in_for_a_function_with_the_same_parameters() -> None:
    twins = _twins()
    assert any(twin.name == "missing_erased" for _, twin, _ in twins)  # the scan finds the messaging one
    for path, twin, original in twins:
        assert original is not None, f"{path.relative_to(ROOT)}: {twin.name} has no function to stand in for"
        assert ast.dump(twin.args) == ast.dump(original.args), f"{path.relative_to(ROOT)}: {twin.name}'s parameters"


def test_erase_copies_the_twin_under_the_function_name() -> None:
    erased = erase(PROGRAM, "aws")
    assert "applying the OpenTofu module generated for this program" in erased
    assert "infrar infra" not in erased and "_erased" not in erased
    assert not infrar_traces(erased, PROGRAM), infrar_traces(erased, PROGRAM)


def test_the_runtime_keeps_naming_the_infrar_command() -> None:
    message = str(missing("queue", "jobs", "aws"))
    assert "`infrar infra --provider aws`" in message and "INFRAR_CREATE_MISSING=1" in message


def test_the_messaging_goldens_are_scanned_with_the_others() -> None:
    goldens = {path.name for path in (ROOT / "tests" / "erase" / "golden").glob("*.py.golden")}
    assert {f"messaging_orders.{p}.py.golden" for p in ("local", "aws", "gcp", "azure")} <= goldens
