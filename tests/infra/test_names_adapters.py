"""The storage adapters use the deployed name ``BUCKET_NAME_<BUCKET>`` gives, on real backends.

A program names its bucket ``uploads``; infrar infra deploys it as ``<project>-<env>-uploads-<hash>``
and hands the workload ``BUCKET_NAME_UPLOADS``. Without the variable the program's name is used.
"""

from __future__ import annotations

import pytest

from infrar import storage
from infrar.errors import NotFound
from infrar.providers._names import deployed_name, name_variable


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_logical_name_reaches_the_deployed_bucket(
    provider: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployed = request.getfixturevalue(f"infrar_{provider}").create_bucket()
    monkeypatch.setenv(name_variable("bucket", "uploads"), deployed)
    storage.write_bytes("uploads", "notes/a.txt", b"through the mapping")
    assert storage.list_objects("uploads") == ["notes/a.txt"]
    assert storage.read_bytes("uploads", "notes/a.txt") == b"through the mapping"
    # the object is in the deployed bucket, read here under its own name
    monkeypatch.delenv(name_variable("bucket", "uploads"))
    assert storage.read_bytes(deployed, "notes/a.txt") == b"through the mapping"
    with pytest.raises(NotFound):  # no mapping: "uploads" itself, which does not exist
        storage.read_bytes("uploads", "notes/a.txt")


def test_variable_names_follow_the_modules_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    assert name_variable("bucket", "shop-uploads") == "BUCKET_NAME_SHOP_UPLOADS"
    assert name_variable("queue", "jobs.v2") == "QUEUE_NAME_JOBS_V2"
    monkeypatch.delenv("BUCKET_NAME_SHOP_UPLOADS", raising=False)
    assert deployed_name("bucket", "shop-uploads") == "shop-uploads"
    monkeypatch.setenv("BUCKET_NAME_SHOP_UPLOADS", "")  # empty is unset, as the other variables
    assert deployed_name("bucket", "shop-uploads") == "shop-uploads"
