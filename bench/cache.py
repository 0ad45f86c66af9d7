"""Cache benchmarks: infrar.cache against raw redis-py on one real Redis server, and the
embedded ``local`` cache against a raw sqlite3 implementation of the same operations.

``python -m bench --only cache`` (or ``python -m bench.cache``). Starts its own Debian
``redis-server`` on a free 127.0.0.1 port. Both sides do the same work per operation: infrar
encodes each value with its type tag (``infrar.cache.codec``) and namespaces the key; the raw
side stores the same bytes under the same key, so the ratio is what infrar adds.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/cache.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Row, Sample, format_table, interleaved, log, median, provider

TIME_TARGET = 1.05
BLOCK = 100  # operations per interleaved block


@contextmanager
def redis_server() -> Iterator[str]:
    """A fresh plain redis-server for this run; yields its URL."""
    from infrar.testing.redis import RedisService

    with tempfile.TemporaryDirectory(prefix="infrar-bench-redis-") as logs:
        service = RedisService(Path(logs))
        service.start()
        try:
            yield service.url
        finally:
            service.stop()


def get_set_sides(baseline: str, raw_set: Callable[[str, bytes], object],
                  raw_get: Callable[[str], Any]) -> dict[str, Callable[[int], None]]:
    """get+set of a small str through infrar.cache (the selected provider) and the raw calls."""
    from infrar import cache
    from infrar.cache.codec import decode, encode

    value = "small value " * 4

    def infrar_side(block: int) -> None:
        for i in range(BLOCK):
            key = f"k{block}-{i}"
            cache.set("bench", key, value)
            cache.get("bench", key)

    def raw_side(block: int) -> None:
        for i in range(BLOCK):
            key = f"bench:r{block}-{i}"
            raw_set(key, encode(value))
            decode(raw_get(key))

    return {"infrar": infrar_side, baseline: raw_side}


def redis_sides(url: str) -> dict[str, Callable[[int], None]]:
    import redis

    raw = redis.Redis.from_url(url)
    return get_set_sides("redis-py", lambda key, data: raw.set(key, data, px=3_600_000), raw.get)


def get_many_sides(url: str, keys: int) -> dict[str, Callable[[int], None]]:
    """``get_many`` of ``keys`` keys against raw ``MGET`` of the same keys."""
    import redis

    from infrar import cache
    from infrar.cache.codec import decode

    raw = redis.Redis.from_url(url)
    names = [f"m{i}" for i in range(keys)]
    cache.set_many("bench", {name: i for i, name in enumerate(names)})
    spaced = [f"bench:{name}" for name in names]

    def infrar_side(block: int) -> None:
        for _ in range(10):
            cache.get_many("bench", names)

    def raw_side(block: int) -> None:
        for _ in range(10):
            found = raw.mget(spaced)
            {name: decode(data) for name, data in zip(names, found, strict=True) if isinstance(data, bytes)}

    return {"infrar": infrar_side, "redis-py": raw_side}


class RawSqliteCache:
    """The local cache's two operations written directly on sqlite3: the baseline for ``local``."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB, expires REAL)")

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", (key, value, time.time() + ttl))

    def get(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM entries WHERE key = ? AND (expires IS NULL OR expires > ?)",
                              (key, time.time())).fetchone()
        return None if row is None else bytes(row[0])


def local_sides(root: Path) -> dict[str, Callable[[int], None]]:
    raw = RawSqliteCache(root / "raw.sqlite")
    return get_set_sides("sqlite3", lambda key, data: raw.set(key, data, 3600), raw.get)


def rows_for(title: str, baseline: str, ops: int, samples: dict[str, list[Sample]]) -> list[Row]:
    wall = {name: [s.wall for s in values] for name, values in samples.items()}
    ratio = median(wall["infrar"]) / median(wall[baseline])
    paired = median([a / b for a, b in zip(wall["infrar"], wall[baseline], strict=True)])
    return [Row(f"{title}: wall", "s", median(wall["infrar"]), median(wall[baseline]), baseline, ratio,
                f"<= {TIME_TARGET}", ratio <= TIME_TARGET,
                note=f"{len(wall['infrar'])} reps; median of per-rep ratios {paired:.3f}; "
                     f"infrar {median(wall['infrar']) / ops * 1e6:,.1f} us per op", samples=wall)]


def run_pair(sides: dict[str, Callable[[int], None]], blocks: int, reps: int) -> dict[str, list[Sample]]:
    for side in sides.values():  # warm-up: connections, statements, imports
        side(blocks + 1)
    return interleaved(sides, blocks, reps)


def bench_cache(ops: int = 10_000, reps: int = 5, keys: int = 100) -> list[Row]:
    """The cache rows: Redis get+set, Redis get_many, local get+set."""
    rows: list[Row] = []
    blocks = max(ops // BLOCK, 1)
    with redis_server() as url, provider("aws", {"REDIS_URL": url}):
        log(f"cache: {ops:,} get+set x 2 sides x {reps} reps on {url}")
        rows += rows_for(f"{ops:,} cache get+set (Redis)", "redis-py", ops,
                         run_pair(redis_sides(url), blocks, reps))
        log(f"cache: get_many of {keys} keys x 10 per block")
        rows += rows_for(f"cache get_many of {keys} keys (Redis)", "redis-py", 10 * 20,
                         run_pair(get_many_sides(url, keys), 20, reps))
    with tempfile.TemporaryDirectory(prefix="infrar-bench-local-") as root, \
            provider("local", {"INFRAR_LOCAL_ROOT": root}):
        log(f"cache: {ops:,} get+set on local x {reps} reps")
        rows += rows_for(f"{ops:,} cache get+set (local)", "sqlite3", ops,
                         run_pair(local_sides(Path(root)), blocks, reps))
    return rows


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.cache", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="get+set pairs per repetition (default 10000)")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions (default 5)")
    args: Any = parser.parse_args(argv)
    print(format_table(bench_cache(args.ops, args.reps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
