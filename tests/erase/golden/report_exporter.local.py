"""Report exporter: build a CSV sales report, export it to the bucket two ways, and pull it back.

Covers: `from infrar import storage`, upload from a binary file object (io.BytesIO and an open
file), download to a path and to a file object, nested functions (a closure calling the SDK),
and a parameter named `storage` in a helper that shadows the module.
"""

import csv
import io
import os
import tempfile
from pathlib import Path
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import BinaryIO, NamedTuple, Union


# What `upload` reads from and `download` writes to: a filesystem path or a binary file object.
PathOrFile = Union[str, "PathLike[str]", BinaryIO]


def _check_bucket(bucket: object, rule: tuple[re.Pattern[str], str]) -> str:
    """Return ``bucket`` if it obeys ``rule``, else raise InvalidArgument stating the rule."""
    if not isinstance(bucket, str):
        raise ValueError(
            f"bucket must be a str, got {type(bucket).__name__} {bucket!r}; pass the bucket name"
        )
    pattern, words = rule
    if not pattern.match(bucket):
        raise ValueError(f"invalid bucket name {bucket!r}: a bucket name is {words}")
    return bucket


# (pattern, the rule in words) per provider family.
_PORTABLE_BUCKET = (
    re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits and single hyphens, "
    "starting and ending with a letter or digit (the rule every cloud accepts)",
)


def _storage_root() -> Path:
    """``<INFRAR_LOCAL_ROOT>/storage``; buckets are directories under it.

    Read on every call (it is one environment lookup) so that a test or script that
    changes INFRAR_LOCAL_ROOT is obeyed at once.
    """
    return Path(os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar").absolute() / "storage"


def _bucket_dir(bucket: object) -> Path:
    return _storage_root() / _check_bucket(bucket, _PORTABLE_BUCKET)


_MAX_KEY_BYTES = 1024


def _check_key(key: object, bucket: str, what: str = "key") -> str:
    """Return ``key`` if every provider can store it, else raise InvalidArgument."""
    if not isinstance(key, str):
        raise ValueError(
            f"{what} in bucket {bucket!r} must be a str, got {type(key).__name__} {key!r}"
        )
    if not key:
        raise ValueError(f"{what} in bucket {bucket!r} is empty; name the object, e.g. 'data/file.txt'")
    if len(key.encode("utf-8")) > _MAX_KEY_BYTES:
        raise ValueError(
            f"{what} in bucket {bucket!r} is {len(key.encode('utf-8'))} bytes of UTF-8; "
            f"keys are at most {_MAX_KEY_BYTES} bytes"
        )
    if "\x00" in key or "\r" in key or "\n" in key:
        raise ValueError(
            f"{what} {key!r} in bucket {bucket!r} contains NUL or a line break; remove it"
        )
    return key


def _check_local_key(key: object, bucket: str, what: str = "key") -> str:
    text = _check_key(key, bucket, what)
    if "\\" in text or text.startswith("/") or text.endswith("/"):
        raise ValueError(
            f"{what} {text!r} in bucket {bucket!r} is not a relative key: no backslashes, "
            "no leading or trailing '/'; write it like 'dir/file.txt'"
        )
    if any(part in ("", ".", "..") for part in text.split("/")):
        raise ValueError(
            f"{what} {text!r} in bucket {bucket!r} has an empty, '.' or '..' segment; "
            "keys may not climb out of their bucket"
        )
    return text


_PARTIAL_DIR = ".partial"  # bucket names cannot start with '.', so this never collides
_CHUNK = 1024 * 1024


def _write_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    target = _bucket_dir(bucket) / _check_local_key(key, bucket)
    partial = _storage_root() / _PARTIAL_DIR
    partial.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=partial, prefix="upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(stream, out, _CHUNK)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
    except (NotADirectoryError, FileExistsError) as exc:
        os.unlink(temp)
        raise ValueError(
            f"key {key!r} in bucket {bucket!r} cannot be stored locally: a parent of it is "
            "already an object, and local storage maps '/' to directories; rename one of them"
        ) from exc
    except IsADirectoryError as exc:
        os.unlink(temp)
        raise ValueError(
            f"key {key!r} in bucket {bucket!r} cannot be stored locally: other keys already "
            f"start with '{key}/'; rename one of them"
        ) from exc
    except PermissionError as exc:
        os.unlink(temp)
        raise PermissionError(f"may not write {key!r} in bucket {bucket!r}: {exc.strerror}") from exc
    except BaseException:
        os.unlink(temp)
        raise


def _upload(bucket: str, source: PathOrFile, destination: str) -> None:
    _check_bucket(bucket, _PORTABLE_BUCKET)
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as stream:
                _write_stream(bucket, destination, stream)
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"cannot upload to {bucket}/{destination}: local file {str(source)!r} does not exist"
            ) from exc
    else:
        _write_stream(bucket, destination, source)


class ObjectInfo(NamedTuple):
    """One object in a bucket, as listed."""

    key: str
    size: int
    last_modified: datetime  # timezone-aware, UTC
    etag: str  # provider's entity tag without surrounding quotes


