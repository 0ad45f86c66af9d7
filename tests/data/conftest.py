"""Fixtures of the data suite: a provider set up for the catalog tests, with a bucket of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infrar import dispatch
from infrar.testing.plugin import EmulatedProvider

CATALOG_PROVIDERS = ["local", "aws"]
GLUE_DATABASES = ("shop", "w")


def aws_client(service: str, moto: EmulatedProvider) -> Any:
    """A boto3 client of the test's own (never infrar's) on the moto server."""
    return boto3.client(service, endpoint_url=moto.service.endpoint, region_name="us-east-1",  # type: ignore[attr-defined]
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def aws_data(infrar_aws: EmulatedProvider, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[EmulatedProvider, str]]:
    """aws on moto with the warehouse's Glue databases, a bucket, and the variables `infrar infra` outputs."""
    bucket = infrar_aws.create_bucket()
    glue = aws_client("glue", infrar_aws)
    for name in GLUE_DATABASES:
        try:
            glue.create_database(DatabaseInput={"Name": name})
        except glue.exceptions.AlreadyExistsException:
            pass
        for table in glue.get_tables(DatabaseName=name)["TableList"]:
            glue.delete_table(DatabaseName=name, Name=table["Name"])
    monkeypatch.setenv("INFRAR_ATHENA_OUTPUT", f"s3://{bucket}/results/")
    monkeypatch.setenv("INFRAR_GLUE_SCRIPTS", f"s3://{bucket}/scripts/")
    monkeypatch.setenv("INFRAR_GLUE_JOB_ROLE_ARN", "arn:aws:iam::123456789012:role/infrar-glue-job")
    monkeypatch.setenv("INFRAR_SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/infrar-scheduler")
    dispatch.reset()
    yield infrar_aws, bucket


@pytest.fixture(params=CATALOG_PROVIDERS)
def catalog_provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(provider, bucket): INFRAR_PROVIDER set, an empty bucket made for the table files."""
    provider: str = request.param
    bucket = f"data-{uuid.uuid4().hex[:10]}"
    if provider == "local":
        request.getfixturevalue("infrar_local")
    elif provider == "aws":
        bucket = request.getfixturevalue("aws_data")[1]
    else:
        request.getfixturevalue(f"infrar_{provider}").create_bucket(bucket)
    dispatch.reset()
    yield provider, bucket
    dispatch.reset()
