"""The local-file side of uploads and downloads, shared by every adapter.

A download to a path is written to a temporary file beside it and renamed into place, so
a reader never sees half a file and a failure leaves the destination as it was. A writer
holds an exclusive ``flock`` on its temporary file until the rename, so the sweep of
temporary files a killed process left behind (older than ``STALE_AFTER_SECONDS`` and
locked by nobody) never takes one that is still being written. Local file errors become
infrar errors naming the user's path, never the temporary one. Adapters import this
module like ``rules``; erase copies it with the bodies that reach it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from typing import BinaryIO

from infrar.errors import InfrarError, InvalidArgument, NotFound, PermissionDenied

# A temporary file untouched for this long, and locked by no writer, was left by a killed process.
STALE_AFTER_SECONDS = 3600


def download_atomically(destination: str, fill: Callable[[BinaryIO], None], what: str) -> None:
    """Call ``fill`` with a temporary file beside ``destination``, then rename it over it.

    ``what`` names the object in messages (``bucket/key``).
    """
    target = os.path.abspath(destination)
    if os.path.isdir(target):
        raise destination_error(IsADirectoryError(21, "Is a directory"), destination, what)
    parent, name = os.path.split(target)
    if not os.path.isdir(parent):
        raise NotFound(f"cannot download {what}: directory {parent!r} does not exist")
    prefix = f".{name[:64]}."
    sweep_stale(parent, prefix, ".part")
    try:
        handle, temp = tempfile.mkstemp(dir=parent, prefix=prefix, suffix=".part")
    except OSError as exc:
        raise destination_error(exc, destination, what) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            hold(out.fileno())
            fill(out)
            out.flush()
            # Renamed while still locked, so a sweep can never take it half-way.
            os.replace(temp, target)
    except BaseException as exc:
        discard(temp)
        if isinstance(exc, InfrarError) or not isinstance(exc, OSError):
            raise
        raise destination_error(exc, destination, what) from exc


def hold(descriptor: int, wait: bool = True) -> None:
    """Mark a temporary file as being written: the sweep skips files someone holds.

    With ``wait=False`` (the sweep's own take) OSError if a live writer holds it.
    """
    try:
        import fcntl  # POSIX only; imported here so that the module imports everywhere
    except ImportError:
        return  # no flock (Windows): the age bound alone protects a live writer
    fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)


def discard(temp: str) -> None:
    """Remove a temporary file that was not renamed into place (it may be gone already)."""
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass


def sweep_stale(directory: str, prefix: str, suffix: str) -> None:
    """Delete temporary files ``prefix*suffix`` in ``directory`` that a killed writer left.

    A file is taken only when it is older than STALE_AFTER_SECONDS and its lock is free;
    a live writer holds the lock from creation to rename. Errors are ignored: the sweep
    is housekeeping and must never fail the call that runs it.
    """
    now = time.time()
    try:
        with os.scandir(directory) as scan:
            candidates = [entry.path for entry in scan if entry.name.startswith(prefix)
                          and entry.name.endswith(suffix) and entry.is_file(follow_symlinks=False)]
    except OSError:
        return
    for path in candidates:
        try:
            if now - os.stat(path, follow_symlinks=False).st_mtime < STALE_AFTER_SECONDS:
                continue
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            hold(descriptor, wait=False)
            os.unlink(path)
        except OSError:
            pass  # held by a live writer, or renamed into place meanwhile
        finally:
            os.close(descriptor)


def source_error(exc: OSError, path: str, what: str) -> InfrarError:
    """The infrar error for ``exc`` raised opening or reading local file ``path`` to upload to ``what``."""
    if isinstance(exc, FileNotFoundError):
        return NotFound(f"cannot upload to {what}: local file {path!r} does not exist")
    if isinstance(exc, IsADirectoryError):
        return InvalidArgument(
            f"cannot upload to {what}: local path {path!r} is a directory; upload takes one file "
            "(pass the path of a file, or upload each file of the directory)"
        )
    if isinstance(exc, PermissionError):
        return PermissionDenied(
            f"cannot upload to {what}: may not read local file {path!r} ({exc.strerror}); check its permissions"
        )
    return InfrarError(f"cannot upload to {what}: cannot read local file {path!r} ({exc.strerror or exc})")


def destination_error(exc: OSError, path: str, what: str) -> InfrarError:
    """The infrar error for ``exc`` raised writing the download of ``what`` to local ``path``."""
    if isinstance(exc, IsADirectoryError):
        return InvalidArgument(
            f"cannot download {what} to {path!r}: it is a directory; name the file to write, "
            f"e.g. {os.path.join(path, os.path.basename(what))!r}"
        )
    if isinstance(exc, PermissionError):
        return PermissionDenied(
            f"cannot download {what} to {path!r}: may not write in {os.path.dirname(os.path.abspath(path))!r} "
            f"({exc.strerror}); check the directory's permissions"
        )
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        return NotFound(f"cannot download {what} to {path!r}: its directory does not exist ({exc.strerror})")
    return InfrarError(f"cannot download {what} to {path!r}: {exc.strerror or exc}")
