"""Bad input to every public storage function and argument, on every provider: one answer.

Each case runs on local, aws (moto), gcp (emulator) and azure (Azurite) and must raise the
same infrar error class there, with a message naming the argument and what it accepts,
leaving no object in the bucket and no file beside a download path. Local-only rules (its
stricter key and bucket names) are in tests/core/test_bad_input.py; the differences that
remain by design are listed in docs/storage.md.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infrar import dispatch, storage
from infrar.errors import ConfigurationError, InvalidArgument, NotFound, PermissionDenied
from tests.conftest import Store

Call = Callable[[Store, Path], Any]


@pytest.fixture
def files(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Local files and file objects of every wrong kind, closed after the test."""
    (tmp_path / "a-dir").mkdir()
    text_path = tmp_path / "text.txt"
    text_path.write_text("text")
    opened: dict[str, Any] = {
        "text_file": open(text_path),  # every one closed after the test
        "write_only": open(tmp_path / "write-only.bin", "wb"),
        "read_only": open(text_path, "rb"),
        "closed": open(text_path, "rb"),
    }
    opened["closed"].close()
    yield opened
    for handle in opened.values():
        handle.close()


CASES: list[tuple[str, str, type[Exception], tuple[str, ...]]] = [
    # (id, expression over s=store, t=tmp_path, f=files; error; words its message holds)
    # bucket, every function
    ("upload-bucket-int", "storage.upload(123, t / 'text.txt', 'k')", InvalidArgument, ("bucket must be a str", "int")),
    ("download-bucket-none", "storage.download(None, 'k', t / 'out')", InvalidArgument, ("bucket must be a str",)),
    ("list-bucket-invalid", "storage.list_objects('Bad_Name')", InvalidArgument, ("invalid bucket name 'Bad_Name'",)),
    ("delete-bucket-invalid", "storage.delete('-x-', 'k')", InvalidArgument, ("invalid bucket name '-x-'",)),
    ("write-bucket-double-dot", "storage.write_bytes('my..bucket', 'k', b'x')", InvalidArgument,
     ("invalid bucket name 'my..bucket'",)),
    ("read-bucket-empty", "storage.read_bytes('', 'k')", InvalidArgument, ("invalid bucket name ''",)),
    ("exists-bucket-long", "storage.exists('a' * 64, 'k')", InvalidArgument, ("3-63 characters",)),
    ("iter-bucket-bytes", "storage.iter_objects(b'bucket')", InvalidArgument, ("bucket must be a str", "bytes")),
    ("signed-bucket-invalid", "storage.signed_url('UPPER', 'k')", InvalidArgument, ("invalid bucket name 'UPPER'",)),
    # keys, every function
    ("upload-key-none", "storage.upload(s.bucket, t / 'text.txt', None)", InvalidArgument,
     ("must be a str", "NoneType")),
    ("download-key-empty", "storage.download(s.bucket, '', t / 'out')", InvalidArgument, ("is empty",)),
    ("delete-key-int", "storage.delete(s.bucket, 5)", InvalidArgument, ("must be a str", "int")),
    ("write-key-surrogate", "storage.write_bytes(s.bucket, 'a\\ud800', b'x')", InvalidArgument,
     ("lone surrogate", "UTF-8")),
    ("read-key-surrogate", "storage.read_bytes(s.bucket, '\\udcff')", InvalidArgument, ("lone surrogate",)),
    ("exists-key-nul", "storage.exists(s.bucket, 'a\\x00b')", InvalidArgument, ("NUL",)),
    ("signed-key-too-long", "storage.signed_url(s.bucket, 'k' * 1025)", InvalidArgument, ("at most 1024 bytes",)),
    ("upload-key-line-break", "storage.upload(s.bucket, t / 'text.txt', 'a\\nb')", InvalidArgument, ("line break",)),
    # prefixes
    ("list-prefix-int", "storage.list_objects(s.bucket, 5)", InvalidArgument, ("prefix", "must be a str")),
    ("iter-prefix-surrogate", "storage.iter_objects(s.bucket, 'p\\ud800')", InvalidArgument,
     ("prefix", "lone surrogate")),
    ("list-prefix-none", "storage.list_objects(s.bucket, None)", InvalidArgument, ("prefix", "NoneType")),
    # upload sources
    ("upload-source-none", "storage.upload(s.bucket, None, 'k')", InvalidArgument,
     ("source for upload to", "path or a binary file object", "NoneType")),
    ("upload-source-bytes", "storage.upload(s.bucket, b'data', 'k')", InvalidArgument, ("storage.write_bytes(",)),
    ("upload-source-bytearray", "storage.upload(s.bucket, bytearray(b'data'), 'k')", InvalidArgument,
     ("write_bytes",)),
    ("upload-source-stringio", "storage.upload(s.bucket, io.StringIO('text'), 'k')", InvalidArgument,
     ("text-mode", "'rb'")),
    ("upload-source-text-file", "storage.upload(s.bucket, f['text_file'], 'k')", InvalidArgument, ("text-mode",)),
    ("upload-source-write-only", "storage.upload(s.bucket, f['write_only'], 'k')", InvalidArgument,
     ("not open for reading",)),
    ("upload-source-closed", "storage.upload(s.bucket, f['closed'], 'k')", InvalidArgument, ("cannot be read",)),
    ("upload-source-int", "storage.upload(s.bucket, 42, 'k')", InvalidArgument, ("got int",)),
    ("upload-source-empty-path", "storage.upload(s.bucket, '', 'k')", InvalidArgument, ("source path", "is empty")),
    ("upload-source-directory", "storage.upload(s.bucket, t / 'a-dir', 'k')", InvalidArgument,
     ("is a directory", "a-dir")),
    ("upload-source-missing", "storage.upload(s.bucket, t / 'nope.csv', 'k')", NotFound,
     ("nope.csv", "does not exist")),
    # download destinations
    ("download-dest-none", "storage.download(s.bucket, 'present', None)", InvalidArgument,
     ("destination for download of", "NoneType", "read_bytes")),
    ("download-dest-bytes", "storage.download(s.bucket, 'present', b'')", InvalidArgument, ("read_bytes(",)),
    ("download-dest-stringio", "storage.download(s.bucket, 'present', io.StringIO())", InvalidArgument,
     ("text-mode", "'wb'")),
    ("download-dest-text-file", "storage.download(s.bucket, 'present', f['text_file'])", InvalidArgument,
     ("text-mode",)),
    ("download-dest-read-only", "storage.download(s.bucket, 'present', f['read_only'])", InvalidArgument,
     ("not open for writing",)),
    ("download-dest-empty-path", "storage.download(s.bucket, 'present', '')", InvalidArgument,
     ("destination path", "is empty")),
    ("download-dest-directory", "storage.download(s.bucket, 'present', t / 'a-dir')", InvalidArgument,
     ("is a directory", "a-dir")),
    ("download-dest-missing-dir", "storage.download(s.bucket, 'present', t / 'no' / 'out')", NotFound,
     ("does not exist",)),
    ("download-dest-not-writable", "storage.download(s.bucket, 'present', '/sys/report.bin')", PermissionDenied,
     ("'/sys/report.bin'", "may not write")),
    # data
    ("write-data-str", "storage.write_bytes(s.bucket, 'k', 'text')", InvalidArgument, ("encode text first",)),
    ("write-data-none", "storage.write_bytes(s.bucket, 'k', None)", InvalidArgument, ("must be bytes", "NoneType")),
    ("write-data-int", "storage.write_bytes(s.bucket, 'k', 3)", InvalidArgument, ("must be bytes", "int")),
    # signed URLs
    ("signed-expiry-zero", "storage.signed_url(s.bucket, 'present', expires_in=0)", InvalidArgument, ("604800",)),
    ("signed-expiry-str", "storage.signed_url(s.bucket, 'present', expires_in='60')", InvalidArgument,
     ("must be an int",)),
    ("signed-expiry-bool", "storage.signed_url(s.bucket, 'present', expires_in=True)", InvalidArgument,
     ("must be an int",)),
    ("signed-method-post", "storage.signed_url(s.bucket, 'present', method='POST')", InvalidArgument,
     ("'POST'", "'GET' or 'PUT'")),
    ("signed-method-lowercase", "storage.signed_url(s.bucket, 'present', method='get')", InvalidArgument, ("'get'",)),
    # missing things
    ("read-missing-key", "storage.read_bytes(s.bucket, 'absent')", NotFound, ("'absent'",)),
    ("delete-missing-key", "storage.delete(s.bucket, 'absent')", NotFound, ("'absent'",)),
    ("download-missing-key", "storage.download(s.bucket, 'absent', t / 'out')", NotFound, ("'absent'",)),
]


