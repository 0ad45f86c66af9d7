"""AWS-specific storage behaviour, against a real moto server (fixture ``infrar_aws``).

The behaviour every provider shares is tested in tests/storage; here are the things only
the AWS adapter can get wrong: multipart transfers, S3's two kinds of 404, retries against
a dead endpoint, S3 error codes, presigned URLs, list_objects_v2 paging, client building.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from infrar import dispatch, storage
from infrar.errors import InvalidArgument, NotFound, PermissionDenied, Unavailable
from infrar.providers.aws import _clients, storage_errors
from infrar.providers.aws._clients import s3
from infrar.testing._process import free_port
from tests.bigfiles import MIB, peak_rss_growth, sha256_of, write_big_file

BIG = 96 * MIB + 4321  # over 50 MiB: 13 parts of 8 MiB, the last one short
PARTS = 13
# Reading the file whole would grow RSS by BIG; streaming stays near concurrency x part size
# (a path: a few MiB; a file object: 4 parts of 8 MiB read ahead, plus allocator slack).
RSS_BOUND = 72 * MIB


@pytest.fixture
def bucket(infrar_aws: Any) -> str:
    name: str = infrar_aws.create_bucket()
    return name


@pytest.fixture
def raw_s3(infrar_aws: Any) -> Any:
    """The emulator's own boto3 client: sets up and checks without going through infrar."""
    return infrar_aws.emulator.client()


# --- multipart transfers ---------------------------------------------------------------


