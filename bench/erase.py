"""Erase throughput on generated trees, against LibCST's bare parse + print of the same files.

    python bench/erase.py [--lines 100000] [--provider aws] [--repeat 3] [--jobs N]

Two trees of about --lines lines each are generated in a temporary directory (never kept):

- none:  no file mentions infrar (what such files cost: a byte search and a copy);
- mixed: one file in five uses infrar; the rest never mention it (target >= 25,000 lines/s);
- all:   every file uses infrar (target: >= 0.5 of the LibCST floor).

For each tree the bench measures, in this one run:
- erase, end to end: `python -m infrar.erase --provider P TREE -o OUT` (interpreter start,
  plugin discovery, worker pool, writes), median of --repeat;
- erase, in process: `infrar.erase.erase_tree(...)` with the same worker count;
- the floor: `libcst.parse_module(src).code` for every .py file of the tree, in a process
  pool of the same size (reads included, writes not);
and prints lines/s and the ratio erase / floor. Then it profiles a single-process erase of
part of the `all` tree and says where the time goes (parse, scope/qualified-name metadata,
tree traversal and rewriting, code generation, the fast path's ast parse, scan and splicing,
erase's own logic, I/O). No assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILES_PER_PACKAGE = 25

PLAIN_HEADER = '''"""Module {n}: order handling for the {area} service (generated for bench/erase.py)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

RATE_{n} = {rate}
LIMITS = {{"small": 10, "medium": 100, "large": 1000}}


@dataclass
class Order{n}:
    """One order as the {area} service sees it."""

    ident: str
    quantity: int
    price: float
    tags: list[str] = field(default_factory=list)

    def total(self) -> float:
        # Prices are stored per unit; the rate is applied once per order.
        return round(self.quantity * self.price * (1 + RATE_{n}), 2)

    def as_json(self) -> str:
        return json.dumps({{"id": self.ident, "quantity": self.quantity, "total": self.total()}})
'''

PLAIN_FUNCTION = '''

def summarise_{n}_{k}(orders: list[Order{n}], threshold: int = {k}) -> dict[str, float]:
    """Totals per size class for orders above ``threshold`` units."""
    totals: dict[str, float] = {{}}
    for order in orders:
        if order.quantity <= threshold:
            continue
        size = next((name for name, limit in LIMITS.items() if order.quantity <= limit), "huge")
        totals[size] = totals.get(size, 0.0) + order.total()
    try:
        ratio = sum(totals.values()) / len(orders)
    except ZeroDivisionError:
        log.warning("no orders in batch %s", {k})
        ratio = 0.0
    totals["ratio"] = ratio
    return {{name: round(value, 2) for name, value in sorted(totals.items())}}
'''

INFRAR_IMPORTS = '''
import os

import infrar.storage as st
from infrar import storage
from infrar.errors import NotFound
from infrar.storage import read_bytes, write_bytes

BUCKET = os.environ.get("APP_BUCKET", "orders")
'''

INFRAR_FUNCTION = '''

def archive_{n}_{k}(orders: list[Order{n}]) -> int:
    """Store each order as JSON and read one back; returns how many were stored."""
    for order in orders:
        write_bytes(BUCKET, f"orders/{n}/{k}/{{order.ident}}.json", order.as_json().encode())
    keys = storage.list_objects(BUCKET, prefix="orders/{n}/{k}/")
    try:
        first = read_bytes(BUCKET, keys[0]) if keys else b""
    except NotFound:
        first = b""
    if st.exists(BUCKET, "orders/{n}/{k}/done"):
        storage.delete(BUCKET, "orders/{n}/{k}/done")
    return len(keys) + len(first) * 0