def _check_prefix(prefix: object, bucket: str) -> str:
    """Return ``prefix`` (may be empty) if it is a str a key could start with."""
    if not isinstance(prefix, str):
        raise ValueError(
            f"prefix for bucket {bucket!r} must be a str, got {type(prefix).__name__} {prefix!r}"
        )
    if prefix:
        _check_key(prefix, bucket, what="prefix")
    return prefix


def _existing_bucket_dir(bucket: object) -> Path:
    directory = _bucket_dir(bucket)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"bucket {bucket!r} does not exist under {directory.parent}; "
            "a local bucket is created by its first write"
        )
    return directory


def _walk(directory: Path, prefix: str, key_prefix: str) -> Iterator[ObjectInfo]:
    # Sort by the text each entry contributes to a key ('dir/' vs 'file') so that keys come
    # out in plain string order, as every cloud lists them.
    entries = []
    with os.scandir(directory) as found:
        for entry in found:
            is_dir = entry.is_dir(follow_symlinks=False)
            entries.append((entry.name + ("/" if is_dir else ""), is_dir, entry))
    entries.sort()
    for text, is_dir, entry in entries:
        key = key_prefix + text
        if not (key.startswith(prefix) or prefix.startswith(key)):
            continue
        if is_dir:
            yield from _walk(Path(entry.path), prefix, key)
        elif key.startswith(prefix):
            stat = entry.stat()
            yield ObjectInfo(
                key=key,
                size=stat.st_size,
                last_modified=datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc),
                etag=f"{stat.st_mtime_ns:x}-{stat.st_size:x}",
            )


def _iter_objects(bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
    _check_prefix(prefix, _check_bucket(bucket, _PORTABLE_BUCKET))
    directory = _existing_bucket_dir(bucket)
    return _walk(directory, prefix, "")


def _object_file(bucket: object, key: object) -> Path:
    directory = _existing_bucket_dir(bucket)
    path = directory / _check_local_key(key, str(bucket))
    if not path.is_file():
        raise FileNotFoundError(f"object {key!r} does not exist in bucket {bucket!r}")
    return path


def _download_atomically(destination: str | os.PathLike[str], fill: Callable[[BinaryIO], None], what: str) -> None:
    """Call ``fill`` with a temporary file beside ``destination``, then rename it over it.

    ``what`` names the object in messages (``bucket/key``).
    """
    target = os.path.abspath(os.fspath(destination))
    parent = os.path.dirname(target)
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"cannot download {what}: directory {parent!r} does not exist")
    handle, temp = tempfile.mkstemp(dir=parent, prefix=f".{os.path.basename(target)}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            fill(out)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


def _download(bucket: str, source: str, destination: PathOrFile) -> None:
    path = _object_file(bucket, source)
    with open(path, "rb") as stream:
        if isinstance(destination, (str, os.PathLike)):
            _download_atomically(destination, lambda out: shutil.copyfileobj(stream, out, _CHUNK),
                                f"{bucket}/{source}")
        else:
            shutil.copyfileobj(stream, destination, _CHUNK)


BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))

SALES = [
    ("north", "widgets", 120),
    ("north", "gadgets", 45),
    ("south", "widgets", 80),
    ("east", "gizmos", 12),
    ("south", "gizmos", 33),
]


def render(rows: list[tuple[str, str, int]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["region", "product", "units"])
    writer.writerows(rows)
    return text.getvalue().encode()


def totals(storage: dict[str, int], rows: list[tuple[str, str, int]]) -> dict[str, int]:
    """`storage` here is a plain dict: the parameter shadows the module inside this function."""
    for region, _, units in rows:
        storage[region] = storage.get(region, 0) + units
    return storage


def make_exporter(prefix: str):
    def export(name: str, payload: bytes) -> str:
        key = f"{prefix}/{name}"
        _upload(BUCKET, io.BytesIO(payload), key)
        return key

    return export


def main() -> None:
    export = make_exporter("reports/2024-q1")
    csv_key = export("sales.csv", render(SALES))
    summary = "".join(f"{region}={units}\n" for region, units in sorted(totals({}, SALES).items()))
    summary_path = WORKDIR / "summary.txt"
    summary_path.write_text(summary)
    with open(summary_path, "rb") as handle:
        _upload(BUCKET, handle, "reports/2024-q1/summary.txt")
    print("exported:", [info.key for info in _iter_objects(BUCKET, "reports/")])

    target = WORKDIR / "downloaded.csv"
    _download(BUCKET, csv_key, target)
    print("csv rows:", len(target.read_text().splitlines()) - 1)

    buffer = io.BytesIO()
    _download(BUCKET, "reports/2024-q1/summary.txt", buffer)
    print("summary:", buffer.getvalue().decode().split())

    with open(WORKDIR / "copy.csv", "wb") as out:
        _download(BUCKET, csv_key, out)
    print("copies equal:", (WORKDIR / "copy.csv").read_bytes() == target.read_bytes())


if __name__ == "__main__":
    main()
