"""infrar.aws.s3 (S3-only features) against a real moto server (fixture ``infrar_aws``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infrar import storage
from infrar.aws import s3
from infrar.errors import ConfigurationError, InvalidArgument, NotFound
from infrar.lockin import LockInWarning, reset_warnings

EXPIRE_LOGS = {
    "Rules": [
        {
            "ID": "expire-logs",
            "Status": "Enabled",
            "Filter": {"Prefix": "logs/"},
            "Expiration": {"Days": 30},
        }
    ]
}


@pytest.fixture(autouse=True)
def _arm_lock_in_warnings() -> None:
    # Each test starts with the once-per-process warnings armed again.
    reset_warnings()


@pytest.fixture
def bucket(infrar_aws: Any) -> str:
    name: str = infrar_aws.create_bucket()
    return name


@pytest.fixture
def raw_s3(infrar_aws: Any) -> Any:
    """The emulator's own boto3 client, to check what infrar did without going through it."""
    return infrar_aws.emulator.client()


@pytest.mark.filterwarnings("ignore::infrar.lockin.LockInWarning")
def test_enable_versioning_really_versions(bucket: str, raw_s3: Any) -> None:
    assert "Status" not in raw_s3.get_bucket_versioning(Bucket=bucket)
    s3.enable_versioning(bucket)
    assert raw_s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

    storage.write_bytes(bucket, "doc.txt", b"one")
    storage.write_bytes(bucket, "doc.txt", b"two")
    versions = raw_s3.list_object_versions(Bucket=bucket, Prefix="doc.txt")["Versions"]
    assert len(versions) == 2
    assert storage.read_bytes(bucket, "doc.txt") == b"two"


@pytest.mark.filterwarnings("ignore::infrar.lockin.LockInWarning")
def test_set_lifecycle_policy_really_sets_it(bucket: str, raw_s3: Any) -> None:
    s3.set_lifecycle_policy(bucket, EXPIRE_LOGS)
    rules = raw_s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(rules) == 1
    assert rules[0]["ID"] == "expire-logs"
    assert rules[0]["Status"] == "Enabled"
    assert rules[0]["Expiration"] == {"Days": 30}
    assert rules[0]["Filter"] == {"Prefix": "logs/"}

    # A second call replaces the whole configuration, as S3's PUT does.
    s3.set_lifecycle_policy(bucket, {"Rules": [{**EXPIRE_LOGS["Rules"][0], "ID": "second"}]})
    rules = raw_s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [rule["ID"] for rule in rules] == ["second"]


@pytest.mark.filterwarnings("ignore::infrar.lockin.LockInWarning")
@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ([{"ID": "x"}], "must be a dict with a 'Rules' list"),
        ({"rules": []}, "must be a dict with a 'Rules' list"),
        ({"Rules": {"ID": "x"}}, "must be a dict with a 'Rules' list"),
        ({"Rules": []}, "needs at least one rule"),
        ({"Rules": ["expire"]}, "needs at least one rule, each a dict"),
        # Passes the shape check; botocore's parameter validation rejects it before sending.
        ({"Rules": [{"Status": "Enabled", "Expiration": {"Days": "thirty"}}]}, "Days"),
    ],
)
def test_bad_lifecycle_policy_is_invalid_argument(bucket: str, raw_s3: Any, policy: Any, words: str) -> None:
    with pytest.raises(InvalidArgument, match=words) as caught:
        s3.set_lifecycle_policy(bucket, policy)
    assert bucket in str(caught.value)
    with pytest.raises(ClientError, match="NoSuchLifecycleConfiguration"):
        raw_s3.get_bucket_lifecycle_configuration(Bucket=bucket)


@pytest.mark.filterwarnings("ignore::infrar.lockin.LockInWarning")
def test_missing_or_misnamed_bucket(bucket: str) -> None:
    missing = f"{bucket}-gone"
    with pytest.raises(NotFound, match=f"bucket '{missing}' does not exist"):
        s3.enable_versioning(missing)
    with pytest.raises(NotFound, match=f"bucket '{missing}' does not exist"):
        s3.set_lifecycle_policy(missing, EXPIRE_LOGS)
    with pytest.raises(InvalidArgument, match="S3 bucket naming rules"):
        s3.enable_versioning("Bad_Bucket")


def test_lock_in_warning_once_per_feature_naming_it(bucket: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s3.enable_versioning(bucket)
        s3.enable_versioning(bucket)
        s3.set_lifecycle_policy(bucket, EXPIRE_LOGS)
    lock_in = [str(item.message) for item in caught if issubclass(item.category, LockInWarning)]
    assert len(lock_in) == 2
    assert "infrar.aws.s3.enable_versioning" in lock_in[0] and "aws" in lock_in[0]
    assert "infrar.aws.s3.set_lifecycle_policy" in lock_in[1]


def test_another_provider_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "gcp")
    with pytest.warns(LockInWarning), pytest.raises(ConfigurationError, match="INFRAR_PROVIDER=aws"):
        s3.enable_versioning("any-bucket")
    with pytest.warns(LockInWarning), pytest.raises(ConfigurationError, match="INFRAR_PROVIDER"):
        s3.set_lifecycle_policy("any-bucket", EXPIRE_LOGS)


def test_missing_boto3_is_missing_dependency() -> None:
    script = textwrap.dedent(
        """
        import sys
        import warnings

        class BlockBoto3:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in ("boto3", "botocore", "s3transfer"):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, BlockBoto3())
        warnings.simplefilter("ignore")

        from infrar.aws import s3  # must not need boto3
        from infrar.errors import MissingDependency
        try:
            s3.enable_versioning("some-bucket")
        except MissingDependency as exc:
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
