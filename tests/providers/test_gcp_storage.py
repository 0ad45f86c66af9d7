"""GCS-specific storage behaviour, against a real gcp-storage-emulator (fixture ``infrar_gcp``).

The behaviour every provider shares is tested in tests/storage; here are the things only
the GCP adapter can get wrong: resumable chunked transfers, 404s that name neither bucket
nor object, bounded retries, V4 signing and where its key comes from, Google's errors.
"""

from __future__ import annotations

import http.server
import io
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as api_exceptions

from infrar import dispatch, storage
from infrar.errors import ConfigurationError, NotFound, PermissionDenied, Unavailable
from infrar.providers.gcp import _clients, storage_errors
from infrar.providers.gcp._clients import gcs
from infrar.testing._process import free_port
from tests.bigfiles import MIB, peak_rss_growth, sha256_of, write_big_file

BIG = 64 * MIB + 12345  # not a multiple of the 8 MiB chunk
# Reading the file whole would grow RSS by BIG; a chunked transfer holds a chunk or two.
RSS_BOUND = 40 * MIB


def _emulator(gcp: Any) -> Any:
    return gcp.emulator


def _chunk_puts_since(log: Path, offset: int) -> int:
    """Resumable-upload chunk requests the emulator logged after byte ``offset`` of its log."""
    with open(log, "rb") as stream:
        stream.seek(offset)
        text = stream.read().decode(errors="replace")
    return sum(1 for line in text.splitlines() if '"PUT /upload/storage/v1/b/' in line and "upload_id=" in line)


@pytest.mark.slow
def test_large_path_upload_is_resumable_in_chunks_and_streams(infrar_gcp: Any, tmp_path: Path) -> None:
    bucket = infrar_gcp.create_bucket()
    source = tmp_path / "big.bin"
    expected = write_big_file(source, BIG)
    log = _emulator(infrar_gcp).log_path
    offset = log.stat().st_size
    with peak_rss_growth() as growth:
        storage.upload(bucket, str(source), "big/file.bin")
    assert growth[0] < RSS_BOUND, f"upload grew RSS by {growth[0] / MIB:.0f} MiB"
    # 64 MiB in 8 MiB pieces: nine PUTs to the resumable session, not one request.
    assert _chunk_puts_since(log, offset) >= BIG // (8 * MIB)
    assert next(storage.iter_objects(bucket, "big/")).size == BIG

    target = tmp_path / "copy.bin"
    with peak_rss_growth() as growth:
        storage.download(bucket, "big/file.bin", str(target))
    assert growth[0] < RSS_BOUND, f"download grew RSS by {growth[0] / MIB:.0f} MiB"
    assert sha256_of(target) == expected
    assert sorted(os.listdir(tmp_path)) == ["big.bin", "copy.bin"]  # no temp file left behind


@pytest.mark.slow
def test_large_file_object_upload_and_download_stream(infrar_gcp: Any, tmp_path: Path) -> None:
    bucket = infrar_gcp.create_bucket()
    source = tmp_path / "big.bin"
    expected = write_big_file(source, BIG)
    log = _emulator(infrar_gcp).log_path
    offset = log.stat().st_size
    with open(source, "rb") as stream, peak_rss_growth() as growth:
        storage.upload(bucket, stream, "big/stream.bin")
    assert growth[0] < RSS_BOUND, f"upload grew RSS by {growth[0] / MIB:.0f} MiB"
    assert _chunk_puts_since(log, offset) >= BIG // (8 * MIB)

    target = tmp_path / "copy.bin"
    with open(target, "wb") as sink, peak_rss_growth() as growth:
        storage.download(bucket, "big/stream.bin", sink)
    assert growth[0] < RSS_BOUND, f"download grew RSS by {growth[0] / MIB:.0f} MiB"
    assert sha256_of(target) == expected


def test_small_write_is_one_request_and_object_info_matches_gcs(infrar_gcp: Any) -> None:
    bucket = infrar_gcp.create_bucket()
    storage.write_bytes(bucket, "small/a.txt", b"hello")
    native = _emulator(infrar_gcp).client().bucket(bucket).get_blob("small/a.txt")
    (info,) = list(storage.iter_objects(bucket, "small/"))
    assert info == storage.ObjectInfo("small/a.txt", 5, native.updated, native.etag.strip('"'))
    assert native.content_type == "application/octet-stream"


def test_missing_bucket_and_missing_key_are_told_apart(infrar_gcp: Any, tmp_path: Path) -> None:
    bucket = infrar_gcp.create_bucket()
    missing = "no-such-bucket-" + bucket[-12:]
    missing_key: list[Callable[[], object]] = [
        lambda: storage.read_bytes(bucket, "absent.txt"),
        lambda: storage.download(bucket, "absent.txt", tmp_path / "x"),
        lambda: storage.download(bucket, "absent.txt", io.BytesIO()),
        lambda: storage.delete(bucket, "absent.txt"),
        lambda: storage.signed_url(bucket, "absent.txt"),
    ]
    for call in missing_key:
        with pytest.raises(NotFound) as caught:
            call()
        assert str(caught.value).startswith(f"object 'absent.txt' does not exist in bucket {bucket!r}")

    calls: list[Callable[[], object]] = [
        lambda: storage.read_bytes(missing, "absent.txt"),
        lambda: storage.download(missing, "absent.txt", tmp_path / "x"),
        lambda: storage.delete(missing, "absent.txt"),
        lambda: storage.signed_url(missing, "absent.txt"),
        lambda: storage.write_bytes(missing, "k", b"x"),
        lambda: storage.upload(missing, io.BytesIO(b"x"), "k"),
        lambda: storage.iter_objects(missing),
    ]
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call()
        assert str(caught.value).startswith(f"bucket {missing!r} does not exist")
        assert "GOOGLE_CLOUD_PROJECT" in str(caught.value)
    assert storage.exists(missing, "absent.txt") is False


