"""Every example program, erased for every provider, names infrar only where docs/erase.md says why.

The goldens (tests/erase/test_no_infrar_trace.py) hold the storage corpus and the messaging
example; these are the other domains' programs: the README's demo (storage, database, cache,
messaging and observability in one program), the database example and the data pipeline tree,
whose shared ``_cloud.py`` carries the data adapters' job machinery. The user's own lines (a
docstring saying the program used infrar) are theirs and are not counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar.erase import erase_tree
from tests.erase._support import erase
from tests.erase._traces import infrar_traces

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ("demo.py", "database_orders.py")
PROVIDERS = ("local", "aws", "gcp", "azure")


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("program", PROGRAMS)
def test_example_names_no_infrar(program: str, provider: str) -> None:
    source = (ROOT / "examples" / program).read_text(encoding="utf-8")
    traces = infrar_traces(erase(source, provider, program), source)
    assert not traces, f"{program} erased for {provider} mentions infrar:\n" + "\n".join(traces)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_data_pipeline_tree_names_no_infrar(provider: str, tmp_path: Path) -> None:
    tree = ROOT / "examples" / "data_pipeline"
    erase_tree(tree, tmp_path / "out", provider)
    written = sorted((tmp_path / "out").rglob("*.py"))
    assert "_cloud.py" in {path.name for path in written}
    for path in written:
        own = tree / path.relative_to(tmp_path / "out")
        source = own.read_text(encoding="utf-8") if own.exists() else ""
        traces = infrar_traces(path.read_text(encoding="utf-8"), source)
        assert not traces, f"{path.name} of data_pipeline erased for {provider} mentions infrar:\n" + "\n".join(traces)