'''


def _file(n: int, uses_infrar: bool, target_lines: int) -> str:
    area = ("billing", "shipping", "catalog", "returns")[n % 4]
    parts = [PLAIN_HEADER.format(n=n, area=area, rate=f"0.{n % 90 + 10}")]
    if uses_infrar:
        parts.insert(1, INFRAR_IMPORTS)
    k = 0
    text = "".join(parts)
    while text.count("\n") < target_lines:
        template = INFRAR_FUNCTION if uses_infrar and k % 3 == 0 else PLAIN_FUNCTION
        text += template.format(n=n, k=k)
        k += 1
    return text


def generate(root: Path, total_lines: int, every: int) -> tuple[int, int, int]:
    """A package tree of about ``total_lines`` lines; every ``every``-th file uses infrar (none if 0).

    Returns (lines, files, files using infrar).
    """
    lines = files = using = 0
    n = 0
    while lines < total_lines:
        package = root / f"pkg{n // FILES_PER_PACKAGE:03d}"
        if n % FILES_PER_PACKAGE == 0:
            package.mkdir(parents=True)
            (package / "__init__.py").write_text("")
        uses = every > 0 and n % every == 0
        text = _file(n, uses, min(200, total_lines - lines))
        (package / f"mod{n:04d}.py").write_text(text)
        lines += text.count("\n")
        files += 1
        using += uses
        n += 1
    return lines, files, using


def _roundtrip(path: str) -> int:
    import libcst

    source = Path(path).read_bytes()
    return len(libcst.parse_module(source).bytes)


def libcst_floor(tree: Path, jobs: int) -> float:
    """Seconds to parse and print every .py file of ``tree`` with LibCST in ``jobs`` processes."""
    paths = sorted(str(p) for p in tree.rglob("*.py"))
    started = time.perf_counter()
    if jobs <= 1:
        for path in paths:
            _roundtrip(path)
    else:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_roundtrip, paths, chunksize=max(1, len(paths) // (jobs * 4))))
    return time.perf_counter() - started


def erase_cli(tree: Path, out: Path, provider: str, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "infrar.erase", "--provider", provider, "-j", str(jobs), str(tree), "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"erase failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def erase_in_process(tree: Path, out: Path, provider: str, jobs: int) -> float:
    from infrar.erase import erase_tree

    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    report = erase_tree(tree, out, provider, jobs=jobs, progress=False)
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"erase failed: {report.diagnostics[:3]}")
    return elapsed


class Phases:
    """Exclusive wall time per phase: wrapped entry points push a phase, time goes to the top one."""

    BASE = "erase's own logic (planning, naming, inlining) and the rest"
    ONCE = "once per process: "

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._stack = [self.BASE]
        self._mark = time.perf_counter()
        self._undo: list[tuple[object, str, object]] = []

    def _switch(self, push: str | None) -> None:
        now = time.perf_counter()
        self.spent[self._stack[-1]] += now - self._mark
        self._mark = now
        if push is None:
            self._stack.pop()
        else:
            self._stack.append(push)

    def wrap(self, owner: object, attr: str, phase: str) -> None:
        original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        function = original.fget if isinstance(original, property) else original

        def timed(*args: object, **kwargs: object) -> object:
            # Metadata providers walk the module with visitors of their own: that is metadata time;
            # what a worker does once for all its files (reading adapters) is counted as such.
            top = self._stack[-1]
            self._switch(top if top.startswith(("metadata", self.ONCE)) else phase)
            try:
                return function(*args, **kwargs)
            finally:
                self._switch(None)

        setattr(owner, attr, property(timed) if isinstance(original, property) else timed)
        self._undo.append((owner, attr, original))

    def restore(self) -> None:
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo.clear()


def where_time_goes(tree: Path, out: Path, provider: str, files: int) -> tuple[float, list[tuple[str, float]]]:
    """Single-process erase of the first ``files`` files of ``tree``, wall time split by phase."""
    import ast

    import libcst
    from libcst.metadata import MetadataWrapper

    from infrar.erase import erase_tree, fast, layout
    from infrar.erase import tree as erase_tree_module
    from infrar.erase.adapters import Library

    subset = out.parent / "profile-src"
    shutil.rmtree(subset, ignore_errors=True)
    subset.mkdir()
    for path in sorted(tree.rglob("mod*.py"))[:files]:
        shutil.copy2(path, subset / path.name)
    shutil.rmtree(out, ignore_errors=True)
    phases = Phases()
    phases.wrap(Library, "source", Phases.ONCE + "parsing adapter modules, their scopes")
    phases.wrap(Library, "_build", Phases.ONCE + "lifting adapter definitions")
    phases.wrap(fast, "_render", "helpers: renaming and printing (cached per process)")
    phases.wrap(ast, "parse", "fast path: parse (stdlib ast)")
    phases.wrap(fast, "scan", "fast path: bindings and scopes (one ast walk)")
    phases.wrap(layout, "removals", "fast path: text edits and splicing")
    phases.wrap(layout, "insertion", "fast path: text edits and splicing")
    phases.wrap(layout, "apply", "fast path: text edits and splicing")
    phases.wrap(libcst, "parse_expression", "call sites: LibCST parse of the call being inlined")
    phases.wrap(fast, "inline", "call sites: binding arguments, inlining")
    phases.wrap(libcst, "parse_module", "parse (LibCST native parser)")
    phases.wrap(MetadataWrapper, "__init__", "metadata: MetadataWrapper's deep copy of the module")
    phases.wrap(MetadataWrapper, "resolve", "metadata: scopes, qualified names, parents, positions")
    phases.wrap(MetadataWrapper, "resolve_many", "metadata: scopes, qualified names, parents, positions")
    phases.wrap(MetadataWrapper, "visit", "visitors and transformers over whole modules")
    phases.wrap(libcst.Module, "visit", "visitors and transformers over whole modules")
    phases.wrap(libcst.Module, "code", "code generation (printing trees)")
    phases.wrap(libcst.Module, "bytes", "code generation (printing trees)")
    phases.wrap(libcst.Module, "code_for_node", "code generation (printing trees)")
    phases.wrap(erase_tree_module, "_write", "writing OUT (temp dir, rename)")
    started = time.perf_counter()
    try:
        erase_tree(subset, out, provider, jobs=1, progress=False)
    finally:
        phases.restore()
    total = time.perf_counter() - started
    phases._switch(None)  # close the base phase
    return total, sorted(phases.spent.items(), key=lambda item: -item[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--provider", default="aws")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profile-files", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="infrar-erase-bench-") as tmp_name:
        tmp = Path(tmp_name)
        rows = []
        for name, every in (("none (0 in 5)", 0), ("mixed (1 in 5)", 5), ("all files", 1)):
            tree = tmp / name.split()[0] / "src"
            lines, files, using = generate(tree, args.lines, every)
            out = tree.parent / "out"
            floor = statistics.median(libcst_floor(tree, args.jobs) for _ in range(args.repeat))
            cli = statistics.median(erase_cli(tree, out, args.provider, args.jobs) for _ in range(args.repeat))
            inproc = statistics.median(
                erase_in_process(tree, out, args.provider, args.jobs) for _ in range(args.repeat)
            )
            rows.append((name, lines, files, using, cli, inproc, floor))
        profiled_lines = sum(p.read_text().count("\n") for p in sorted((tmp / "all" / "src").rglob("mod*.py"))[
            : args.profile_files])
        total, spent = where_time_goes(tmp / "all" / "src", tmp / "profile-out", args.provider, args.profile_files)

    print(f"\nerase --provider {args.provider}, {args.jobs} worker processes, {os.cpu_count()} CPUs, "
          f"median of {args.repeat}")
    print(f"{'tree':<16} {'lines':>7} {'files':>6} {'infrar':>6} {'erase CLI l/s':>14} {'in-proc l/s':>12} "
          f"{'LibCST l/s':>11} {'CLI/floor':>10} {'in-proc/floor':>14}")
    for name, lines, files, using, cli, inproc, floor in rows:
        print(f"{name:<16} {lines:>7} {files:>6} {using:>6} {lines / cli:>14,.0f} {lines / inproc:>12,.0f} "
              f"{lines / floor:>11,.0f} {floor / cli:>10.2f} {floor / inproc:>14.2f}")
    print("LibCST floor = parse_module + .code of every .py file of the same tree, same process count.")
    print(f"\nwhere the time goes: one process erasing {args.profile_files} files ({profiled_lines} lines) of "
          f"the `all` tree in {total:.2f} s ({profiled_lines / total:,.0f} lines/s), exclusive wall time:")
    for category, seconds in spent:
        if seconds >= 0.0005:
            print(f"  {category:<62} {seconds:>7.2f} s {seconds / total:>6.1%}")


if __name__ == "__main__":
    main()
