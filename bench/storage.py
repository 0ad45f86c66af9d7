"""Storage benchmarks that run in this process: small objects, listing, dispatch overhead.

Every comparison is interleaved block by block (see ``_common.interleaved``) against a
plain boto3 client configured exactly as infrar's, on the same moto server, in the same
run; warm-up calls are made on every side first and never timed.
"""

from __future__ import annotations

import os
import tempfile
import timeit
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench._common import (
    REGION,
    Row,
    Sample,
    boto3_baseline_client,
    log,
    median,
    provider,
)

SMALL_BODY = os.urandom(1024)  # "small object": 1 KiB
WARMUP_OPS = 50
TIME_TARGET = 1.02


# --------------------------------------------------------------------------- the libraries


def s3fs_filesystem() -> Any:
    """s3fs on the same endpoint, with the same retry and timeout settings as infrar's client."""
    import s3fs

    return s3fs.S3FileSystem(
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        key=os.environ["AWS_ACCESS_KEY_ID"],
        secret=os.environ["AWS_SECRET_ACCESS_KEY"],
        client_kwargs={"region_name": REGION},
        config_kwargs={
            "retries": {"mode": "standard", "max_attempts": 3},
            "connect_timeout": 3,
            "read_timeout": 60,
            "signature_version": "s3v4",
        },
        use_listings_cache=False,
        skip_instance_cache=True,
    )


def cloudpathlib_client(cache_dir: Path) -> Any:
    """cloudpathlib on the same endpoint. close_file: every read really downloads, no stale cache hit."""
    import boto3
    from cloudpathlib import S3Client
    from cloudpathlib.enums import FileCacheMode

    session = boto3.session.Session(region_name=REGION)
    return S3Client(
        boto3_session=session,
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        local_cache_dir=cache_dir,
        file_cache_mode=FileCacheMode.close_file,
    )


# --------------------------------------------------------------------------- small objects


def small_object_sides(bucket: str, block: int, third_party: bool, cache_dir: Path) -> dict[str, Callable[[int], None]]:
    """One callable per library; ``side(b)`` puts then gets keys b*block .. (b+1)*block - 1."""
    import infrar.storage as storage

    s3 = boto3_baseline_client()

    def keys(b: int) -> range:
        return range(b * block, (b + 1) * block)

    def check(got: bytes) -> None:
        if got != SMALL_BODY:
            raise AssertionError("read back different bytes")

    def infrar_side(b: int) -> None:
        for i in keys(b):
            key = f"small/infrar/{i:05d}"
            storage.write_bytes(bucket, key, SMALL_BODY)
            check(storage.read_bytes(bucket, key))

    def boto3_side(b: int) -> None:
        for i in keys(b):
            key = f"small/boto3/{i:05d}"
            s3.put_object(Bucket=bucket, Key=key, Body=SMALL_BODY)
            check(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    sides: dict[str, Callable[[int], None]] = {"infrar": infrar_side, "boto3": boto3_side}
    if third_party:
        fs = s3fs_filesystem()
        client = cloudpathlib_client(cache_dir)

        def s3fs_side(b: int) -> None:
            for i in keys(b):
                path = f"{bucket}/small/s3fs/{i:05d}"
                fs.pipe_file(path, SMALL_BODY)
                check(fs.cat_file(path))

        def cloudpathlib_side(b: int) -> None:
            for i in keys(b):
                path = client.CloudPath(f"s3://{bucket}/small/cloudpathlib/{i:05d}")
                path.write_bytes(SMALL_BODY)
                check(path.read_bytes())

        sides["s3fs"] = s3fs_side
        sides["cloudpathlib"] = cloudpathlib_side
    return sides


# --------------------------------------------------------------------------- listing


def fill_bucket(bucket: str, prefix: str, count: int) -> None:
    """Setup, not timed: ``count`` empty objects under ``prefix``, written by 8 threads."""
    s3 = boto3_baseline_client()

    def put(i: int) -> None:
        s3.put_object(Bucket=bucket, Key=f"{prefix}{i:06d}", Body=b"")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(count)))


def listing_sides(bucket: str, prefix: str, count: int, third_party: bool,
                  cache_dir: Path) -> dict[str, Callable[[int], None]]:
    import infrar.storage as storage

    s3 = boto3_baseline_client()

    def check(found: int) -> None:
        if found != count:
            raise AssertionError(f"listed {found} keys, expected {count}")

    def infrar_side(_: int) -> None:
        check(len(storage.list_objects(bucket, prefix)))

    def boto3_side(_: int) -> None:
        keys = [
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", ())
        ]
        check(len(keys))

    sides: dict[str, Callable[[int], None]] = {"infrar": infrar_side, "boto3": boto3_side}
    if third_party:
        fs = s3fs_filesystem()
        client = cloudpathlib_client(cache_dir)

        def s3fs_side(_: int) -> None:
            fs.invalidate_cache()
            check(len(fs.find(f"{bucket}/{prefix}")))

        def cloudpathlib_side(_: int) -> None:
            check(sum(1 for _ in client.CloudPath(f"s3://{bucket}/{prefix}").iterdir()))

        sides["s3fs"] = s3fs_side
        sides["cloudpathlib"] = cloudpathlib_side
    return sides


