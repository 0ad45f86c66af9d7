"""Parallel uploader: push a directory of exports with a thread pool, then fetch them back
concurrently and compare.

Covers: SDK calls from worker threads (the lazily built client is shared by every thread),
`pool.map` over a lambda that calls the SDK (the way to pass an SDK function around: erase
replaces calls, not function values), upload from paths and download into io.BytesIO, and
`import infrar.storage as storage` (an alias equal to the module's own name).
"""

import hashlib
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import re
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, BinaryIO, NamedTuple, Union

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError as BotoConnectionError,
    CredentialRetrievalError,
    IncompleteReadError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    ResponseStreamingError,
)
from s3transfer.exceptions import RetriesExceededError as TransferRetriesExceeded


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


_S3_BUCKET = (
    re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending "
    "with a letter or digit, not an IP address (S3 bucket naming rules)",
)
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


def _check_object(bucket: object, key: object) -> tuple[str, str]:
    name = _check_bucket(bucket, _S3_BUCKET)
    return name, _check_key(key, name)


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


_s3: Any = None
_lock = threading.Lock()
_DEFAULT_REGION = "us-east-1"


def _region(configured: str | None) -> str:
    # botocore resolved AWS_DEFAULT_REGION, then the profile's region, into `configured`;
    # an explicit AWS_DEFAULT_REGION still wins over AWS_REGION, as the AWS CLI does.
    if os.environ.get("AWS_DEFAULT_REGION"):
        return os.environ["AWS_DEFAULT_REGION"]
    return os.environ.get("AWS_REGION") or configured or _DEFAULT_REGION


def _client_config() -> Config:
    """Bounded retries and a short connect timeout: an unreachable endpoint fails in seconds.

    Three attempts in all (the first and two retries) in botocore's "standard" mode:
    jittered exponential backoff of at most 1 s then 2 s, retrying throttling, 5xx and
    connection errors. SigV4 everywhere, so signed URLs are V4 in every region.
    """
    return Config(
        retries={"mode": "standard", "total_max_attempts": 3},
        connect_timeout=3,
        read_timeout=60,
        signature_version="s3v4",
    )


def _build_s3() -> Any:
    global _s3
    with _lock:
        if _s3 is None:
            session = boto3.session.Session()
            region = _region(session.region_name)
            _s3 = session.client("s3", region_name=region, config=_client_config())
        return _s3


def _clients_s3() -> Any:
    """The process's S3 client, built on first use (boto3 clients are thread-safe)."""
    client = _s3
    if client is None:
        client = _build_s3()
    return client


_MIB = 1024 * 1024


def _transfer_config() -> TransferConfig:
    """How upload/download stream: 8 MiB parts, 4 at a time, never the whole file in memory.

    Files larger than 8 MiB go up as multipart uploads and come down as ranged GETs. A
    path is read part by part from disk; a file object is read into at most
    ``max_in_memory_upload_chunks`` parts at once (s3transfer's bound, lowered from 10).
    """
    config = TransferConfig(
        multipart_threshold=8 * _MIB,
        multipart_chunksize=8 * _MIB,
        max_concurrency=4,
    )
    # An s3transfer setting boto3's constructor does not expose (TransferManager reads it):
    # no read-ahead beyond the parts being sent, so a stream costs ~4 x 8 MiB, not 10 x.
    config.max_in_memory_upload_chunks = 4
    return config


# Every exception an S3 call can raise that is not the caller's own (a local file error,
# say): adapters catch exactly this tuple and hand it to translate_error.
_SDK_ERRORS: tuple[type[Exception], ...] = (
    ClientError,
    BotoCoreError,
    Boto3Error,
    TransferRetriesExceeded,
)


def _root_cause(exc: BaseException) -> BaseException:
    # boto3's upload_file wraps a ClientError in S3UploadFailedError (as __context__, not
    # __cause__), and s3transfer wraps the last failed attempt of a download.
    if isinstance(exc, TransferRetriesExceeded) and isinstance(exc.last_exception, BaseException):
        return _root_cause(exc.last_exception)
    context = exc.__context__
    if isinstance(exc, Boto3Error) and isinstance(context, (ClientError, BotoCoreError)):
        wrapped: BaseException = context
        return wrapped
    return exc


def _error_code(exc: BaseException) -> str:
    """S3's error code of ``exc`` ("NoSuchKey", "404", ...), or "" for a non-service error."""
    root = _root_cause(exc)
    if isinstance(root, ClientError):
        return str(root.response.get("Error", {}).get("Code", ""))
    return ""


_BARE_NOT_FOUND = frozenset({"404", "NotFound"})
# Error codes of a missing bucket or object. HEAD requests have no body, so S3 answers
# them with a bare "404" that names neither: the adapter must ask which one is missing.
_NO_SUCH_BUCKET = frozenset({"NoSuchBucket"})