@pytest.mark.slow
def test_large_path_upload_is_multipart_and_streams(bucket: str, raw_s3: Any, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    digest = write_big_file(source, BIG)

    with peak_rss_growth() as growth:
        storage.upload(bucket, source, "big.bin")
    assert growth[0] < RSS_BOUND, f"upload grew RSS by {growth[0] / MIB:.0f} MiB"

    head = raw_s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == BIG
    assert head["ETag"].strip('"').endswith(f"-{PARTS}")  # S3's multipart ETag: md5-of-md5s-<parts>

    target = tmp_path / "back.bin"
    with peak_rss_growth() as growth:
        storage.download(bucket, "big.bin", target)
    assert growth[0] < RSS_BOUND, f"download grew RSS by {growth[0] / MIB:.0f} MiB"
    assert sha256_of(target) == digest
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.slow
def test_large_file_object_upload_is_multipart(bucket: str, raw_s3: Any, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    write_big_file(source, BIG)

    with open(source, "rb") as stream, peak_rss_growth() as growth:
        storage.upload(bucket, stream, "from-stream.bin")
    assert growth[0] < RSS_BOUND, f"upload grew RSS by {growth[0] / MIB:.0f} MiB"

    head = raw_s3.head_object(Bucket=bucket, Key="from-stream.bin")
    assert head["ContentLength"] == BIG
    assert head["ETag"].strip('"').endswith(f"-{PARTS}")


def test_small_upload_is_a_single_put(bucket: str, raw_s3: Any) -> None:
    storage.upload(bucket, io.BytesIO(b"tiny"), "tiny.txt")
    etag = raw_s3.head_object(Bucket=bucket, Key="tiny.txt")["ETag"].strip('"')
    assert etag == hashlib.md5(b"tiny").hexdigest()


# --- NoSuchBucket vs NoSuchKey -----------------------------------------------------------

_CALLS: dict[str, Callable[[str, str], object]] = {
    "read_bytes": storage.read_bytes,
    "download": lambda b, k: storage.download(b, k, io.BytesIO()),
    "delete": storage.delete,
    "signed_url": storage.signed_url,
}


@pytest.mark.parametrize("call", sorted(_CALLS))
def test_missing_bucket_and_missing_key_are_told_apart(bucket: str, call: str) -> None:
    missing_bucket = f"{bucket}-gone"
    with pytest.raises(NotFound) as no_bucket:
        _CALLS[call](missing_bucket, "file.txt")
    assert f"bucket {missing_bucket!r} does not exist" in str(no_bucket.value)
    assert "object" not in str(no_bucket.value)

    with pytest.raises(NotFound) as no_key:
        _CALLS[call](bucket, "file.txt")
    assert f"object 'file.txt' does not exist in bucket {bucket!r}" in str(no_key.value)
    assert isinstance(no_key.value.__cause__, ClientError)


def test_missing_bucket_on_write_and_list(bucket: str) -> None:
    missing = f"{bucket}-gone"
    for call in (
        lambda: storage.write_bytes(missing, "k", b"x"),
        lambda: storage.upload(missing, io.BytesIO(b"x"), "k"),
        lambda: storage.iter_objects(missing),  # raises at call time, not on first next()
    ):
        with pytest.raises(NotFound, match=f"bucket '{missing}' does not exist"):
            call()
    assert storage.exists(missing, "k") is False


def test_failed_download_leaves_destination_untouched(bucket: str, tmp_path: Path) -> None:
    target = tmp_path / "keep.txt"
    target.write_bytes(b"old")
    with pytest.raises(NotFound):
        storage.download(bucket, "nope.txt", target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_s3_bucket_rules_are_checked_before_any_request(infrar_aws: Any) -> None:
    with pytest.raises(InvalidArgument, match="S3 bucket naming rules"):
        storage.read_bytes("Not_A_Bucket", "k")
    with pytest.raises(InvalidArgument, match="not an IP address"):
        storage.exists("192.168.1.1", "k")
    with pytest.raises(InvalidArgument, match="binary file object"):
        storage.upload("fine-bucket", 42, "k")  # type: ignore[arg-type]


# --- unreachable endpoint, denied access ----------------------------------------------------


def test_unreachable_endpoint_is_unavailable(infrar_aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL", dead)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", dead)
    dispatch.reset()

    with pytest.raises(Unavailable) as caught:
        storage.read_bytes("some-bucket", "k")
    # Bounded by configuration, not by a clock: three attempts in all, short connect timeout.
    config = s3.client().meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert config.connect_timeout == 3
    assert isinstance(caught.value, ConnectionError)
    assert "some-bucket" in str(caught.value) and "AWS_ENDPOINT_URL" in str(caught.value)
    with pytest.raises(Unavailable):
        storage.iter_objects("some-bucket")


def _client_error(code: str, status: int, operation: str, message: str = "") -> ClientError:
    # Exactly the shape botocore's parser hands ClientError for an S3 error response.
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0},
    }
    return ClientError(response, operation)  # type: ignore[arg-type]


def test_access_denied_translates_to_permission_denied() -> None:
    error = storage_errors.translate_error(
        _client_error("AccessDenied", 403, "GetObject", "Access Denied"), "my-bucket", "a.txt"
    )
    assert isinstance(error, PermissionDenied) and isinstance(error, PermissionError)
    text = str(error)
    assert "'a.txt'" in text and "'my-bucket'" in text and "s3:GetObject" in text
    assert "AWS_PROFILE" in text

    # HEAD has no body: a denied HEAD is a bare 403, and needs s3:GetObject, not s3:HeadObject.
    bare = storage_errors.translate_error(_client_error("403", 403, "HeadObject", "Forbidden"), "b-1", "k")
    assert isinstance(bare, PermissionDenied) and "s3:GetObject" in str(bare)


def test_access_denied_from_the_real_client_surfaces_as_permission_denied(bucket: str) -> None:
    client = s3.client()
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_object", service_error_code="AccessDenied", service_message="Access Denied",
            http_status_code=403, expected_params={"Bucket": bucket, "Key": "secret.txt"},
        )
        # Without s3:ListBucket, S3 answers a HEAD of a missing key with 403, not 404.
        stub.add_client_error(
            "head_object", service_error_code="403", http_status_code=403,
            expected_params={"Bucket": bucket, "Key": "secret.txt"},
        )
        with pytest.raises(PermissionDenied, match=r"access denied to object 'secret\.txt'"):
            storage.read_bytes(bucket, "secret.txt")
        with pytest.raises(PermissionDenied):
            storage.exists(bucket, "secret.txt")  # not False: we cannot know
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status", "expected", "words"),
    [
        ("SlowDown", 503, Unavailable, "could not serve"),
        ("InvalidBucketName", 400, InvalidArgument, "rejected the request"),
        ("NoSuchBucket", 404, NotFound, "bucket 'b-1' does not exist"),
        # not in the table: S3 sends them only with a status that means the same (S3's error
        # reference; a HEAD's bare code is its status, and a 200 with an error body becomes a 500)
        ("InternalError", 500, Unavailable, "could not serve"),
        ("ServiceUnavailable", 503, Unavailable, "could not serve"),
        ("502", 502, Unavailable, "could not serve"),
        ("403", 403, PermissionDenied, "access denied"),
        ("400", 400, InvalidArgument, "rejected the request"),
    ],
)
def test_other_s3_codes(code: str, status: int, expected: type[Exception], words: str) -> None:
    error = storage_errors.translate_error(_client_error(code, status, "PutObject"), "b-1", "k")
    assert type(error) is expected
    assert words in str(error) and f"S3 {code} on PutObject" in str(error)


