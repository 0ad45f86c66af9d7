"""Azure-specific storage behaviour, against a real Azurite (fixture ``infrar_azure``).

The behaviour every provider shares is tested in tests/storage; here are the things only
the Azure adapter can get wrong: staged blocks, page size, SAS URLs, Azure error codes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import ssl
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.storage.blob import BlobServiceClient

from infrar import dispatch, storage
from infrar.errors import ConfigurationError, InvalidArgument, NotFound, PermissionDenied, Unavailable
from infrar.providers.azure import storage as azure_storage
from infrar.providers.azure._clients import blob_service
from infrar.testing._process import ServerProcess, free_port
from infrar.testing.azure import ACCOUNT_NAME, find_azurite
from tests.bigfiles import MIB, peak_rss_growth, sha256_of, write_big_file

BIG = 128 * MIB
# Reading the file whole would grow RSS by BIG; streaming stays near concurrency x block size.
RSS_BOUND = 80 * MIB


def _blob_service(azure: Any) -> Any:
    return azure.emulator.client()


def _use_connection_string(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", value)
    dispatch.reset()


class _Unseekable(io.RawIOBase):
    """A pipe-like source: the SDK cannot learn its length or seek it."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")  # closed in close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._file.readinto(buffer)

    def close(self) -> None:
        self._file.close()
        super().close()


@pytest.mark.slow
def test_large_file_goes_up_and_down_as_staged_blocks(infrar_azure: Any, tmp_path: Path) -> None:
    bucket = infrar_azure.create_bucket()
    source = tmp_path / "big.bin"
    expected = write_big_file(source, BIG)

    with peak_rss_growth() as upload_growth:
        storage.upload(bucket, source, "big.bin")
    committed, _ = _blob_service(infrar_azure).get_blob_client(bucket, "big.bin").get_block_list("committed")
    assert len(committed) >= 8
    assert sum(block.size for block in committed) == BIG

    target = tmp_path / "back.bin"
    with peak_rss_growth() as download_growth:
        storage.download(bucket, "big.bin", target)
    assert sha256_of(target) == expected
    assert upload_growth[0] < RSS_BOUND, f"upload grew RSS by {upload_growth[0] / MIB:.0f} MiB"
    assert download_growth[0] < RSS_BOUND, f"download grew RSS by {download_growth[0] / MIB:.0f} MiB"


@pytest.mark.slow
def test_unseekable_stream_uploads_in_blocks(infrar_azure: Any, tmp_path: Path) -> None:
    bucket = infrar_azure.create_bucket()
    source = tmp_path / "big.bin"
    expected = write_big_file(source, BIG)

    with _Unseekable(source) as stream, peak_rss_growth() as growth:
        storage.upload(bucket, stream, "piped.bin")  # type: ignore[arg-type]
    committed, _ = _blob_service(infrar_azure).get_blob_client(bucket, "piped.bin").get_block_list()
    assert len(committed) >= 8
    assert growth[0] < RSS_BOUND, f"upload grew RSS by {growth[0] / MIB:.0f} MiB"

    out = io.BytesIO()
    storage.download(bucket, "piped.bin", out)
    assert hashlib.sha256(out.getvalue()).hexdigest() == expected


def test_listing_pages_past_a_thousand_blobs_in_order(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    container = _blob_service(infrar_azure).get_container_client(bucket)
    keys = [f"k/{index:05d}" for index in range(1345)]
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(lambda key: container.upload_blob(key, key.encode()), keys))

    # Azure would hand back 5,000 at a time; the adapter asks for pages of 1,000.
    pages = [list(page) for page in azure_storage._pages(bucket, "")]
    assert [len(page) for page in pages] == [1000, 345]

    assert storage.list_objects(bucket) == sorted(keys)
    infos = list(storage.iter_objects(bucket, "k/01"))
    assert [info.key for info in infos] == [f"k/{index:05d}" for index in range(1000, 1345)]
    assert all(info.size == 7 and info.last_modified.utcoffset() is not None for info in infos)
    assert all(info.etag and '"' not in info.etag for info in infos)