def _bucket_exists(bucket: str) -> bool:
    """Whether ``bucket`` exists; True when S3 will not say (the caller then blames the key)."""
    try:
        _clients_s3().head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = _error_code(exc)
        return code not in _BARE_NOT_FOUND and code not in _NO_SUCH_BUCKET
    except BotoCoreError:
        return True
    return True


_NO_SUCH_KEY = frozenset({"NoSuchKey", "NoSuchVersion"})
_DENIED = frozenset({
    "AccessDenied", "403", "Forbidden", "AllAccessDisabled", "AccountProblem",
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "InvalidSecurity",
})
# The IAM action an operation needs, where its name is not the action's (for the fix in a message).
_IAM_ACTION = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
}
_WRONG_REGION = frozenset({
    "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301",
})
_EXISTS = frozenset({"BucketAlreadyExists", "BucketAlreadyOwnedByYou"})
_TIMED_OUT = frozenset({"RequestTimeout", "RequestTimeoutException"})
_BUSY = frozenset({
    "SlowDown", "ServiceUnavailable", "InternalError", "Throttling", "ThrottlingException",
    "RequestLimitExceeded", "500", "502", "503", "504",
})
_INVALID = frozenset({
    "InvalidBucketName", "InvalidArgument", "InvalidRequest", "KeyTooLongError", "MalformedXML",
    "MalformedPolicy", "InvalidDigest", "BadDigest", "EntityTooLarge", "EntityTooSmall",
    "InvalidPart", "InvalidPartOrder", "InvalidRange", "InvalidStorageClass",
    "MetadataTooLarge", "InvalidObjectState", "NoSuchUpload", "400",
})


def _from_client_error(exc: ClientError, bucket: str, key: str | None, target: str) -> Exception:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    operation = exc.operation_name
    said = f"S3 {code} on {operation}: {error.get('Message') or 'no message'}"
    if code in _NO_SUCH_BUCKET or (code in _BARE_NOT_FOUND and key is None):
        return FileNotFoundError(f"bucket {bucket!r} does not exist ({said}); create it or check its name")
    if key is not None and (code in _NO_SUCH_KEY or code in _BARE_NOT_FOUND):
        return FileNotFoundError(
            f"object {key!r} does not exist in bucket {bucket!r} ({said}); "
            "check the key (keys are case-sensitive)"
        )
    if status == 404 or code in _NO_SUCH_KEY:
        return FileNotFoundError(f"{target}: something it needs does not exist ({said})")
    if code in _DENIED or status == 403:
        action = _IAM_ACTION.get(operation, operation)
        return PermissionError(
            f"access denied to {target} ({said}); check the credentials in use (AWS_PROFILE or "
            f"AWS_ACCESS_KEY_ID) and that their policy allows s3:{action} on it"
        )
    if code in _WRONG_REGION:
        return ValueError(
            f"{target} is not in the region this client uses ({said}); "
            "set AWS_REGION / AWS_DEFAULT_REGION to the bucket's region"
        )
    if code in _EXISTS:
        return FileExistsError(f"{target} already exists ({said}); choose another name")
    if code in _TIMED_OUT:
        return TimeoutError(f"S3 timed out on {target} ({said}); retry later")
    if code in _BUSY or status >= 500:
        return ConnectionError(f"S3 could not serve {target} after bounded retries ({said}); retry later")
    if code in _INVALID or status == 400:
        return ValueError(f"S3 rejected the request for {target} ({said}); fix the argument it names")
    return Exception(f"S3 failed on {target} ({said})")


_LOST_CONNECTION = (BotoConnectionError, ConnectionClosedError, ResponseStreamingError, IncompleteReadError)
_CREDENTIALS = (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError, ProfileNotFound)


def _translate_error(exc: BaseException, bucket: str, key: str | None = None) -> Exception:
    """The infrar error for an SDK error raised while working on ``bucket`` (and ``key``).

    A bare 404 means the object when ``key`` is given and the bucket otherwise; callers
    that cannot tell (HEAD) check the bucket first. Messages carry S3's code and message,
    never a credential.
    """
    root = _root_cause(exc)
    target = f"object {key!r} in bucket {bucket!r}" if key is not None else f"bucket {bucket!r}"
    if isinstance(root, ClientError):
        return _from_client_error(root, bucket, key, target)
    if isinstance(root, ParamValidationError):
        return ValueError(f"invalid request for {target}: {root}")
    if isinstance(root, ReadTimeoutError):
        return TimeoutError(f"S3 did not answer in time for {target} after bounded retries: {root}; retry later")
    if isinstance(root, _LOST_CONNECTION):
        return ConnectionError(
            f"cannot reach S3 for {target} after bounded retries: {root}; check the network, "
            "AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 and AWS_REGION"
        )
    if isinstance(root, _CREDENTIALS):
        return ValueError(
            f"no usable AWS credentials for {target}: {root}; set AWS_PROFILE, or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role"
        )
    return Exception(f"S3 failed on {target}: {type(root).__name__}: {root}")