def _problem(store: Store, tmp_path: Path, files: dict[str, Any], case: str, expression: str,
             error: type[Exception], words: tuple[str, ...]) -> str | None:
    """What is wrong with the answer to one case, or None."""
    before = sorted(p.name for p in tmp_path.iterdir())
    try:
        result = eval(expression, {"storage": storage, "io": io}, {"s": store, "t": tmp_path, "f": files})
        if isinstance(result, Iterator):
            next(result, None)
    except Exception as exc:  # the class is what is checked
        raised: Exception | None = exc
    else:
        raised = None
    if type(raised) is not error:
        return f"{case}: raised {type(raised).__name__} ({raised}), not {error.__name__}"
    message = str(raised)
    missing = [word for word in words if word not in message]
    if missing:
        return f"{case}: {missing} missing from {message!r}"
    if storage.list_objects(store.bucket) != ["present"]:
        return f"{case}: wrote an object"
    if sorted(p.name for p in tmp_path.iterdir()) != before:
        return f"{case}: left a file beside the destination"
    return None


def test_bad_input_gets_the_same_error_everywhere(store: Store, tmp_path: Path, files: dict[str, Any]) -> None:
    # One bucket per provider for every case: each case fails before any object is written.
    storage.write_bytes(store.bucket, "present", b"content")
    problems = [_problem(store, tmp_path, files, *case) for case in CASES]
    assert [problem for problem in problems if problem] == [], store.provider