def test_missing_container_and_missing_blob_say_which(infrar_azure: Any, tmp_path: Path) -> None:
    bucket = infrar_azure.create_bucket()
    operations: list[Callable[[str, str], object]] = [
        storage.read_bytes,
        storage.delete,
        lambda b, k: storage.download(b, k, io.BytesIO()),
        lambda b, k: storage.signed_url(b, k),
    ]
    for operation in operations:
        with pytest.raises(NotFound, match=r"container 'no-such-container' does not exist"):
            operation("no-such-container", "file.txt")
        with pytest.raises(NotFound, match=rf"blob 'file.txt' does not exist in container '{bucket}'"):
            operation(bucket, "file.txt")

    with pytest.raises(NotFound, match="container 'no-such-container' does not exist"):
        storage.iter_objects("no-such-container")  # raises at call time, before iteration
    with pytest.raises(NotFound, match="container 'no-such-container' does not exist"):
        storage.write_bytes("no-such-container", "file.txt", b"x")
    with pytest.raises(NotFound, match="container 'no-such-container' does not exist"):
        storage.signed_url("no-such-container", "file.txt", method="PUT")
    assert storage.exists(bucket, "file.txt") is False
    assert storage.exists("no-such-container", "file.txt") is False


def test_failed_download_leaves_nothing_behind(infrar_azure: Any, tmp_path: Path) -> None:
    bucket = infrar_azure.create_bucket()
    with pytest.raises(NotFound):
        storage.download(bucket, "missing.bin", tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == []


def test_names_azure_would_rewrite_are_refused(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    for key in ("a/../b", "./a", "dir/", "name.", "v1./file"):
        with pytest.raises(InvalidArgument, match="cannot be stored as-is on Azure"):
            storage.write_bytes(bucket, key, b"x")
    with pytest.raises(InvalidArgument, match="Azure container naming rules"):
        storage.write_bytes("Bad_Container", "a", b"x")


def test_unreachable_endpoint_is_unavailable_within_seconds(
    infrar_azure: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = infrar_azure.emulator.connection_string.replace(
        f":{infrar_azure.emulator.port}/", f":{free_port()}/"
    )
    _use_connection_string(monkeypatch, closed)
    with pytest.raises(Unavailable, match=r"cannot reach http://127\.0\.0\.1:\d+ for blob 'a'"):
        storage.read_bytes("some-container", "a")


def test_wrong_account_key_is_permission_denied(infrar_azure: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = infrar_azure.create_bucket()
    wrong_key = "d3Jvbmcta2V5" * 8  # valid base64, not the account's key
    connection = infrar_azure.emulator.connection_string
    start = connection.index("AccountKey=") + len("AccountKey=")
    end = connection.index(";", start)
    _use_connection_string(monkeypatch, connection[:start] + wrong_key + connection[end:])
    with pytest.raises(PermissionDenied, match=rf"access denied to blob 'a' in container '{bucket}'") as caught:
        storage.write_bytes(bucket, "a", b"x")
    assert wrong_key not in str(caught.value)
    with pytest.raises(PermissionDenied):
        storage.list_objects(bucket)


def test_signed_urls_work_with_a_plain_http_client(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    put_url = storage.signed_url(bucket, "up/loaded.txt", expires_in=300, method="PUT")
    assert put_url.startswith(f"http://127.0.0.1:{infrar_azure.emulator.port}/{ACCOUNT_NAME}/{bucket}/")
    request = urllib.request.Request(
        put_url, data=b"via SAS", method="PUT", headers={"x-ms-blob-type": "BlockBlob"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201
    assert storage.read_bytes(bucket, "up/loaded.txt") == b"via SAS"

    get_url = storage.signed_url(bucket, "up/loaded.txt", expires_in=300)
    with urllib.request.urlopen(get_url) as response:
        assert response.read() == b"via SAS"

    # A read SAS grants no write.
    overwrite = urllib.request.Request(
        get_url, data=b"nope", method="PUT", headers={"x-ms-blob-type": "BlockBlob"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(overwrite)
    assert caught.value.code == 403


def test_no_account_configured_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_URL", raising=False)
    dispatch.reset()
    with pytest.raises(ConfigurationError) as caught:
        storage.read_bytes("some-container", "a")
    assert "AZURE_STORAGE_CONNECTION_STRING" in str(caught.value)
    assert "AZURE_STORAGE_ACCOUNT_URL" in str(caught.value)


def test_malformed_connection_string_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", "AccountKey=c2VjcmV0;nonsense")
    dispatch.reset()
    with pytest.raises(ConfigurationError, match="not a valid Azure Storage connection string") as caught:
        storage.read_bytes("some-container", "a")
    assert "c2VjcmV0" not in str(caught.value)


def test_missing_sdk_is_a_missing_dependency(tmp_path: Path) -> None:
    program = textwrap.dedent(
        """
        import sys

        class BlockAzure:
            def find_spec(self, name, path=None, target=None):
                if name == "azure" or name.startswith("azure."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, BlockAzure())
        from infrar import storage
        from infrar.errors import MissingDependency
        try:
            storage.read_bytes("some-container", "a")
        except MissingDependency as exc:
            print("MissingDependency:", exc)
        """
    )
    env = {**os.environ, "INFRAR_PROVIDER": "azure", "AZURE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}
    result = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "MissingDependency:" in result.stdout
    assert "pip install 'infrar[azure]'" in result.stdout


def test_account_url_signs_in_with_default_azure_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.identity import DefaultAzureCredential

    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", "https://someaccount.blob.core.windows.net")
    dispatch.reset()
    service = blob_service.client()
    assert service is blob_service.client()  # built once
    assert service.account_name == "someaccount"
    assert isinstance(service.credential, DefaultAzureCredential)
    assert blob_service.sas_account_key() is None  # so signed URLs use a user delegation key


# Entra ID sign-in, emulated: Azurite's `--oauth basic` accepts any well-formed bearer token
# from a Microsoft issuer for the storage audience (it skips the signature), over HTTPS only.
class _EmulatedEntraCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        now = int(time.time())
        claims = {
            "iss": "https://sts.windows.net/00000000-0000-0000-0000-000000000001/",
            "aud": "https://storage.azure.com",
            "iat": now - 60, "nbf": now - 60, "exp": now + 3600,
            "oid": "00000000-0000-0000-0000-000000000002",
            "tid": "00000000-0000-0000-0000-000000000001",
        }
        parts = [{"alg": "RS256", "typ": "JWT"}, claims]
        encoded = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=").decode() for p in parts]
        return AccessToken(".".join([*encoded, "unsigned"]), now + 3600)


@pytest.fixture(scope="module")
def azurite_oauth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An Azurite with OAuth over HTTPS (self-signed); yields (account URL, CA file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make Azurite's HTTPS certificate")
    work = tmp_path_factory.mktemp("azurite-oauth")
    cert, key = work / "cert.pem", work / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    port = free_port()
    command = [str(find_azurite()), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
               "--disableTelemetry", "--skipApiVersionCheck", "--oauth", "basic", "--cert", str(cert),
               "--key", str(key)]
    server = ServerProcess("azurite-oauth", command, port, work, cwd=work)
    server.start()
    try:
        yield f"https://127.0.0.1:{port}/{ACCOUNT_NAME}", cert
    finally:
        server.stop()


def test_signed_urls_use_a_user_delegation_key_under_entra_id(
    azurite_oauth: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    account_url, cert = azurite_oauth
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", account_url)
    dispatch.reset()
    # What blob_service builds for AZURE_STORAGE_ACCOUNT_URL, with the emulated identity in place of
    # DefaultAzureCredential and the self-signed certificate trusted.
    service = BlobServiceClient(
        account_url, credential=_EmulatedEntraCredential(), connection_verify=str(cert), **blob_service.client_options()
    )
    monkeypatch.setattr(blob_service, "_client", service)
    service.create_container("delegated")
    storage.write_bytes("delegated", "a.txt", b"signed by Entra ID")
    context = ssl.create_default_context(cafile=str(cert))

    get_url = storage.signed_url("delegated", "a.txt", expires_in=300)
    assert "skoid=" in get_url and "sig=" in get_url  # a user delegation SAS
    with urllib.request.urlopen(get_url, context=context) as response:
        assert response.read() == b"signed by Entra ID"

    put_url = storage.signed_url("delegated", "b.txt", expires_in=300, method="PUT")
    request = urllib.request.Request(put_url, data=b"up", method="PUT", headers={"x-ms-blob-type": "BlockBlob"})
    with urllib.request.urlopen(request, context=context) as response:
        assert response.status == 201
    assert storage.read_bytes("delegated", "b.txt") == b"up"

    tampered = get_url.replace("sp=r", "sp=rw")  # the signature no longer matches
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(tampered, context=context)
    assert caught.value.code == 403
