"""Large-file upload + download on moto: throughput and peak RSS, each side in a fresh process.

The driver (``bench_transfer``) writes one file of ``size_mib`` MiB into a temp dir (streamed,
never whole in memory), then runs ``python -m bench.storage_transfer SIDE FILE BUCKET`` once per
side per repetition, alternating which side goes first. A worker builds its client and warms
up with a 1 KiB transfer (not timed), records its RSS as the baseline, then times the upload
and the download; the peak RSS of each phase comes from the kernel's high-water mark
(VmHWM, reset between phases through /proc/self/clear_refs), else from ru_maxrss.

Both sides use the same client configuration (``s3.client_config()``) and the same transfer
configuration (``s3.transfer_config()``, both in infrar/providers/aws/_clients/s3.py): the
comparison measures what infrar adds on top of boto3's own managed transfer, not a different
choice of part size.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import MIB, Row, log, median, run_json

RSS_TARGET_MIB = 64.0
THROUGHPUT_TARGET = 0.98


def write_file(path: Path, size_mib: int) -> None:
    """``size_mib`` MiB of incompressible bytes, written 1 MiB at a time."""
    block = bytearray(os.urandom(MIB))
    with open(path, "wb") as out:
        for i in range(size_mib):
            block[:8] = i.to_bytes(8, "little")  # no two MiB alike
            out.write(block)


# --------------------------------------------------------------------------- worker


def _rss_now() -> int:
    import psutil

    rss: int = psutil.Process().memory_info().rss
    return rss


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _peak() -> int:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _sides(bucket: str) -> tuple[Any, Any, Any]:
    """(upload, download, raw client) for this process's side."""
    import infrar.storage as storage
    from bench._common import boto3_baseline_client
    from infrar.providers.aws._clients import s3

    raw = boto3_baseline_client()
    if sys.argv[1] == "infrar":
        return (lambda source, key: storage.upload(bucket, source, key),
                lambda key, target: storage.download(bucket, key, target), raw)
    transfer = s3.transfer_config()
    return (lambda source, key: raw.upload_file(source, bucket, key, Config=transfer),
            lambda key, target: raw.download_file(bucket, key, target, Config=transfer), raw)


def worker() -> None:
    side, source, bucket = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    upload, download, raw = _sides(bucket)
    key = f"transfer/{side}-{os.getpid()}"
    scratch = Path(tempfile.mkdtemp(prefix=f"infrar-bench-{side}-", dir=source.parent))
    try:
        tiny = scratch / "tiny"
        tiny.write_bytes(b"w" * 1024)
        upload(str(tiny), key + "-warm")  # warm-up: client, connection, transfer machinery
        download(key + "-warm", str(scratch / "tiny.back"))
        baseline = _rss_now()
        exact = _reset_peak()
        start = time.perf_counter()
        upload(str(source), key)
        up_s = time.perf_counter() - start
        up_peak = _peak()
        _reset_peak()
        target = scratch / "back"
        start = time.perf_counter()
        download(key, str(target))
        down_s = time.perf_counter() - start
        down_peak = _peak()
        if target.stat().st_size != source.stat().st_size:
            raise AssertionError("downloaded size differs from the uploaded file")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for name in (key, key + "-warm"):
            try:
                raw.delete_object(Bucket=bucket, Key=name)
            except Exception:  # the object may not exist if the upload failed
                pass
    print(json.dumps({"upload_s": up_s, "download_s": down_s, "baseline": baseline,
                      "upload_peak": up_peak, "download_peak": down_peak, "exact_peak": exact}))


# --------------------------------------------------------------------------- driver


def bench_transfer(bucket: str, size_mib: int, reps: int) -> list[Row]:
    sides = ("infrar", "boto3")
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="infrar-bench-transfer-") as temp:
        source = Path(temp) / "payload"
        log(f"transfer: writing a {size_mib} MiB file (setup, not timed)")
        write_file(source, size_mib)
        for rep in range(reps):
            order = sides if rep % 2 == 0 else sides[::-1]
            for side in order:
                log(f"  transfer rep {rep + 1}/{reps}: {side} uploads and downloads {size_mib} MiB")
                results[side].append(
                    run_json(["-m", "bench.storage_transfer", side, str(source), bucket], timeout=3600)
                )
    return transfer_rows(results, size_mib)


def transfer_rows(results: dict[str, list[dict[str, Any]]], size_mib: int) -> list[Row]:
    rows: list[Row] = []
    label = f"{size_mib} MiB" if size_mib < 1024 else f"{size_mib / 1024:g} GiB"
    reps = len(results["infrar"])
    for phase in ("upload", "download"):
        speed = {side: [size_mib / r[f"{phase}_s"] for r in runs] for side, runs in results.items()}
        ratio = median(speed["infrar"]) / median(speed["boto3"])
        rows.append(Row(
            f"{label} {phase}: throughput", "MiB/s", median(speed["infrar"]), median(speed["boto3"]),
            "boto3", ratio, f">= {THROUGHPUT_TARGET}", ratio >= THROUGHPUT_TARGET,
            note=f"{reps} reps, each side in a fresh process, order alternating; MiB/s infrar "
                 + ", ".join(f"{v:.0f}" for v in speed["infrar"]) + " / boto3 "
                 + ", ".join(f"{v:.0f}" for v in speed["boto3"]),
            samples=speed,
        ))
    for phase in ("upload", "download"):
        growth = {side: [(r[f"{phase}_peak"] - r["baseline"]) / MIB for r in runs] for side, runs in results.items()}
        worst = max(growth["infrar"])
        exact = all(r["exact_peak"] for runs in results.values() for r in runs)
        rows.append(Row(
            f"{label} {phase}: peak RSS above baseline", "MiB", worst, max(growth["boto3"]), "boto3",
            None, f"<= {RSS_TARGET_MIB:.0f} MiB", worst <= RSS_TARGET_MIB,
            note=("worst of the reps; " if reps > 1 else "")
                 + ("peak of this phase alone (VmHWM reset before it)" if exact
                    else "ru_maxrss: the process's peak so far, not of this phase alone")
                 + "; baseline = RSS after imports, client and warm-up",
            samples=growth,
        ))
    return rows


if __name__ == "__main__":
    worker()
