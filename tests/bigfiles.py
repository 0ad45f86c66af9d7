"""Large-file helpers shared by the transfer tests: make, hash and watch memory."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

MIB = 1024 * 1024


def write_big_file(path: Path, size: int) -> str:
    """Write ``size`` bytes, no two MiB blocks alike (so nothing dedupes), and return the sha256."""
    digest = hashlib.sha256()
    block = os.urandom(MIB)
    with open(path, "wb") as out:
        for index in range(-(-size // MIB)):
            chunk = (index.to_bytes(8, "big") + block[8:])[: min(MIB, size - index * MIB)]
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(4 * MIB), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def peak_rss_growth() -> Iterator[list[int]]:
    """Samples this process's RSS in a thread; the list holds the peak growth afterwards."""
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = [baseline]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    growth = [0]
    try:
        yield growth
    finally:
        done.set()
        sampler.join()
        growth[0] = peak[0] - baseline