# Which case gives each argument of each public function a bad value.
COVERS = {
    ("upload", "bucket"): "upload-bucket-int", ("upload", "source"): "upload-source-none",
    ("upload", "destination"): "upload-key-none",
    ("download", "bucket"): "download-bucket-none", ("download", "source"): "download-key-empty",
    ("download", "destination"): "download-dest-none",
    ("list_objects", "bucket"): "list-bucket-invalid", ("list_objects", "prefix"): "list-prefix-int",
    ("delete", "bucket"): "delete-bucket-invalid", ("delete", "path"): "delete-key-int",
    ("write_bytes", "bucket"): "write-bucket-double-dot", ("write_bytes", "key"): "write-key-surrogate",
    ("write_bytes", "data"): "write-data-none",
    ("read_bytes", "bucket"): "read-bucket-empty", ("read_bytes", "key"): "read-key-surrogate",
    ("exists", "bucket"): "exists-bucket-long", ("exists", "key"): "exists-key-nul",
    ("iter_objects", "bucket"): "iter-bucket-bytes", ("iter_objects", "prefix"): "iter-prefix-surrogate",
    ("signed_url", "bucket"): "signed-bucket-invalid", ("signed_url", "key"): "signed-key-too-long",
    ("signed_url", "expires_in"): "signed-expiry-str", ("signed_url", "method"): "signed-method-post",
}


def test_every_public_function_and_argument_is_covered() -> None:
    arguments = {(name, parameter) for name in storage.__all__ if inspect.isfunction(getattr(storage, name))
                 for parameter in inspect.signature(getattr(storage, name)).parameters}
    assert arguments == set(COVERS)
    expressions = {case: expression for case, expression, _, _ in CASES}
    for (name, _), case in COVERS.items():
        assert expressions[case].startswith(f"storage.{name}("), case


@pytest.mark.parametrize("key_bytes", [300, 1024])
def test_long_keys_are_stored_everywhere(store: Store, tmp_path: Path, key_bytes: int) -> None:
    key = "dir/" + "x" * (key_bytes - 4)
    storage.write_bytes(store.bucket, key, b"long")
    assert storage.read_bytes(store.bucket, key) == b"long"
    assert storage.list_objects(store.bucket) == [key]
    storage.upload(store.bucket, io.BytesIO(b"up"), key)
    storage.download(store.bucket, key, str(tmp_path / "long.bin"))
    assert (tmp_path / "long.bin").read_bytes() == b"up"
    storage.delete(store.bucket, key)
    assert not storage.exists(store.bucket, key)


def test_local_file_errors_name_the_users_path_not_a_temporary_one(store: Store, tmp_path: Path) -> None:
    storage.write_bytes(store.bucket, "present", b"content")
    with pytest.raises(InvalidArgument) as caught:
        storage.download(store.bucket, "present", tmp_path)
    assert str(tmp_path) in str(caught.value) and ".part" not in str(caught.value)
    with pytest.raises(PermissionDenied) as denied:
        storage.download(store.bucket, "present", "/sys/out.bin")
    assert "/sys/out.bin" in str(denied.value) and ".part" not in str(denied.value)
    assert isinstance(denied.value, PermissionError)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/devstoreaccount1", "127.0.0.1:10000", "https://"])
def test_azure_account_url_that_is_not_https_names_the_variable(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_URL", url)
    dispatch.reset()
    with pytest.raises(ConfigurationError) as caught:
        storage.exists("some-bucket", "k")
    assert "AZURE_STORAGE_ACCOUNT_URL" in str(caught.value) and "https://" in str(caught.value)
    assert "AZURE_STORAGE_CONNECTION_STRING" in str(caught.value)  # the way for an http endpoint
