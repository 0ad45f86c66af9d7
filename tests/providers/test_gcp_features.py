"""infrar.gcp.storage: Cloud Storage-only features, against gcp-storage-emulator (fixture ``infrar_gcp``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from typing import Any

import pytest

from infrar.errors import ConfigurationError, InvalidArgument, NotFound
from infrar.gcp import storage as gcs
from infrar.lockin import LockInWarning


def test_set_retention_period_sets_the_bucket_policy(infrar_gcp: Any) -> None:
    bucket = infrar_gcp.create_bucket()
    with pytest.warns(LockInWarning):
        gcs.set_retention_period(bucket, 3600)
    # Read back with the emulator's own client: the policy is stored on the bucket.
    native = infrar_gcp.emulator.client().get_bucket(bucket)
    assert native.retention_period == 3600
    assert native._properties["retentionPolicy"]["retentionPeriod"] == "3600"


def test_set_retention_period_can_change_the_period(infrar_gcp: Any) -> None:
    bucket = infrar_gcp.create_bucket()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        gcs.set_retention_period(bucket, 60)
        gcs.set_retention_period(bucket, 86400)
    assert infrar_gcp.emulator.client().get_bucket(bucket).retention_period == 86400


def test_lock_in_warning_is_given_once_per_process(infrar_gcp: Any) -> None:
    bucket = infrar_gcp.create_bucket()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        gcs.set_retention_period(bucket, 60)
        gcs.set_retention_period(bucket, 120)
    lock_in = [w for w in seen if issubclass(w.category, LockInWarning)]
    assert len(lock_in) == 1
    message = str(lock_in[0].message)
    assert "infrar.gcp.storage.set_retention_period" in message and "gcp" in message
    assert lock_in[0].filename == __file__  # points at the caller's line


@pytest.mark.parametrize("seconds", [0, -1, True, 1.5, "60", None, 3_155_760_001])
def test_invalid_periods_are_invalid_argument(infrar_gcp: Any, seconds: Any) -> None:
    bucket = infrar_gcp.create_bucket()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        with pytest.raises(InvalidArgument) as caught:
            gcs.set_retention_period(bucket, seconds)
    assert bucket in str(caught.value)
    assert infrar_gcp.emulator.client().get_bucket(bucket).retention_period is None


def test_invalid_bucket_name_states_the_rule(infrar_gcp: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        with pytest.raises(InvalidArgument, match="GCS bucket naming rules"):
            gcs.set_retention_period("Bad_Bucket", 60)


def test_missing_bucket_is_not_found(infrar_gcp: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LockInWarning)
        with pytest.raises(NotFound) as caught:
            gcs.set_retention_period("no-such-bucket-for-retention", 60)
    assert str(caught.value).startswith("bucket 'no-such-bucket-for-retention' does not exist")


def test_other_provider_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    with pytest.warns(LockInWarning), pytest.raises(ConfigurationError) as caught:
        gcs.set_retention_period("some-bucket", 60)
    assert "INFRAR_PROVIDER=gcp" in str(caught.value)
    assert "'aws'" in str(caught.value)


def test_missing_google_cloud_storage_is_missing_dependency() -> None:
    script = textwrap.dedent("""
        import sys
        import warnings

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "google.cloud.storage" or name.startswith("google.cloud.storage."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, Block())
        warnings.simplefilter("ignore")
        from infrar.errors import MissingDependency
        from infrar.gcp import storage
        try:
            storage.set_retention_period("some-bucket", 60)
        except MissingDependency as exc:
            print("MissingDependency:", exc)
    """)
    env = {**os.environ, "INFRAR_PROVIDER": "gcp"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert "MissingDependency:" in done.stdout, done.stderr
    assert "pip install 'infrar[gcp]'" in done.stdout