def warm_up(sides: dict[str, Callable[[int], None]], blocks: int) -> None:
    for side in sides.values():
        for b in range(blocks):
            side(b)


def comparison_rows(title: str, unit_count: int, unit: str, samples: dict[str, list[Sample]]) -> list[Row]:
    """infrar vs boto3: the wall-time row (with its target) and the client-CPU row."""
    wall = {name: [s.wall for s in values] for name, values in samples.items()}
    cpu = {name: [s.cpu for s in values] for name, values in samples.items()}
    ratio = median(wall["infrar"]) / median(wall["boto3"])
    paired = median([a / b for a, b in zip(wall["infrar"], wall["boto3"], strict=True)])
    per_op = median(wall["infrar"]) / unit_count * 1e6
    cpu_extra = (median(cpu["infrar"]) - median(cpu["boto3"])) / unit_count * 1e6
    return [
        Row(f"{title}: wall", "s", median(wall["infrar"]), median(wall["boto3"]), "boto3", ratio,
            f"<= {TIME_TARGET}", ratio <= TIME_TARGET,
            note=f"{len(wall['infrar'])} reps; median of per-rep ratios {paired:.3f}; per-rep s infrar "
                 + ", ".join(f"{v:.2f}" for v in wall["infrar"]) + " / boto3 "
                 + ", ".join(f"{v:.2f}" for v in wall["boto3"]) + f"; infrar {per_op:,.0f} us per {unit}",
            samples=wall),
        Row(f"{title}: client CPU", "s", median(cpu["infrar"]), median(cpu["boto3"]), "boto3",
            median(cpu["infrar"]) / median(cpu["boto3"]),
            note=f"this process's CPU time (all threads); infrar adds {cpu_extra:,.1f} us per {unit}",
            samples=cpu),
    ]


def third_party_rows(title: str, unit_count: int, samples: dict[str, list[Sample]]) -> list[Row]:
    """One row per third-party library: infrar's time next to it (ratio infrar/library)."""
    wall = {name: median([s.wall for s in values]) for name, values in samples.items()}
    cpu = {name: median([s.cpu for s in values]) for name, values in samples.items()}
    per_op, unit = (1e3 / unit_count, "ms/op") if unit_count > 1 else (1.0, "s")
    return [
        Row(f"{title}: infrar vs {name}", unit, wall["infrar"] * per_op,
            wall[name] * per_op, name, wall["infrar"] / wall[name],
            note=f"{len(samples[name])} reps of {unit_count:,} ops, interleaved with infrar and boto3; "
                 f"{name}/boto3 time = {wall[name] / wall['boto3']:.3f}; client CPU {name} {cpu[name]:.2f} s, "
                 f"infrar {cpu['infrar']:.2f} s, boto3 {cpu['boto3']:.2f} s")
        for name in samples if name not in ("infrar", "boto3")
    ]


