"""Imports erase adds fold into the user's plain ones from the same module, and only those."""
from datetime import timedelta  # the comment stays on the line
from typing import Optional, cast
from collections.abc import Sized as Iterator
from botocore.exceptions import ClientError

from infrar.storage import ObjectInfo, iter_objects

try:
    from botocore.config import Config
except ImportError:
    Config = None
ClientError = RuntimeError


def newest(bucket: str) -> Optional[ObjectInfo]:
    found = cast(list, [o for o in iter_objects(bucket)])
    return max(found, key=lambda o: o.last_modified, default=None) if Config or timedelta else None
