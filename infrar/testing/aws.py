"""Service ``moto``: a moto server standing in for AWS in tests, on a free 127.0.0.1 port.

It serves every AWS API moto emulates (S3 today; SQS, SNS ... for later domains), so one
server answers all of a session's AWS tests.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

REGION = "us-east-1"
ACCESS_KEY = "testing"  # moto accepts any key; these are not credentials of anything
# A profile of our own, so a developer's AWS_PROFILE or ~/.aws never reaches the emulator.
PROFILE = "infrar-moto"


def moto_command(port: int) -> list[str]:
    """``moto_server`` from this interpreter's environment, else ``python -m moto.server``."""
    executable = Path(sys.executable).with_name("moto_server")
    if executable.is_file():
        return [str(executable), "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


class MotoEmulator(ServerService):
    """Service ``moto``: one moto server standing in for AWS; ``environment()`` points boto3 (and infrar) at it."""

    name = "moto"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self._client: Any = None
        self._config_file = log_dir / "moto-aws-config"
        self._credentials_file = log_dir / "moto-aws-credentials"

    def _prepare(self, port: int) -> ServerProcess:
        # A config file holding only our profile: AWS_PROFILE and AWS_CONFIG_FILE are set to
        # it in environment(), so no setting of the developer's (a default region, an
        # endpoint_url, a real SSO profile) can send a test to real AWS.
        self._config_file.write_text(
            f"[profile {PROFILE}]\nregion = {REGION}\n"
            f"aws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {ACCESS_KEY}\n"
        )
        self._credentials_file.write_text("")
        return ServerProcess("moto", moto_command(port), port, self.log_dir)

    def _forget_clients(self) -> None:
        self._client = None

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_PROFILE": PROFILE,
            "AWS_DEFAULT_PROFILE": PROFILE,
            "AWS_CONFIG_FILE": str(self._config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(self._credentials_file),
        }

    def client(self) -> Any:
        """A boto3 S3 client of the emulator's own (not infrar's), for setting up and checking."""
        if self._client is None:
            self._client = boto3.client(
                "s3",
                endpoint_url=self.endpoint,
                region_name=REGION,
                aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=ACCESS_KEY,
            )
        return self._client

    def create_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def delete_bucket(self, name: str) -> None:
        """Delete every object version, delete marker and open upload, then the bucket."""
        s3 = self.client()
        try:
            self._empty(s3, name)
            s3.delete_bucket(Bucket=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchBucket":
                raise

    @staticmethod
    def _empty(s3: Any, name: str) -> None:
        # Always re-list from the start rather than paginate: moto loses its place when the
        # marker key has just been deleted. A page holds at most 1,000 entries, as many as
        # one delete_objects call takes.
        while True:
            page = s3.list_object_versions(Bucket=name)
            doomed = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if not doomed:
                break
            s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
