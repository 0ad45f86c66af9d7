"""Erased observability program against the same program written by hand with the OpenTelemetry SDK.

    python bench/observability_size.py [--check]

bench/observability_erase/program.py (a logger, a counter, a traced function, a span) is erased
per provider (``python -m infrar.erase``, as bench/erase_ratio.py does for storage) and every
Python file erase wrote is measured in lines and code lines (bench.erase_ratio's counting). The
hand-written twin, bench/observability_erase/handwritten_local.py, is the OpenTelemetry SDK
writing the local JSON-lines files with a stdlib handler, credential-named attributes masked:
the ratio is given against it on every provider, since each cloud's twin would be the same
setup with another exporter (a few lines more or less). Target: lines <= 1.5.
With --check, the twin, the runtime program and the erased one run on local and the bench
says whether they wrote the same span, metric and log names. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.erase_ratio import erase, size  # noqa: E402  (after the path insert, like erase_ratio)

HERE = ROOT / "bench" / "observability_erase"
PROGRAM = HERE / "program.py"
TWIN = HERE / "handwritten_local.py"
TARGET = 1.5


def _names(root: Path) -> dict[str, list[str]]:
    base = root / "observability"
    found = {}
    for kind, key in (("spans", "name"), ("metrics", "name"), ("logs", "message")):
        path = base / f"{kind}.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        found[kind] = sorted({json.loads(line)[key] for line in lines})
    return found


def check(erased: Path, tmp: Path) -> str:
    """'same' when the twin, the runtime program and the erased one export the same names on local."""
    results = []
    for label, program, provider in (("twin", TWIN, None), ("runtime", PROGRAM, "local"), ("erased", erased, None)):
        root = tmp / f"run-{label}"
        env = {**os.environ, "INFRAR_LOCAL_ROOT": str(root), "OTEL_SERVICE_NAME": "shop"}
        env.pop("INFRAR_PROVIDER", None)
        if provider:
            env["INFRAR_PROVIDER"] = provider
        done = subprocess.run([sys.executable, str(program)], env=env, capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            return f"{label} exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
        results.append((label, _names(root)))
    first = results[0][1]
    differing = [label for label, names in results if names != first]
    return "same" if not differing else f"differs: {', '.join(differing)} ({results})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="run twin, runtime and erased program on local")
    args = parser.parse_args()
    twin = size([TWIN])
    print(f"hand-written twin (local OpenTelemetry SDK): {twin.lines} lines, {twin.code} code lines")
    print(f"{'provider':8} {'lines':>6} {'code':>6} {'ratio':>6} {'code ratio':>10}  target lines <= {TARGET}")
    with tempfile.TemporaryDirectory(prefix="infrar-obs-size-") as work:
        for provider in ("local", "aws", "gcp", "azure"):
            files = erase(PROGRAM, provider, Path(work) / provider)
            if isinstance(files, str):
                print(f"{provider:8} {files}")
                continue
            got = size(files)
            print(f"{provider:8} {got.lines:6} {got.code:6} {got.lines / twin.lines:6.2f} {got.code / twin.code:10.2f}")
            if args.check and provider == "local":
                erased = next(f for f in files if f.name == "program.py")
                print(f"  local check: {check(erased, Path(work))}")


if __name__ == "__main__":
    main()
