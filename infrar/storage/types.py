"""Values the storage API hands back: plain stdlib classes, one set for every provider.

Erase copies these definitions into an erased module when the program reaches them,
so they stay small and depend on nothing but the standard library.
"""

from __future__ import annotations

from datetime import datetime
from os import PathLike
from typing import BinaryIO, NamedTuple, Union

# What `upload` reads from and `download` writes to: a filesystem path or a binary file object.
PathOrFile = Union[str, "PathLike[str]", BinaryIO]


class ObjectInfo(NamedTuple):
    """One object in a bucket, as listed."""

    key: str
    size: int
    last_modified: datetime  # timezone-aware, UTC
    etag: str  # provider's entity tag without surrounding quotes
