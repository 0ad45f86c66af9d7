"""What folding literal arguments (infrar/erase/fold.py) saves: erased lines without and with it.

    python -m bench.erase_fold        # ~20 s, no server

Each program below is erased for every provider twice, once with folding turned off, and the
lines of both outputs are printed with the share folding removed. Behaviour is not measured
here: tests/erase/test_fold.py runs such programs both ways on the four providers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from infrar.erase.adapters import Library

PROVIDERS = ("local", "aws", "gcp", "azure")

PROGRAMS = {
    "literal calls": '''
from infrar import storage
from infrar.errors import NotFound

storage.write_bytes("reports-2026", "daily/summary.txt", b"hello")
print(storage.read_bytes("reports-2026", "daily/summary.txt"))
try:
    storage.read_bytes("reports-2026", "missing.txt")
except NotFound as exc:
    print("missing", type(exc).__name__)
print(storage.list_objects("reports-2026", "daily/"))
''',
    "literal paths": '''
from infrar import storage

storage.upload("reports-2026", "report.csv", "in/report.csv")
storage.download("reports-2026", "in/report.csv", "copy.csv")
print(storage.exists("reports-2026", "in/report.csv"))
''',
    "module constants": '''
from infrar import storage

BUCKET = "reports-2026"
PREFIX = "daily/"


def main() -> None:
    storage.write_bytes(BUCKET, "daily/a.txt", b"x")
    print(storage.list_objects(BUCKET, PREFIX), storage.read_bytes(BUCKET, "daily/a.txt"))


main()
''',
    "paginated_inventory (bucket from the environment)": (ROOT / "examples/corpus/paginated_inventory.py").read_text(),
}


def _lines(source: str, provider: str, library: Library) -> int:
    from infrar.erase.emit import erase_module

    result = erase_module(source.encode(), provider, "app.py", library.catalog, library)
    if result.code is None or result.diagnostics:
        raise SystemExit(f"erase failed for {provider}: {result.diagnostics}")
    return len(result.code.splitlines())


def main() -> None:
    from infrar.erase.adapters import Library
    from infrar.erase.catalog import Catalog

    catalog = Catalog(None)
    plain, folding = Library(catalog, fold=False), Library(catalog)
    print(f"{'program':52} {'provider':8} {'unfolded':>8} {'folded':>7} {'saved':>6}")
    for name, source in PROGRAMS.items():
        for provider in PROVIDERS:
            before, after = _lines(source, provider, plain), _lines(source, provider, folding)
            print(f"{name:52} {provider:8} {before:8} {after:7} {1 - after / before:6.0%}")


if __name__ == "__main__":
    main()
