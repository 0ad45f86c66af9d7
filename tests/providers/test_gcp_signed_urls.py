"""GCS signed URLs: real V4 signatures, and where the signing key comes from."""

from __future__ import annotations

import hashlib
import json
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from infrar import dispatch, storage
from infrar.errors import ConfigurationError
from infrar.testing.gcp import SIGNER_EMAIL, write_service_account_key


def _canonical_v4_check(url: str, method: str, key_file: Path) -> dict[str, str]:
    """Verify a V4 signed URL's signature with the key's public half, per Google's V4 spec."""
    parts = urllib.parse.urlsplit(url)
    pairs = parts.query.split("&")
    params = dict(urllib.parse.parse_qsl(parts.query))
    canonical_query = "&".join(sorted(p for p in pairs if not p.startswith("X-Goog-Signature=")))
    canonical_request = "\n".join(
        [method, parts.path, canonical_query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    scope = params["X-Goog-Credential"].split("/", 1)[1]
    string_to_sign = "\n".join([
        "GOOG4-RSA-SHA256", params["X-Goog-Date"], scope,
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])
    private = serialization.load_pem_private_key(
        json.loads(key_file.read_text())["private_key"].encode(), password=None
    )
    private.public_key().verify(  # type: ignore[union-attr, call-arg]
        bytes.fromhex(params["X-Goog-Signature"]), string_to_sign.encode(),
        padding.PKCS1v15(), hashes.SHA256(),  # type: ignore[arg-type]
    )
    return params


def test_signed_urls_are_real_v4_and_work(infrar_gcp: Any) -> None:
    emulator = infrar_gcp.emulator
    bucket = infrar_gcp.create_bucket()
    storage.write_bytes(bucket, "share/été.txt", b"shared")
    url = storage.signed_url(bucket, "share/été.txt", expires_in=600)
    assert url.startswith(f"{emulator.endpoint}/{bucket}/share/%C3%A9t%C3%A9.txt?")
    params = _canonical_v4_check(url, "GET", emulator.key_file)
    assert params["X-Goog-Algorithm"] == "GOOG4-RSA-SHA256"
    assert params["X-Goog-Credential"].startswith(f"{SIGNER_EMAIL}/")
    assert params["X-Goog-Expires"] == "600"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"shared"

    put_url = storage.signed_url(bucket, "in/new.bin", expires_in=60, method="PUT")
    _canonical_v4_check(put_url, "PUT", emulator.key_file)
    request = urllib.request.Request(put_url, data=b"\x00uploaded", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    assert storage.read_bytes(bucket, "in/new.bin") == b"\x00uploaded"


def test_signing_key_comes_from_google_application_credentials(
    infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bucket = infrar_gcp.create_bucket()
    storage.write_bytes(bucket, "k", b"x")
    own = write_service_account_key(tmp_path / "mine.json", email="uploader@my-project.iam.gserviceaccount.com")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(own))
    dispatch.reset()
    url = storage.signed_url(bucket, "k")
    params = _canonical_v4_check(url, "GET", own)
    assert params["X-Goog-Credential"].startswith("uploader@my-project.iam.gserviceaccount.com/")


def test_signing_without_a_key_says_what_is_needed(infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket = infrar_gcp.create_bucket()
    storage.write_bytes(bucket, "k", b"x")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    dispatch.reset()
    with pytest.raises(ConfigurationError) as caught:
        storage.signed_url(bucket, "k")
    message = str(caught.value)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in message and "iam.serviceAccounts.signBlob" in message


def test_signing_with_a_non_service_account_file_is_a_configuration_error(
    infrar_gcp: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bucket = infrar_gcp.create_bucket()
    storage.write_bytes(bucket, "k", b"x")
    user = tmp_path / "adc.json"
    user.write_text(json.dumps({"type": "authorized_user", "client_id": "c", "client_secret": "s",
                                "refresh_token": "r"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(user))
    dispatch.reset()
    with pytest.raises(ConfigurationError) as caught:
        storage.signed_url(bucket, "k")
    assert str(user) in str(caught.value) and "service account" in str(caught.value)
    assert "refresh_token" not in str(caught.value) and '"s"' not in str(caught.value)
