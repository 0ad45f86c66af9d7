"""``import infrar.storage``: wall time and cloud SDK modules loaded, in fresh interpreters."""

from __future__ import annotations

from bench._common import CLOUD_SDK_ROOTS, Row, log, median, run_json

IMPORT_TARGET_MS = 10.0

_PROBE = """
import json, sys, time
t0 = time.perf_counter_ns()
import {module}
t1 = time.perf_counter_ns()
roots = {roots!r}
print(json.dumps({{"ms": (t1 - t0) / 1e6,
                  "sdk": sorted(m for m in sys.modules if m.partition(".")[0] in roots)}}))
"""


def _probe(module: str) -> dict[str, object]:
    # No INFRAR_* or AWS_* variable may change what is imported: the import must not depend on them.
    env = {"INFRAR_PROVIDER": "aws"}
    result: dict[str, object] = run_json(["-c", _PROBE.format(module=module, roots=CLOUD_SDK_ROOTS)], env=env)
    return result


def bench_import(runs: int) -> list[Row]:
    """Median over ``runs`` fresh interpreters, alternating with ``import boto3`` for scale."""
    log(f"import: {runs} fresh interpreters each for infrar.storage and boto3, alternating")
    _probe("infrar.storage")  # warm-up: byte-code caches written, files in the page cache
    _probe("boto3")
    ours: list[float] = []
    theirs: list[float] = []
    sdk: set[str] = set()
    for _ in range(runs):
        result = _probe("infrar.storage")
        ours.append(float(result["ms"]))  # type: ignore[arg-type]
        sdk.update(result["sdk"])  # type: ignore[arg-type]
        theirs.append(float(_probe("boto3")["ms"]))  # type: ignore[arg-type]
    took = median(ours)
    listed = ", ".join(sorted(sdk)[:8]) + (" ..." if len(sdk) > 8 else "")
    return [
        Row("import infrar.storage", "ms", took, median(theirs), "import boto3", took / median(theirs),
            f"<= {IMPORT_TARGET_MS:.0f} ms", took <= IMPORT_TARGET_MS,
            note=f"median of {runs} fresh interpreters (min {min(ours):.2f}, max {max(ours):.2f} ms); "
                 "ratio is to `import boto3` for scale, the target is absolute"),
        Row("  cloud SDK modules after it", "count", float(len(sdk)), None, "", None, "none", not sdk,
            note=f"present in sys.modules: {listed}" if sdk else "none of " + ", ".join(CLOUD_SDK_ROOTS)),
    ]