def test_closed_port_is_unavailable_after_bounded_retries(infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{free_port()}")
    dispatch.reset()
    with pytest.raises(Unavailable) as caught:
        storage.read_bytes("some-bucket", "k")
    # The RetryError cause below proves the bounded retry (5 s), not the library's 120 s, gave up.
    assert isinstance(caught.value, ConnectionError)
    assert "STORAGE_EMULATOR_HOST" in str(caught.value)
    assert isinstance(caught.value.__cause__, api_exceptions.RetryError)
    with pytest.raises(Unavailable):
        storage.write_bytes("some-bucket", "k", b"x")


@contextmanager
def _fake_gcs(status_for: Callable[[str, str], int]) -> Iterator[str]:
    """An HTTP endpoint answering every request with Google's JSON error shape.

    The emulator has no access control, so this is how a real client meets a real 403.
    """

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status = status_for(self.command, self.path)
            message = (
                "ci@test-project.iam.gserviceaccount.com does not have storage.objects.get access "
                "to the Google Cloud Storage object. Permission 'storage.objects.get' denied."
                if status == 403 else "No such object"
            )
            body = json.dumps({"error": {"code": status, "message": message,
                                         "errors": [{"message": message, "domain": "global"}]}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_forbidden_is_permission_denied(infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with _fake_gcs(lambda method, path: 403) as endpoint:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
        dispatch.reset()
        for call in (
            lambda: storage.read_bytes("locked-bucket", "secret.txt"),
            lambda: storage.write_bytes("locked-bucket", "secret.txt", b"x"),
            lambda: storage.list_objects("locked-bucket"),
            lambda: storage.exists("locked-bucket", "secret.txt"),
        ):
            with pytest.raises(PermissionDenied) as caught:
                call()
            assert isinstance(caught.value, PermissionError)
            assert "locked-bucket" in str(caught.value)
            assert "storage.objects.get" in str(caught.value)  # Google's own words
            assert isinstance(caught.value.__cause__, api_exceptions.Forbidden)


def test_not_found_when_the_bucket_cannot_be_checked_names_both(
    infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The object is missing, and the bucket lookup that would tell which is denied.
    with _fake_gcs(lambda method, path: 404 if "/o/" in path else 403) as endpoint:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
        dispatch.reset()
        with pytest.raises(NotFound) as caught:
            storage.read_bytes("some-bucket", "k.txt")
    assert "'k.txt'" in str(caught.value) and "or the bucket itself does not" in str(caught.value)


def test_translate_error_maps_google_errors() -> None:
    # google-api-core's exception classes are untyped, hence the ignores.
    forbidden = api_exceptions.Forbidden("GET https://storage.googleapis.com/...: denied")  # type: ignore[no-untyped-call]
    assert isinstance(storage_errors.translate_error(forbidden, "b", "k"), PermissionDenied)
    down = api_exceptions.ServiceUnavailable("down")  # type: ignore[no-untyped-call]
    busy = api_exceptions.RetryError("Timeout of 5.0s exceeded", down)  # type: ignore[no-untyped-call]
    assert isinstance(storage_errors.translate_error(busy, "b"), Unavailable)
    missing = api_exceptions.NotFound("x")  # type: ignore[no-untyped-call]
    assert isinstance(storage_errors.translate_error(missing, "b"), NotFound)


def test_missing_credentials_without_emulator_name_the_variable(
    infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent-key.json"))
    dispatch.reset()
    with pytest.raises(ConfigurationError) as caught:
        storage.read_bytes("some-bucket", "k")
    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(caught.value)


def test_one_client_per_process_rebuilt_after_reset(infrar_gcp: Any) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        clients = set(map(id, pool.map(lambda _: gcs.client(), range(64))))
    assert len(clients) == 1
    first = gcs.client()
    _clients.reset()
    assert gcs.client() is not first


def test_missing_google_cloud_storage_is_missing_dependency(infrar_gcp: Any) -> None:
    script = textwrap.dedent("""
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "google.cloud.storage" or name.startswith("google.cloud.storage."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, Block())
        from infrar import storage
        from infrar.errors import MissingDependency
        try:
            storage.read_bytes("some-bucket", "k")
        except MissingDependency as exc:
            print("MissingDependency:", exc)
    """)
    env = {**os.environ, "INFRAR_PROVIDER": "gcp"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert "MissingDependency:" in done.stdout, done.stderr
    assert "pip install 'infrar[gcp]'" in done.stdout
