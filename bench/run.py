"""One command for the storage benchmarks: ``python -m bench`` (or ``python bench/run.py``).

Starts its own moto server on a free port, runs every benchmark against it (interleaved,
several repetitions, warm-up excluded) and prints one table of medians and ratios to
stdout; progress goes to stderr. See bench/README.md for what each line means.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # python bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Row, format_table, log, moto_server

BENCHMARKS = ("import", "dispatch", "small", "list", "transfer", "cache", "observability", "database", "data",
              "messaging")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="256 MiB transfer instead of 1 GiB and 3 repetitions instead of 5 (about 5 min)")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated subset of: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--reps", type=int, help="repetitions of each interleaved comparison (default 5; 3 quick)")
    parser.add_argument("--ops", type=int, default=1000, help="put+get pairs per repetition (default 1000)")
    parser.add_argument("--keys", type=int, default=10_000, help="keys to list (default 10000)")
    parser.add_argument("--size-mib", type=int, help="transfer size in MiB (default 1024; 256 with --quick)")
    parser.add_argument("--transfer-reps", type=int,
                        help="fresh processes per side for the large transfer (default 3; 2 with --quick)")
    parser.add_argument("--no-third-party", action="store_true",
                        help="skip s3fs and cloudpathlib (their small-object pass is 200 put+get x 3 reps)")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    if args.reps is None:
        args.reps = 3 if args.quick else 5
    if args.transfer_reps is None:
        args.transfer_reps = 2 if args.quick else 3
    if args.size_mib is None:
        args.size_mib = 256 if args.quick else 1024
    return args


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("infrar", "boto3", "botocore", "moto", "s3fs", "cloudpathlib"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    rows: list[Row] = []
    # Processes, not threads, compete for the cores: the moto server, this process, workers.
    if "import" in args.only:
        from bench.storage_import import bench_import

        rows += bench_import(runs=15 if args.quick else 25)
    if "dispatch" in args.only:
        from bench.storage import bench_dispatch

        rows += bench_dispatch(rounds=15, number=20_000)
    needs_moto = [name for name in ("small", "list", "transfer") if name in args.only]
    if needs_moto:
        from bench import storage, storage_transfer

        with tempfile.TemporaryDirectory(prefix="infrar-bench-moto-") as logs, moto_server(Path(logs)) as server:
            log(f"moto server at {os.environ['AWS_ENDPOINT_URL']}")
            server.create_bucket("bench")
            if "small" in args.only:
                third_party_ops = 0 if args.no_third_party else (100 if args.quick else 200)
                rows += storage.bench_small_objects("bench", args.ops, args.reps, third_party_ops, 3)
            if "list" in args.only:
                server.create_bucket("bench-list")
                rows += storage.bench_listing("bench-list", args.keys, args.reps, not args.no_third_party)
            if "transfer" in args.only:
                server.create_bucket("bench-transfer")
                rows += storage_transfer.bench_transfer("bench-transfer", args.size_mib, args.transfer_reps)
    if "cache" in args.only:
        from bench.cache import bench_cache

        rows += bench_cache(ops=args.ops * 10, reps=args.reps)
    if "observability" in args.only:
        from bench.observability import bench_observability

        rows += bench_observability(calls=args.ops * 20, reps=args.reps)
    if "database" in args.only:
        from bench.database import bench_database

        rows += bench_database(ops=args.ops * 2, reps=args.reps)
    if "data" in args.only:
        from bench.data import bench_data

        rows += bench_data(rows=200_000 if args.quick else 1_000_000, reps=args.reps)
    if "messaging" in args.only:
        from bench.messaging import bench_messaging

        rows += bench_messaging(count=1_000 if args.quick else 10_000, reps=args.reps)
    print(f"infrar storage benchmarks: {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, {platform.system()} {platform.release()}")
    print(versions())
    print(f"mode: {'--quick' if args.quick else 'full'}, reps {args.reps}, "
          f"took {(time.monotonic() - started) / 60:.1f} min, "
          f"1-min load average {load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end")
    if max(load_before, os.getloadavg()[0]) > (os.cpu_count() or 1):
        print("warning: other processes competed for the cores during this run; ratios are noisier")
    print()
    print(format_table(rows))
    missed = [row.name for row in rows if row.met is False]
    print(f"\ntargets: {sum(row.met is True for row in rows)} met, {len(missed)} missed"
          + (f" ({'; '.join(missed)})" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