def bench_small_objects(bucket: str, ops: int, reps: int, third_party_ops: int, third_party_reps: int) -> list[Row]:
    """``ops`` put+get pairs through infrar and boto3; then a shorter pass adding s3fs and cloudpathlib."""
    from bench._common import interleaved

    block = 50
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="infrar-bench-cache-") as cache:
        sides = small_object_sides(bucket, block, third_party_ops > 0, Path(cache))
        warm_up(sides, WARMUP_OPS // block or 1)
        pair = {name: sides[name] for name in ("infrar", "boto3")}
        log(f"small objects: {ops} put+get x 2 libraries x {reps} reps, interleaved in blocks of {block}")
        samples = interleaved(pair, max(ops // block, 1), reps,
                              on_rep=lambda r: log(f"  small objects rep {r + 1}/{reps} done"))
        rows += comparison_rows(f"{ops:,} put+get of 1 KiB", ops, "put+get", samples)
        if third_party_ops > 0:
            tp_block = min(block, third_party_ops)
            log(f"small objects: {third_party_ops} put+get x {len(sides)} libraries x {third_party_reps} reps")
            samples = interleaved(sides, max(third_party_ops // tp_block, 1), third_party_reps,
                                  on_rep=lambda r: log(f"  third-party rep {r + 1}/{third_party_reps} done"))
            rows += third_party_rows("put+get of 1 KiB", third_party_ops, samples)
    return rows


def bench_listing(bucket: str, count: int, reps: int, third_party: bool) -> list[Row]:
    """infrar vs boto3 over ``reps`` interleaved listings; then a pass adding s3fs and cloudpathlib."""
    from bench._common import interleaved

    prefix = "list/"
    log(f"listing: writing {count:,} keys (setup, not timed)")
    fill_bucket(bucket, prefix, count)
    title = f"list {count:,} keys"
    with tempfile.TemporaryDirectory(prefix="infrar-bench-cache-") as cache:
        sides = listing_sides(bucket, prefix, count, third_party, Path(cache))
        warm_up(sides, 1)
        pair = {name: sides[name] for name in ("infrar", "boto3")}
        log(f"listing: {count:,} keys x 2 libraries x {reps} reps")
        samples = interleaved(pair, 1, reps, on_rep=lambda r: log(f"  listing rep {r + 1}/{reps} done"))
        rows = comparison_rows(title, count, "key", samples)
        if third_party:
            log(f"listing: {count:,} keys x {len(sides)} libraries x 3 reps")
            samples = interleaved(sides, 1, 3, on_rep=lambda r: log(f"  third-party listing rep {r + 1}/3 done"))
            rows += third_party_rows(title, 1, samples)
    return rows


# --------------------------------------------------------------------------- dispatch


@contextmanager
def local_provider() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="infrar-bench-local-") as root, \
            provider("local", {"INFRAR_LOCAL_ROOT": root}):
        yield Path(root)


class _InstantStorage:
    """Stands in for the local adapter in the dispatch cache: its exists() does no work at all."""

    def exists(self, bucket: str, key: str) -> bool:
        return True


def bench_dispatch(rounds: int, number: int) -> list[Row]:
    """What the public function adds per call on the local provider, in ns.

    Precise figure: ``storage.exists`` with an adapter whose ``exists`` returns at once,
    against calling that adapter directly; the difference is the wrapper call, the
    per-domain cache lookup, nothing else. For scale, the same pair with the
    real LocalStorage (its filesystem work dwarfs and blurs the difference).
    """
    import infrar.storage as storage
    from infrar import dispatch
    from infrar.providers.local.storage import LocalStorage

    with local_provider():
        storage.write_bytes("bench", "k", b"x")
        real = dispatch.adapter("storage")
        if not isinstance(real, LocalStorage):
            raise AssertionError(f"INFRAR_PROVIDER=local dispatched to {type(real).__name__}")
        instant = _InstantStorage()
        stmts = {
            "api-instant": "storage.exists('bench', 'k')",
            "direct-instant": "instant.exists('bench', 'k')",
            "api-real": "storage.exists('bench', 'k')",
            "direct-real": "real.exists('bench', 'k')",
        }
        scope = {"storage": storage, "instant": instant, "real": real}
        timers = {name: timeit.Timer(stmt, globals=scope) for name, stmt in stmts.items()}
        key = ("storage", "local")

        def measure(name: str, calls: int) -> float:
            # The instant pair swaps the cached adapter for the stand-in, then puts the real one back.
            # The per-domain hot cache is dropped too, so the next call chooses the swapped one.
            dispatch._adapters[key] = instant if name.endswith("instant") else real
            dispatch._forget_selection()
            try:
                return timers[name].timeit(calls) / calls * 1e9
            finally:
                dispatch._adapters[key] = real
                dispatch._forget_selection()

        for name in timers:  # warm-up
            measure(name, number // 10 or 1)
        log(f"dispatch: {rounds} interleaved rounds of {number:,} calls each")
        per_call: dict[str, list[float]] = {name: [] for name in timers}
        order = list(timers)
        for r in range(rounds):
            shift = r % len(order)
            for name in order[shift:] + order[:shift]:
                per_call[name].append(measure(name, number))

    def overhead(kind: str) -> float:
        return median([a - b for a, b in zip(per_call[f"api-{kind}"], per_call[f"direct-{kind}"], strict=True)])

    api, plain = median(per_call["api-real"]), median(per_call["direct-real"])
    return [
        Row("dispatch overhead per call, local", "ns", overhead("instant"), None,
            note=f"storage.exists(...) minus adapter.exists(...) with an adapter that returns at once: the "
                 f"wrapper and the per-domain cache lookup; median of paired differences over "
                 f"{rounds} interleaved rounds of {number:,} calls (direct call "
                 f"{median(per_call['direct-instant']):,.0f} ns)"),
        Row("dispatch: storage.exists on LocalStorage", "ns/call", api, plain, "adapter", api / plain,
            note=f"the real local adapter (a stat under INFRAR_LOCAL_ROOT); paired difference "
                 f"{overhead('real'):,.0f} ns, blurred by the filesystem call's own variation"),
    ]
