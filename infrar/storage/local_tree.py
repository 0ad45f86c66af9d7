"""How the local provider lays keys out as files, safe under any interleaving of callers.

Key ``a/b/c`` of a bucket is the file ``<bucket>/a/b/c``. A segment longer than a file name
may be (255 bytes of UTF-8 on every common filesystem) is cut into pieces of at most
``PIECE_BYTES``: each piece but the last is a directory whose name ends with ``CONTINUED``
(a backslash, which no local key may contain), so every key a filesystem could hold before
keeps its plain path and the walk turns such a chain back into one segment.

Nothing here checks and then acts: a delete prunes the directories it leaves empty with
``rmdir`` (which fails on a directory that is not empty), and a writer whose directory was
pruned between its ``mkdir`` and its ``os.replace`` makes it again and retries. So writers,
readers and deleters on any keys, in threads or processes, never see each other's steps.
"""

from __future__ import annotations

import errno
import heapq
import os
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from infrar.storage.types import ObjectInfo

NAME_MAX = 255
PIECE_BYTES = 200
CONTINUED = "\\"
# A writer retries at most this many times when deletes keep pruning its directory.
_PLACE_ATTEMPTS = 1000


def key_path(directory: Path, key: str) -> Path:
    """The file that holds ``key`` in the bucket directory ``directory``."""
    parts: list[str] = []
    for segment in key.split("/"):
        parts.extend(_pieces(segment))
    return directory.joinpath(*parts)


def _pieces(segment: str) -> list[str]:
    if len(segment.encode("utf-8")) <= NAME_MAX:
        return [segment]
    pieces: list[str] = []
    current, size = "", 0
    for char in segment:
        width = len(char.encode("utf-8"))
        if size + width > PIECE_BYTES:
            pieces.append(current + CONTINUED)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return pieces


def place(temp: str, target: Path, stop: Path) -> None:
    """Rename ``temp`` to ``target``, making the directories between ``stop`` and it.

    Raises NotADirectoryError when a parent of ``target`` is a file (an object) and
    IsADirectoryError when ``target`` is a directory holding other objects.
    """
    for _ in range(_PLACE_ATTEMPTS):
        try:
            os.replace(temp, target)
            return
        except FileNotFoundError:
            if not os.path.lexists(temp):
                raise
            _make_parents(target.parent, stop)
        except IsADirectoryError:
            # An empty directory is what a prune has not reached yet (or a PUT URL made):
            # no key lives there, so it may go; one holding objects is a real conflict.
            _remove_empty(target)
    raise OSError(errno.EBUSY, "the directory kept disappearing under concurrent deletes", str(target))


def make_parents(target: Path, stop: Path) -> None:
    """Make the directories between ``stop`` and ``target`` (for a signed PUT URL)."""
    for _ in range(_PLACE_ATTEMPTS):
        _make_parents(target.parent, stop)
        if target.parent.is_dir():
            return


def _make_parents(directory: Path, stop: Path) -> None:
    chain: list[Path] = []
    while directory != stop and directory != directory.parent:
        chain.append(directory)
        directory = directory.parent
    for step in reversed(chain):
        try:
            os.mkdir(step)
        except FileExistsError:
            # One lstat, not is_dir() then exists(): a concurrent prune and mkdir between two
            # checks would make a directory look like a file.
            try:
                mode = os.lstat(step).st_mode
            except FileNotFoundError:
                return  # pruned meanwhile: the caller tries again
            if not stat.S_ISDIR(mode):
                raise NotADirectoryError(errno.ENOTDIR, "a parent of the key is an object", str(step)) from None
        except FileNotFoundError:
            return  # a parent was pruned meanwhile: the caller tries again


def _remove_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except (FileNotFoundError, NotADirectoryError):
        return  # gone, or another writer's object now: the caller tries again
    except OSError as exc:
        raise IsADirectoryError(errno.EISDIR, "other keys start with this key and '/'", str(directory)) from exc


def prune(directory: Path, stop: Path) -> None:
    """Remove ``directory`` and its parents up to ``stop`` while they are empty."""
    while directory != stop and stop in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return  # not empty (another key lives there), or already gone
        directory = directory.parent


def walk(directory: Path, prefix: str, key_prefix: str = "") -> Iterator[ObjectInfo]:
    """The objects under ``directory`` whose keys start with ``prefix``, in key order.

    A directory or file that a concurrent delete removes while this runs is skipped.
    """
    entries = _entries(directory, key_prefix)
    index = 0
    while index < len(entries):
        text = entries[index][0]
        end = index + 1
        if entries[index][1] == "chain":
            # A chain's keys run on into the names that share its text; merge those few.
            while end < len(entries) and entries[end][0].startswith(text):
                end += 1
        group = [_items(entry, prefix) for entry in entries[index:end]]
        if len(group) == 1:
            yield from group[0]
        else:
            yield from heapq.merge(*group, key=lambda info: info.key)
        index = end


def _entries(directory: Path, key_prefix: str) -> list[tuple[str, str, str]]:
    # (the key text this entry stands for, its kind, its path), sorted by that text so that
    # keys come out in plain string order, as every cloud lists them.
    found: list[tuple[str, str, str]] = []
    try:
        with os.scandir(directory) as scan:
            for entry in scan:
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if not is_dir:
                    found.append((key_prefix + entry.name, "file", entry.path))
                elif entry.name.endswith(CONTINUED):
                    found.append((key_prefix + entry.name[:-1], "chain", entry.path))
                else:
                    found.append((key_prefix + entry.name + "/", "dir", entry.path))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found.sort()
    return found


def _items(entry: tuple[str, str, str], prefix: str) -> Iterator[ObjectInfo]:
    key, kind, path = entry
    if not (key.startswith(prefix) or prefix.startswith(key)):
        return
    if kind != "file":
        yield from walk(Path(path), prefix, key)
        return
    if not key.startswith(prefix):
        return
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield ObjectInfo(
        key=key,
        size=found.st_size,
        last_modified=datetime.fromtimestamp(found.st_mtime, tz=timezone.utc),
        etag=f"{found.st_mtime_ns:x}-{found.st_size:x}",
    )