def _error(exc: BaseException, bucket: str, key: str | None = None) -> Exception:
    """Translate ``exc``; a bare 404 from a HEAD names neither bucket nor key, so ask S3 which."""
    if key is not None and _error_code(exc) in _BARE_NOT_FOUND and not _bucket_exists(bucket):
        key = None
    return _translate_error(exc, bucket, key)


def _download_to_stream(bucket: str, key: str, stream: BinaryIO) -> None:
    if not hasattr(stream, "write"):
        raise ValueError(
            f"cannot download {bucket}/{key} into a {type(stream).__name__}; "
            "pass a path or a binary file object opened for writing"
        )
    try:
        _clients_s3().download_fileobj(bucket, key, stream, Config=_transfer_config())
    except _SDK_ERRORS as exc:
        raise _error(exc, bucket, key) from exc


def _download(bucket: str, source: str, destination: PathOrFile) -> None:
    bucket, source = _check_object(bucket, source)
    if isinstance(destination, (str, os.PathLike)):
        _download_atomically(destination, lambda out: _download_to_stream(bucket, source, out), f"{bucket}/{source}")
    else:
        _download_to_stream(bucket, source, destination)


def _upload(bucket: str, source: PathOrFile, destination: str) -> None:
    bucket, destination = _check_object(bucket, destination)
    if not isinstance(source, (str, os.PathLike)) and not hasattr(source, "read"):
        raise ValueError(
            f"cannot upload a {type(source).__name__} to {bucket}/{destination}; "
            "pass a path or a binary file object opened for reading"
        )
    try:
        s3 = _clients_s3()
        if isinstance(source, (str, os.PathLike)):
            # A path is read part by part from disk by the transfer threads.
            s3.upload_file(os.fspath(source), bucket, destination, Config=_transfer_config())
        else:
            s3.upload_fileobj(source, bucket, destination, Config=_transfer_config())
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"cannot upload to {bucket}/{destination}: local file {str(source)!r} does not exist"
        ) from exc
    except _SDK_ERRORS as exc:
        raise _error(exc, bucket) from exc


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


def _object_info(item: dict[str, Any]) -> ObjectInfo:
    return ObjectInfo(
        key=item["Key"],
        size=item["Size"],
        last_modified=item["LastModified"].astimezone(timezone.utc),
        etag=item["ETag"].strip('"'),
    )


def _objects(bucket: str, first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[ObjectInfo]:
    # One page (up to 1,000 keys) in memory at a time; S3 lists keys in UTF-8 byte order,
    # which is Python's str order.
    page = first
    while True:
        for item in page.get("Contents", ()):
            yield _object_info(item)
        try:
            page = next(rest)
        except StopIteration:
            return
        except _SDK_ERRORS as exc:
            raise _error(exc, bucket) from exc


def _iter_objects(bucket: str, prefix: str = "") -> Iterator[ObjectInfo]:
    bucket = _check_bucket(bucket, _S3_BUCKET)
    prefix = _check_prefix(prefix, bucket)
    try:
        paginator = _clients_s3().get_paginator("list_objects_v2")
        # The first page now, so a missing bucket raises here rather than on first next().
        rest = iter(paginator.paginate(Bucket=bucket, Prefix=prefix))
        first = next(rest)
    except _SDK_ERRORS as exc:
        raise _error(exc, bucket) from exc
    return _objects(bucket, first, rest)


BUCKET = os.environ["APP_BUCKET"]
# Local files go to APP_WORKDIR, or to a fresh temporary directory (never the current one).
WORKDIR = Path(os.environ.get("APP_WORKDIR") or tempfile.mkdtemp(prefix="corpus-"))


def make_exports(directory: Path, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = directory / f"export-{number:02d}.csv"
        path.write_text("".join(f"{number},{row},{row * number}\n" for row in range(number * 10)))
        paths.append(path)
    return paths


def fetch(key: str) -> bytes:
    buffer = io.BytesIO()
    _download(BUCKET, key, buffer)
    return buffer.getvalue()


def main() -> None:
    paths = make_exports(WORKDIR / "exports", 16)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda path: _upload(BUCKET, path, f"exports/{path.name}"), paths))
        keys = [info.key for info in _iter_objects(BUCKET, "exports/")]
        print("uploaded:", len(keys))
        contents = dict(zip(keys, pool.map(fetch, keys), strict=True))
    same = all(contents[f"exports/{path.name}"] == path.read_bytes() for path in paths)
    print("round trip identical:", same)
    digest = hashlib.sha256(b"".join(contents[key] for key in sorted(contents))).hexdigest()
    print("digest:", digest[:16])
    print("empty export size:", len(contents["exports/export-00.csv"]))


if __name__ == "__main__":
    main()
