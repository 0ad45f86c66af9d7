"""Object storage: one API on local files, S3, Google Cloud Storage and Azure Blob.

Every function dispatches on INFRAR_PROVIDER to the adapter class named in this
package's plugin.yaml. Errors are the infrar.errors tree (also builtins):
NotFound for a missing bucket or object, PermissionDenied, Unavailable, InvalidArgument.
"""

from __future__ import annotations

from collections.abc import Iterator

from infrar.dispatch import adapter as _adapter
from infrar.storage.types import ObjectInfo, PathOrFile

__all__ = [
    "ObjectInfo",
    "delete",
    "download",
    "exists",
    "iter_objects",
    "list_objects",
    "read_bytes",
    "signed_url",
    "upload",
    "write_bytes",
]

_DOMAIN = "storage"


def upload(bucket: str, source: PathOrFile, destination: str) -> None:
    """Upload a local file (path or binary file object) to ``bucket`` as key ``destination``.

    Large files stream in parts; the file is never read whole into memory.
    """
    _adapter(_DOMAIN).upload(bucket, source, destination)


def download(bucket: str, source: str, destination: PathOrFile) -> None:
    """Download key ``source`` of ``bucket`` to a local path or a binary file object.

    A path is written to a temporary file beside it and renamed: a failure leaves no partial file.
    """
    _adapter(_DOMAIN).download(bucket, source, destination)


def list_objects(bucket: str, prefix: str = "") -> list[str]:
    """Keys in ``bucket`` that start with ``prefix``, sorted."""
    keys: list[str] = _adapter(_DOMAIN).list_objects(bucket, prefix)
    return keys


def delete(bucket: str, path: str) -> None:
    """Delete key ``path`` from ``bucket``; NotFound if it does not exist."""
    _adapter(_DOMAIN).delete(bucket, path)


def write_bytes(bucket: str, key: str, data: bytes) -> None:
    """Store ``data`` as key ``key`` of ``bucket``, replacing any existing object."""
    _adapter(_DOMAIN).write_bytes(bucket, key, data)


def read_bytes(bucket: str, key: str) -> bytes:
    """The whole content of key ``key`` of ``bucket``."""
    data: bytes = _adapter(_DOMAIN).read_bytes(bucket, key)
    return data


def exists(bucket: str, key: str) -> bool:
    """Whether key ``key`` exists in ``bucket`` (False when the bucket does not exist either)."""
    found: bool = _adapter(_DOMAIN).exists(bucket, key)
    return found


def iter_objects(bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
    """Lazily page through the objects under ``prefix``, in key order, holding one page at a time."""
    objects: Iterator[ObjectInfo] = _adapter(_DOMAIN).iter_objects(bucket, prefix)
    return objects


def signed_url(bucket: str, key: str, expires_in: int = 3600, method: str = "GET") -> str:
    """A URL that lets its holder GET (download) or PUT (upload) ``key`` for ``expires_in`` seconds."""
    url: str = _adapter(_DOMAIN).signed_url(bucket, key, expires_in, method)
    return url
