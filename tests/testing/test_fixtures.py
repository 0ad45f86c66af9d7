"""infrar.testing's pytest fixtures: services shared by a session, their environment per test.

Session behaviour (one server for all tests, stopped when the session ends, also when it is
interrupted) is checked in a pytest run of its own, started here as a user would start one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infrar import storage
from infrar.errors import ConfigurationError, NotFound
from infrar.testing.aws import MotoEmulator
from infrar.testing.azure import AzuriteEmulator
from infrar.testing.gcp import GcsEmulator
from infrar.testing.plugin import ServiceUser
from infrar.testing.services import ServiceRegistry
from tests.testing.support import process_gone

TIMEOUT = 300

# Two tests that both use service moto, one through each fixture, each recording what it saw.
SHARED_SESSION = """
import json, os

def _record(name, service):
    os.kill(service.pid, 0)  # it runs while the test does
    with open({out!r}, "a") as out:
        out.write(json.dumps({{"test": name, "port": service.port, "pid": service.pid}}) + "\\n")

def test_one(infrar_service):
    _record("one", infrar_service("moto"))

def test_two(infrar_services, infrar_emulators):
    assert infrar_emulators is infrar_services
    _record("two", infrar_services.get("moto"))
"""

INTERRUPTED_SESSION = SHARED_SESSION + """
def test_three_interrupts(infrar_services):
    infrar_services.get("moto")
    raise KeyboardInterrupt
"""


def _session(tmp_path: Path, body: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """Run ``body`` as a test module in a pytest session of its own; what each test recorded."""
    out = tmp_path / "seen.jsonl"
    (tmp_path / "test_inner.py").write_text(body.format(out=str(out)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "INFRAR_", "AWS_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )
    seen = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return done, seen


def test_a_session_starts_a_service_once_and_stops_it_at_the_end(tmp_path: Path) -> None:
    done, seen = _session(tmp_path, SHARED_SESSION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [s["test"] for s in seen] == ["one", "two"]
    assert seen[0]["port"] == seen[1]["port"] and seen[0]["pid"] == seen[1]["pid"]
    assert process_gone(seen[0]["pid"])


def test_an_interrupted_session_still_stops_its_services(tmp_path: Path) -> None:
    done, seen = _session(tmp_path, INTERRUPTED_SESSION)
    assert done.returncode == 2 and "KeyboardInterrupt" in done.stdout, done.stdout + done.stderr
    assert len(seen) == 2
    assert process_gone(seen[0]["pid"])


def test_infrar_service_sets_the_environment_that_points_a_real_client_at_it(
    infrar_service: ServiceUser,
) -> None:
    import boto3

    moto = infrar_service("moto", MotoEmulator, provider="aws")
    assert os.environ["INFRAR_PROVIDER"] == "aws"
    assert os.environ["AWS_ENDPOINT_URL"] == f"http://127.0.0.1:{moto.port}"
    moto.create_bucket("infrar-service-env")
    try:
        # A new session, configured by the environment only (boto3's default session may have
        # read an earlier test's config files).
        client = boto3.session.Session().client("s3")
        names = [b["Name"] for b in client.list_buckets()["Buckets"]]
        assert "infrar-service-env" in names
    finally:
        moto.delete_bucket("infrar-service-env")


def test_infrar_service_checks_the_kind_asked_for(infrar_service: ServiceUser) -> None:
    azurite = infrar_service("azurite", AzuriteEmulator)
    assert azurite.connection_string == os.environ["AZURE_STORAGE_CONNECTION_STRING"]
    with pytest.raises(ConfigurationError, match="service 'moto' is a MotoEmulator, not a AzuriteEmulator"):
        infrar_service("moto", AzuriteEmulator)


def test_gcs_environment_points_a_real_client_at_it(infrar_service: ServiceUser) -> None:
    from google.cloud import storage

    gcs = infrar_service("gcs", GcsEmulator)
    gcs.create_bucket("infrar-service-gcs-env")
    try:
        client = storage.Client()  # STORAGE_EMULATOR_HOST and GOOGLE_CLOUD_PROJECT from the environment
        assert "infrar-service-gcs-env" in [b.name for b in client.list_buckets()]
    finally:
        gcs.delete_bucket("infrar-service-gcs-env")


PROVIDER_FIXTURES = [("infrar_aws", "moto"), ("infrar_gcp", "gcs"), ("infrar_azure", "azurite")]


@pytest.mark.parametrize(("fixture", "service"), PROVIDER_FIXTURES)
def test_provider_fixtures_are_the_session_storage_services(
    fixture: str, service: str, infrar_services: ServiceRegistry, request: pytest.FixtureRequest
) -> None:
    handle = request.getfixturevalue(fixture)
    assert handle.service is infrar_services.get(service) is handle.emulator
    assert os.environ["INFRAR_PROVIDER"] == handle.provider == fixture.removeprefix("infrar_")
    bucket = handle.create_bucket()
    storage.write_bytes(bucket, "kept.txt", b"until cleanup")  # infrar itself reaches the service
    assert storage.list_objects(bucket) == ["kept.txt"]
    handle.cleanup()  # what the fixture does after the test
    with pytest.raises(NotFound):
        storage.list_objects(bucket)