# --- signed URLs -------------------------------------------------------------------------


def test_signed_urls_work_with_a_plain_http_client(bucket: str) -> None:
    put_url = storage.signed_url(bucket, "via/url.txt", expires_in=300, method="PUT")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in put_url
    # A binary Content-Type, as any uploader sends: urllib's default form-urlencoded one
    # makes moto's web framework swallow the body as a form (real S3 would not care).
    request = urllib.request.Request(
        put_url, data=b"uploaded by urllib", method="PUT",
        headers={"Content-Type": "application/octet-stream"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert storage.read_bytes(bucket, "via/url.txt") == b"uploaded by urllib"

    get_url = storage.signed_url(bucket, "via/url.txt", expires_in=60)
    assert "X-Amz-Expires=60" in get_url
    with urllib.request.urlopen(get_url, timeout=10) as response:
        assert response.read() == b"uploaded by urllib"


# --- paging ------------------------------------------------------------------------------


def test_iter_objects_pages_past_1000_keys_lazily(bucket: str, raw_s3: Any) -> None:
    keys = [f"many/{index:05d}.txt" for index in range(1100)]
    shuffled = random.sample(keys, len(keys))
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda key: raw_s3.put_object(Bucket=bucket, Key=key, Body=key.encode()), shuffled))
    raw_s3.put_object(Bucket=bucket, Key="other.txt", Body=b"x")

    list_calls: list[str] = []
    client = s3.client()
    client.meta.events.register("before-call.s3.ListObjectsV2", lambda **_: list_calls.append("page"))

    objects = storage.iter_objects(bucket, "many/")
    assert list_calls == ["page"]  # the first page is fetched eagerly, the second is not
    listed = list(objects)
    assert list_calls == ["page", "page"]

    assert [info.key for info in listed] == keys
    first = listed[0]
    assert first.size == len(keys[0])
    assert first.last_modified.tzinfo == timezone.utc
    assert first.etag == hashlib.md5(keys[0].encode()).hexdigest()
    assert storage.list_objects(bucket) == [*keys, "other.txt"]


# --- the client: native configuration, built once ----------------------------------------


def test_client_is_built_once_from_native_configuration(infrar_aws: Any) -> None:
    endpoint = infrar_aws.emulator.environment()["AWS_ENDPOINT_URL"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        clients = list(pool.map(lambda _: s3.client(), range(8)))
    assert all(client is clients[0] for client in clients)
    assert clients[0].meta.endpoint_url == endpoint
    assert clients[0].meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    _clients.reset()  # the package's reset reaches every loaded service module
    assert s3.client() is not clients[0]


@pytest.mark.parametrize(
    ("variables", "region"),
    [
        ({}, "us-east-1"),
        ({"AWS_REGION": "eu-west-3"}, "eu-west-3"),
        ({"AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "eu-west-3"}, "ap-south-1"),
    ],
)
def test_region_resolution(
    variables: dict[str, str], region: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    s3.reset()
    try:
        assert s3.client().meta.region_name == region
    finally:
        s3.reset()


_BLOCK_BOTO3 = """
import sys

class BlockBoto3:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("boto3", "botocore", "s3transfer"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, BlockBoto3())
"""


def test_missing_boto3_is_missing_dependency() -> None:
    script = _BLOCK_BOTO3 + textwrap.dedent(
        """
        import infrar.storage  # must not need boto3
        from infrar.errors import MissingDependency
        try:
            infrar.storage.exists("some-bucket", "key")
        except MissingDependency as exc:
            assert isinstance(exc, ImportError)
            print("MISSING", exc)
        """
    )
    env = {**os.environ, "INFRAR_PROVIDER": "aws"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "MISSING" in result.stdout
    assert "pip install 'infrar[aws]'" in result.stdout
