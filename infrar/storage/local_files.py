"""The local-file side of a download, shared by every adapter.

A download to a path is written to a temporary file beside it and renamed into place, so
a reader never sees half a file and a failure leaves the destination as it was. Adapters
import this module like ``rules``; erase copies it with the bodies that reach it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from infrar.errors import NotFound


def download_atomically(destination: str | os.PathLike[str], fill: Callable[[BinaryIO], None], what: str) -> None:
    """Call ``fill`` with a temporary file beside ``destination``, then rename it over it.

    ``what`` names the object in messages (``bucket/key``).
    """
    target = os.path.abspath(os.fspath(destination))
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise NotFound(f"cannot download {what}: directory {parent!r} does not exist")
    handle, temp = tempfile.mkstemp(dir=parent, prefix=f".{os.path.basename(target)}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            fill(out)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise
