"""Local storage under concurrent writers, readers and deleters, and after a killed writer.

Sibling keys share a directory, which a delete prunes when it empties it; these are the
interleavings that lost writes (issue 15). Every operation must succeed or say NotFound,
and every read must return one whole value some writer wrote.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infrar import storage
from infrar.errors import NotFound
from infrar.storage import local_files

BUCKET = "races"
SIBLINGS = ["d/a", "d/b", "d/c", "d/e"]


@pytest.fixture
def fast_root(infrar_local: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """INFRAR_LOCAL_ROOT on tmpfs where there is one: the races are the same on any POSIX
    filesystem, and there a mkdir/rmdir pair costs microseconds instead of milliseconds."""
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    root = Path(tempfile.mkdtemp(prefix="infrar-races-", dir=base))
    monkeypatch.setenv("INFRAR_LOCAL_ROOT", str(root))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _value(writer: int, round_: int) -> bytes:
    # Long enough that a torn read would show; each value names its writer and round.
    return f"{writer}:{round_}:".encode() * 512


def _is_whole(data: bytes) -> bool:
    head = data.split(b":", 2)
    return len(head) == 3 and data == f"{head[0].decode()}:{head[1].decode()}:".encode() * 512


def _churn(writer: int, rounds: int) -> list[str]:
    """Write, read a sibling, read own, delete: the loop of the issue's reproducer."""
    problems: list[str] = []
    own, other = SIBLINGS[writer % 4], SIBLINGS[(writer + 1) % 4]
    for round_ in range(rounds):
        try:
            storage.write_bytes(BUCKET, own, _value(writer, round_))
            if storage.read_bytes(BUCKET, own) != _value(writer, round_):
                problems.append(f"own read of {own} in round {round_} was not the value written")
            try:
                if not _is_whole(storage.read_bytes(BUCKET, other)):
                    problems.append(f"torn read of {other}")
            except NotFound:
                pass
            storage.exists(BUCKET, other)
            if round_ % 10 == 0:
                storage.list_objects(BUCKET, "d/")
            storage.delete(BUCKET, own)
        except Exception as exc:  # every failure is the finding, whatever its class
            problems.append(f"{type(exc).__name__}: {exc}")
    return problems


def _process_main(args: tuple[str, int, int]) -> list[str]:
    root, writer, rounds = args
    os.environ["INFRAR_LOCAL_ROOT"] = root
    os.environ["INFRAR_PROVIDER"] = "local"
    return _churn(writer, rounds)


def test_two_threads_on_sibling_keys_never_fail(fast_root: Path) -> None:
    results: list[list[str]] = [[], []]

    def run(writer: int) -> None:
        results[writer] = _churn(writer, 3000)

    threads = [threading.Thread(target=run, args=(writer,)) for writer in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[], []]
    assert storage.list_objects(BUCKET) == []
    assert os.listdir(fast_root / "storage" / BUCKET) == []  # every emptied directory pruned


def test_four_processes_on_sibling_keys_never_fail(fast_root: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.map(_process_main, [(str(fast_root), writer, 2000) for writer in range(4)])
    assert results == [[], [], [], []]
    assert storage.list_objects(BUCKET) == []
    assert os.listdir(fast_root / "storage" / ".partial") == []  # no temp file left behind


def test_reads_and_deletes_racing_one_key_are_whole_or_not_found(fast_root: Path) -> None:
    # The check-then-act in read_bytes and delete surfaced a raw FileNotFoundError.
    problems: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                if not _is_whole(storage.read_bytes(BUCKET, "one/key")):
                    problems.append("torn read")
            except NotFound as exc:
                if type(exc) is not NotFound:
                    problems.append(repr(exc))
            except Exception as exc:
                problems.append(f"{type(exc).__name__}: {exc}")

    def deleter() -> None:
        while not stop.is_set():
            try:
                storage.delete(BUCKET, "one/key")
            except NotFound:
                pass
            except Exception as exc:
                problems.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader), threading.Thread(target=deleter)]
    for thread in threads:
        thread.start()
    for round_ in range(1500):
        storage.write_bytes(BUCKET, "one/key", _value(9, round_))
    stop.set()
    for thread in threads:
        thread.join()
    assert problems == []


def _temp(directory: Path, name: str, age: float) -> Path:
    path = directory / name
    path.write_bytes(b"left by a killed process")
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_stale_upload_temps_are_swept_and_live_ones_kept(infrar_local: Path) -> None:
    partial = infrar_local / "storage" / ".partial"
    partial.mkdir(parents=True)
    old = local_files.STALE_AFTER_SECONDS + 60
    stale = _temp(partial, "upload-stale", old)
    fresh = _temp(partial, "upload-fresh", 5)
    held = _temp(partial, "upload-held", old)
    other = _temp(partial, "not-ours", old)
    with open(held, "rb") as live_writer:
        local_files.hold(live_writer.fileno())  # what a writer still at work holds
        storage.write_bytes(BUCKET, "k", b"x")  # a write sweeps on its way
        assert sorted(p.name for p in partial.iterdir()) == sorted([fresh.name, held.name, other.name])
    assert not stale.exists()


def test_stale_download_temps_beside_the_destination_are_swept(infrar_local: Path, tmp_path: Path) -> None:
    storage.write_bytes(BUCKET, "k", b"content")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    old = local_files.STALE_AFTER_SECONDS + 60
    stale = _temp(downloads, ".report.csv.abc123.part", old)
    fresh = _temp(downloads, ".report.csv.def456.part", 5)
    unrelated = _temp(downloads, ".other.csv.abc123.part", old)
    storage.download(BUCKET, "k", str(downloads / "report.csv"))
    assert (downloads / "report.csv").read_bytes() == b"content"
    assert not stale.exists()
    assert fresh.exists() and unrelated.exists()


@pytest.mark.parametrize("segment_bytes", [255, 256, 300, 1000])
def test_long_segments_map_to_file_names_the_filesystem_accepts(infrar_local: Path, segment_bytes: int) -> None:
    long = "é" * (segment_bytes // 2) + "x" * (segment_bytes % 2)
    keys = sorted([f"top/{long}/child", f"top/{long[:-1]}", f"top/{long}z", f"top/a{long}", "top/plain"])
    for key in keys:
        storage.write_bytes(BUCKET, key, key.encode())
    assert storage.list_objects(BUCKET, "top/") == keys
    for key in keys:
        assert storage.read_bytes(BUCKET, key) == key.encode()
        assert storage.exists(BUCKET, key)
    for path in (infrar_local / "storage" / BUCKET).rglob("*"):
        assert len(path.name.encode()) <= 255
    for key in keys:
        storage.delete(BUCKET, key)
    assert os.listdir(infrar_local / "storage" / BUCKET) == []


def test_existing_files_keep_their_keys(infrar_local: Path) -> None:
    # A file of up to 255 bytes of name, written before the mapping existed, is its own key.
    directory = infrar_local / "storage" / BUCKET / "old"
    directory.mkdir(parents=True)
    (directory / ("n" * 255)).write_bytes(b"from before")
    assert storage.list_objects(BUCKET) == ["old/" + "n" * 255]
    assert storage.read_bytes(BUCKET, "old/" + "n" * 255) == b"from before"
