"""infrar.azure.blob: Azure-only features, against a real Azurite."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from infrar import dispatch, storage
from infrar.azure import blob
from infrar.errors import ConfigurationError, InvalidArgument, NotFound, PermissionDenied
from infrar.lockin import LockInWarning, reset_warnings


@pytest.mark.parametrize("tier", ["Cool", "Cold", "Archive", "Hot"])
def test_access_tier_is_really_set(infrar_azure: Any, tier: str) -> None:
    bucket = infrar_azure.create_bucket()
    storage.write_bytes(bucket, "report.csv", b"a,b\n")
    with pytest.warns(LockInWarning):
        blob.set_access_tier(bucket, "report.csv", tier)
    properties = infrar_azure.emulator.client().get_blob_client(bucket, "report.csv").get_blob_properties()
    assert properties.blob_tier == tier


def test_archived_blob_cannot_be_read_and_says_why(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    storage.write_bytes(bucket, "old.log", b"x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        blob.set_access_tier(bucket, "old.log", "Archive")
    with pytest.raises(PermissionDenied, match="in the Archive tier and cannot be read; rehydrate it"):
        storage.read_bytes(bucket, "old.log")


def test_unknown_tier_lists_the_valid_ones(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    storage.write_bytes(bucket, "a", b"x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        with pytest.raises(InvalidArgument, match="not one of Hot, Cool, Cold, Archive"):
            blob.set_access_tier(bucket, "a", "hot")


def test_tier_of_missing_blob_or_container_is_not_found(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        with pytest.raises(NotFound, match=f"blob 'missing' does not exist in container '{bucket}'"):
            blob.set_access_tier(bucket, "missing", "Cool")
        with pytest.raises(NotFound, match="container 'no-such-container' does not exist"):
            blob.set_access_tier("no-such-container", "missing", "Cool")


def test_lock_in_is_warned_once_per_process(infrar_azure: Any) -> None:
    bucket = infrar_azure.create_bucket()
    storage.write_bytes(bucket, "a", b"x")
    reset_warnings()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        blob.set_access_tier(bucket, "a", "Cool")
        blob.set_access_tier(bucket, "a", "Hot")
    lock_in = [w for w in caught if issubclass(w.category, LockInWarning)]
    assert len(lock_in) == 1
    assert "infrar.azure.blob.set_access_tier exists only on azure" in str(lock_in[0].message)


def test_azure_feature_on_another_provider_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    dispatch.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        with pytest.raises(ConfigurationError, match="azure-only feature but INFRAR_PROVIDER is 'aws'"):
            blob.set_access_tier("some-container", "a", "Cool")
