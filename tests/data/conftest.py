"""Fixtures of the data suite: a provider set up for the catalog tests, with a bucket of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from infrar import dispatch
from infrar.testing import odbc
from infrar.testing.ministack import MiniStack
from infrar.testing.plugin import EmulatedProvider, ServiceUser
from infrar.testing.postgres import PostgresService
from infrar.testing.services import ServiceRegistry

CATALOG_PROVIDERS = ["local", "aws", "gcp"]
QUERY_PROVIDERS = ["local", "gcp", "azure"]
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
    monkeypatch.setenv("ATHENA_OUTPUT_LOCATION", f"s3://{bucket}/results/")
    monkeypatch.setenv("GLUE_SCRIPTS", f"s3://{bucket}/scripts/")
    monkeypatch.setenv("GLUE_JOB_ROLE_ARN", "arn:aws:iam::123456789012:role/infrar-glue-job")
    monkeypatch.setenv("SCHEDULER_ROLE_ARN", "arn:aws:iam::123456789012:role/infrar-scheduler")
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
    else:  # gcp: files in the GCS emulator, tables in the BigQuery emulator
        request.getfixturevalue("infrar_gcp").create_bucket(bucket)
        request.getfixturevalue("bq_datasets")
    dispatch.reset()
    yield provider, bucket
    dispatch.reset()


def bq_client() -> Any:
    """The test's own BigQuery client on the emulator (anonymous, as the adapter's)."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"], credentials=AnonymousCredentials())


@pytest.fixture
def bq_datasets(infrar_service: ServiceUser) -> Iterator[Any]:
    """gcp on bqemulator, the datasets the tests use emptied first."""
    infrar_service("bqemulator", provider="gcp")
    client = bq_client()
    for name in (*GLUE_DATABASES, "nowhere_db"):
        client.delete_dataset(name, delete_contents=True, not_found_ok=True)
    for name in GLUE_DATABASES:
        client.create_dataset(name)
    dispatch.reset()
    yield client
    dispatch.reset()


@pytest.fixture(params=QUERY_PROVIDERS)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """The provider the query suite runs on, with an empty warehouse ``w``."""
    yield from _engine(request)


# The PostgreSQL standing in for Synapse types a bare `SELECT ?` as text (Synapse types it by the bound
# value), so a parameter's round trip through `SELECT ? AS v` is checked on the engines that are the real
# thing; on azure typed values are bound and read back through columns (test_rows_by_name_...).
@pytest.fixture(params=[p for p in QUERY_PROVIDERS if p != "azure"])
def typed_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    yield from _engine(request)


def _engine(request: pytest.FixtureRequest) -> Iterator[str]:
    provider: str = request.param
    if provider == "local":
        request.getfixturevalue("infrar_local")
    elif provider == "gcp":
        request.getfixturevalue("bq_datasets")
    else:
        request.getfixturevalue("synapse_on_postgres")
    dispatch.reset()
    yield provider
    dispatch.reset()


@pytest.fixture
def synapse_on_postgres(infrar_services: ServiceRegistry, monkeypatch: pytest.MonkeyPatch,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresService]:
    """azure with the Synapse SQL path (pyodbc) on the test PostgreSQL through psqlODBC; warehouses emptied."""
    service = infrar_services.get("postgres")
    assert isinstance(service, PostgresService)
    for name in GLUE_DATABASES:
        # Emptied rather than dropped: dropping would kill connections that ODBC's own pool keeps.
        if name not in service.psql("SELECT datname FROM pg_database").split():
            service.create_database(name)
        service.psql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", database=name)
    variables = odbc.environment(service, tmp_path_factory.getbasetemp() / "data-odbc")
    monkeypatch.setenv("ODBCSYSINI", variables["ODBCSYSINI"])
    monkeypatch.setenv("ODBCINI", variables["ODBCINI"])
    monkeypatch.setenv("AZURE_SYNAPSE_CONNECTIONSTRING", odbc.connection_string(service))
    monkeypatch.setenv("INFRAR_PROVIDER", "azure")
    yield service
    dispatch.reset()


@pytest.fixture
def lake(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """aws on ministack: a bucket, the Glue databases and the primary workgroup's result location."""
    service = infrar_service("ministack", MiniStack, provider="aws")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                 "ATHENA_OUTPUT_LOCATION", "ATHENA_WORKGROUP"):
        monkeypatch.delenv(name, raising=False)
    bucket = f"lake-{uuid.uuid4().hex[:10]}"
    service.client("s3").create_bucket(Bucket=bucket)
    glue = service.client("glue")
    for database in GLUE_DATABASES:
        try:
            glue.create_database(DatabaseInput={"Name": database})
        except glue.exceptions.AlreadyExistsException:
            for table in glue.get_tables(DatabaseName=database)["TableList"]:
                glue.delete_table(DatabaseName=database, Name=table["Name"])
    # The result location is the workgroup's (as `infrar infra` enforces it), so no variable is set.
    service.client("athena").update_work_group(WorkGroup="primary", ConfigurationUpdates={
        "ResultConfigurationUpdates": {"OutputLocation": f"s3://{bucket}/results/"}})
    dispatch.reset()
    yield bucket
    dispatch.reset()
