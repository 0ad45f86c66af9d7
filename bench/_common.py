"""What every benchmark shares: the moto server, interleaved timing, medians, the result table."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
MIB = 1024 * 1024
# Top-level packages that belong to a cloud SDK: `import infrar.storage` must load none of them.
CLOUD_SDK_ROOTS = ("boto3", "botocore", "s3transfer", "aiobotocore", "google", "azure", "msal", "grpc")


def log(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- results


@dataclass
class Row:
    """One line of the table: infrar's figure, the baseline's, their ratio and the target."""

    name: str
    unit: str
    infrar: float | None = None
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    def verdict(self) -> str:
        if self.met is None:
            return "-"
        return "met" if self.met else "MISSED"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def format_table(rows: Sequence[Row]) -> str:
    header = ("benchmark", "unit", "infrar", "baseline", "vs", "ratio", "target", "result")
    lines = [
        (r.name, r.unit, _number(r.infrar), _number(r.baseline), r.baseline_name or "-",
         "-" if r.ratio is None else f"{r.ratio:.3f}", r.target or "-", r.verdict())
        for r in rows
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=False)]
    out = []
    for i, line in enumerate([header, *lines]):
        out.append("  ".join(str(c).ljust(w) if j < 5 else str(c).rjust(w) if j == 5 else str(c).ljust(w)
                             for j, (c, w) in enumerate(zip(line, widths, strict=True))).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio_of_medians(side: Sequence[float], baseline: Sequence[float]) -> float:
    return median(side) / median(baseline)


# --------------------------------------------------------------------------- interleaving


@dataclass
class Sample:
    wall: float = 0.0
    cpu: float = 0.0


def interleaved(
    sides: dict[str, Callable[[int], None]], blocks: int, reps: int, on_rep: Callable[[int], None] | None = None,
) -> dict[str, list[Sample]]:
    """Run each side ``blocks`` times per repetition, interleaved block by block.

    Two sides alternate which goes first (A B, B A, ...). More sides run in a shuffled
    order (seeded, so runs are repeatable): a plain rotation would give every side the same
    predecessor each time, and a side that leaves garbage or background threads behind
    (cloudpathlib, s3fs's event loop) would always bill the same neighbour.
    ``side(block_index)`` does one block of work. Returns one Sample per repetition per
    side: summed wall time and summed CPU time of this process (all its threads).
    """
    names = list(sides)
    result: dict[str, list[Sample]] = {name: [] for name in names}
    shuffler = random.Random(20240611)
    for rep in range(reps):
        totals = {name: Sample() for name in names}
        for block in range(blocks):
            if len(names) == 2:
                order = names if (rep * blocks + block) % 2 == 0 else names[::-1]
            else:
                order = names[:]
                shuffler.shuffle(order)
            for name in order:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                sides[name](block)
                wall1, cpu1 = time.perf_counter(), time.process_time()
                totals[name].wall += wall1 - wall0
                totals[name].cpu += cpu1 - cpu0
        for name in names:
            result[name].append(totals[name])
        if on_rep is not None:
            on_rep(rep)
    return result


# --------------------------------------------------------------------------- moto


class _OwnMotoServer:
    """Fallback when infrar.testing.aws is not importable: a bare moto_server subprocess."""

    def __init__(self, log_dir: Path) -> None:
        from infrar.testing._process import ServerProcess, free_port

        port = free_port()
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        self._server = ServerProcess("moto-bench", command, port, log_dir)
        self.endpoint = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def create_bucket(self, name: str) -> None:
        import boto3

        env = self.environment()
        boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=name)


@contextmanager
def moto_server(log_dir: Path) -> Iterator[Any]:
    """A moto server on a free port, with os.environ pointing AWS clients (and infrar) at it.

    Uses infrar.testing.aws.MotoEmulator, the same server the tests use.
    """
    try:
        from infrar.testing.aws import MotoEmulator

        server: Any = MotoEmulator(log_dir)
    except ImportError:
        server = _OwnMotoServer(log_dir)
    server.start()
    saved = dict(os.environ)
    try:
        os.environ.update(server.environment())
        os.environ["INFRAR_PROVIDER"] = "aws"
        yield server
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def boto3_baseline_client() -> Any:
    """The boto3 client a hand-written program would use, configured exactly as infrar's.

    infrar's client is ``infrar.providers.aws._clients.s3.client()``: a fresh boto3 Session,
    the region from the environment, and ``s3.client_config()``. The baseline is built
    the same way but as a separate client (own connection pool), so neither side shares
    anything with the other.
    """
    import boto3

    from infrar.providers.aws._clients import s3

    session = boto3.session.Session()
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or session.region_name or REGION
    return session.client("s3", region_name=region, config=s3.client_config())


# --------------------------------------------------------------------------- subprocesses


def run_json(argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 1800) -> Any:
    """Run a fresh Python subprocess that prints one JSON document as its last stdout line."""
    completed = subprocess.run(
        [sys.executable, *argv], capture_output=True, text=True, cwd=REPO, timeout=timeout,
        env={**os.environ, **(env or {}), "PYTHONPATH": _pythonpath()},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _pythonpath() -> str:
    existing = os.environ.get("PYTHONPATH")
    return f"{REPO}{os.pathsep}{existing}" if existing else str(REPO)


@contextmanager
def provider(name: str, env: dict[str, str]) -> Iterator[None]:
    """``INFRAR_PROVIDER=name`` with ``env`` set for the block, the previous values restored after."""
    from infrar import dispatch

    saved = {key: os.environ.get(key) for key in ("INFRAR_PROVIDER", *env)}
    os.environ.update({"INFRAR_PROVIDER": name, **env})
    dispatch.reset()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        dispatch.reset()
