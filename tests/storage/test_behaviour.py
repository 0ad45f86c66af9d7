"""One behaviour suite, run unchanged on local, AWS (moto), GCP (emulator) and Azure (Azurite)."""

from __future__ import annotations

import io
import os
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from infrar import storage
from infrar.errors import InvalidArgument, NotFound
from tests.conftest import Store


def test_write_then_read_bytes_round_trips(store: Store) -> None:
    storage.write_bytes(store.bucket, "notes/today.txt", b"hello")
    assert storage.read_bytes(store.bucket, "notes/today.txt") == b"hello"


def test_write_bytes_overwrites(store: Store) -> None:
    storage.write_bytes(store.bucket, "k", b"first")
    storage.write_bytes(store.bucket, "k", b"second, longer")
    assert storage.read_bytes(store.bucket, "k") == b"second, longer"


def test_write_bytes_accepts_bytearray_and_memoryview(store: Store) -> None:
    storage.write_bytes(store.bucket, "a", bytearray(b"ba"))
    storage.write_bytes(store.bucket, "b", memoryview(b"mv"))
    assert storage.read_bytes(store.bucket, "a") == b"ba"
    assert storage.read_bytes(store.bucket, "b") == b"mv"


def test_empty_object_round_trips(store: Store) -> None:
    storage.write_bytes(store.bucket, "empty", b"")
    assert storage.read_bytes(store.bucket, "empty") == b""
    assert storage.exists(store.bucket, "empty")


