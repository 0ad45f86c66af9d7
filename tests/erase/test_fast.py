"""The fast path (ast + text splicing) against the LibCST path it must match byte for byte.

erase_module tries fast.erase_fast first and runs emit.erase_slow when it returns None, so
every other erase test exercises whichever path a source takes; this one compares the two
directly, on the corpus and on sources written to reach the fast path's edge cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar.erase.adapters import Library
from infrar.erase.catalog import Catalog
from infrar.erase.emit import erase_slow
from infrar.erase.fast import erase_fast

ROOT = Path(__file__).resolve().parents[2]
PROVIDERS = ("local", "aws", "gcp", "azure")
CORPUS = sorted((ROOT / "examples" / "corpus").glob("*.py"))
CASES = sorted((Path(__file__).parent / "fast_cases").glob("*.py"))
# cases the fast path must take itself, on every provider (the others may fall back)
FAST = {
    "scopes_and_errors", "comments_and_decorators", "externals_and_generators", "types", "nested_calls",
    "header_then_import", "header_no_imports", "only_infrar_imports_first", "merged_imports",
}


@pytest.fixture(scope="module")
def library() -> Library:
    return Library(Catalog())


# The cases on every provider; each corpus program on two of them, in turn, so that every
# provider still sees half the corpus (the other erase tests take the fast path on all of it).
PAIRS = [
    *((path, provider) for path in CASES for provider in PROVIDERS),
    *((path, PROVIDERS[(i + shift) % 4]) for i, path in enumerate(CORPUS) for shift in (0, 2)),
]


@pytest.mark.parametrize(("path", "provider"), PAIRS, ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_fast_path_matches_libcst_path(path: Path, provider: str, library: Library) -> None:
    source = path.read_bytes()
    slow = erase_slow(source, provider, path.name, library.catalog, library)
    fast = erase_fast(source, provider, path.name, library.catalog, library)
    if fast is None:
        # the corpus falls back only to report an error; the cases listed in FAST never do
        assert path.stem not in FAST
        assert path in CASES or slow.diagnostics
        return
    assert fast.code == slow.code
    assert fast.diagnostics == slow.diagnostics == []
    assert sorted(fast.notes) == sorted(slow.notes)  # a literal that fails its check, warned of alike
    assert fast.plugins == slow.plugins
    assert fast.requirements == slow.requirements