def test_upload_path_and_download_path(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(b"\x00\x01payload" * 100)
    storage.upload(store.bucket, str(source), "dir/in.bin")
    target = tmp_path / "out.bin"
    storage.download(store.bucket, "dir/in.bin", str(target))
    assert target.read_bytes() == source.read_bytes()


def test_upload_and_download_accept_pathlike(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "p.txt"
    source.write_text("pathlike")
    storage.upload(store.bucket, source, "p.txt")
    storage.download(store.bucket, "p.txt", tmp_path / "q.txt")
    assert (tmp_path / "q.txt").read_text() == "pathlike"


def test_upload_file_object_and_download_file_object(store: Store) -> None:
    storage.upload(store.bucket, io.BytesIO(b"from a stream"), "stream.txt")
    sink = io.BytesIO()
    storage.download(store.bucket, "stream.txt", sink)
    assert sink.getvalue() == b"from a stream"


def test_unicode_keys_round_trip(store: Store) -> None:
    key = "données/été 2026/résumé.txt"
    storage.write_bytes(store.bucket, key, b"x")
    assert storage.list_objects(store.bucket, "données/") == [key]
    assert storage.read_bytes(store.bucket, key) == b"x"


def test_list_objects_sorted_and_prefixed(store: Store) -> None:
    for key in ["b/2.txt", "a-c", "a/1.txt", "b/1.txt", "c"]:
        storage.write_bytes(store.bucket, key, key.encode())
    assert storage.list_objects(store.bucket) == ["a-c", "a/1.txt", "b/1.txt", "b/2.txt", "c"]
    assert storage.list_objects(store.bucket, prefix="b/") == ["b/1.txt", "b/2.txt"]
    assert storage.list_objects(store.bucket, prefix="a") == ["a-c", "a/1.txt"]
    assert storage.list_objects(store.bucket, prefix="zzz") == []


def test_list_objects_of_empty_bucket_is_empty(store: Store) -> None:
    assert storage.list_objects(store.bucket) == []


def test_delete_removes_the_object(store: Store) -> None:
    storage.write_bytes(store.bucket, "gone/soon.txt", b"x")
    storage.write_bytes(store.bucket, "gone/stays.txt", b"y")
    storage.delete(store.bucket, "gone/soon.txt")
    assert not storage.exists(store.bucket, "gone/soon.txt")
    assert storage.list_objects(store.bucket) == ["gone/stays.txt"]


def test_exists(store: Store) -> None:
    storage.write_bytes(store.bucket, "here", b"1")
    assert storage.exists(store.bucket, "here") is True
    assert storage.exists(store.bucket, "not-here") is False
    assert storage.exists(store.missing_bucket, "here") is False


def test_iter_objects_yields_object_info(store: Store) -> None:
    before = datetime.now(timezone.utc)
    storage.write_bytes(store.bucket, "info/b.bin", b"12345")
    storage.write_bytes(store.bucket, "info/a.bin", b"1")
    storage.write_bytes(store.bucket, "other", b"1")
    found = storage.iter_objects(store.bucket, "info/")
    first = next(found)
    rest = list(found)
    infos = [first, *rest]
    assert [i.key for i in infos] == ["info/a.bin", "info/b.bin"]
    assert [i.size for i in infos] == [1, 5]
    for info in infos:
        assert info.last_modified.tzinfo is not None
        assert abs((info.last_modified - before).total_seconds()) < 300
        assert isinstance(info.etag, str) and info.etag and '"' not in info.etag
    assert isinstance(infos[0], storage.ObjectInfo)


def test_signed_get_url_downloads_the_object(store: Store) -> None:
    storage.write_bytes(store.bucket, "share/me.txt", b"shared content")
    url = storage.signed_url(store.bucket, "share/me.txt", expires_in=600)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"shared content"


def test_signed_put_url_uploads_the_object(store: Store) -> None:
    url = storage.signed_url(store.bucket, "incoming/upload.txt", expires_in=600, method="PUT")
    if url.startswith("file://"):
        # The local provider hands out the path the holder writes to.
        Path(urllib.request.url2pathname(url[len("file://"):])).write_bytes(b"put via url")
    else:
        request = urllib.request.Request(url, data=b"put via url", method="PUT",
                                         headers={"x-ms-blob-type": "BlockBlob",
                                                  "Content-Type": "application/octet-stream"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 201)
    assert storage.read_bytes(store.bucket, "incoming/upload.txt") == b"put via url"


def test_missing_object_is_not_found_naming_bucket_and_key(store: Store, tmp_path: Path) -> None:
    calls = [
        lambda: storage.read_bytes(store.bucket, "no/such.txt"),
        lambda: storage.download(store.bucket, "no/such.txt", str(tmp_path / "x")),
        lambda: storage.delete(store.bucket, "no/such.txt"),
        lambda: storage.signed_url(store.bucket, "no/such.txt"),
    ]
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call()
        assert "no/such.txt" in str(caught.value)
        assert store.bucket in str(caught.value)
        assert isinstance(caught.value, FileNotFoundError)


def test_missing_bucket_is_not_found_naming_the_bucket(store: Store, tmp_path: Path) -> None:
    bucket = store.missing_bucket
    calls = [
        lambda: storage.read_bytes(bucket, "k"),
        lambda: storage.download(bucket, "k", str(tmp_path / "x")),
        lambda: storage.delete(bucket, "k"),
        lambda: storage.list_objects(bucket),
        lambda: storage.iter_objects(bucket),
    ]
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call()
        assert bucket in str(caught.value)


def test_upload_of_missing_local_file_is_not_found(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound) as caught:
        storage.upload(store.bucket, str(tmp_path / "absent.txt"), "k")
    assert "absent.txt" in str(caught.value)
    assert storage.list_objects(store.bucket) == []


def test_failed_download_leaves_no_partial_file(store: Store, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    target = downloads / "keep.txt"
    target.write_text("old content")
    with pytest.raises(NotFound):
        storage.download(store.bucket, "absent", str(target))
    assert target.read_text() == "old content"
    assert sorted(os.listdir(downloads)) == ["keep.txt"]


def test_download_into_missing_directory_is_not_found(store: Store, tmp_path: Path) -> None:
    storage.write_bytes(store.bucket, "k", b"x")
    with pytest.raises(NotFound) as caught:
        storage.download(store.bucket, "k", str(tmp_path / "no-dir" / "k"))
    assert "no-dir" in str(caught.value)


@pytest.mark.parametrize("bad", ["Bad_Bucket", "ab", "-leading", "UPPER", "a" * 64, ""])
def test_invalid_bucket_names_state_the_rule(store: Store, bad: str) -> None:
    for call in (lambda: storage.write_bytes(bad, "k", b"x"), lambda: storage.read_bytes(bad, "k"),
                 lambda: storage.list_objects(bad), lambda: storage.exists(bad, "k")):
        with pytest.raises(InvalidArgument) as caught:
            call()
        assert "bucket name" in str(caught.value) and "3-63 characters" in str(caught.value)


@pytest.mark.parametrize("bad", ["", "a\x00b", "x" * 1025, "line\nbreak"])
def test_invalid_keys_state_the_rule(store: Store, bad: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        storage.write_bytes(store.bucket, bad, b"x")
    assert store.bucket in str(caught.value)


def test_wrong_data_type_is_invalid_argument(store: Store) -> None:
    with pytest.raises(InvalidArgument, match="encode text first"):
        storage.write_bytes(store.bucket, "k", "text, not bytes")  # type: ignore[arg-type]
    assert storage.list_objects(store.bucket) == []


def test_signed_url_arguments_are_checked(store: Store) -> None:
    storage.write_bytes(store.bucket, "k", b"x")
    with pytest.raises(InvalidArgument, match="GET"):
        storage.signed_url(store.bucket, "k", method="DELETE")
    with pytest.raises(InvalidArgument, match="604800"):
        storage.signed_url(store.bucket, "k", expires_in=0)
