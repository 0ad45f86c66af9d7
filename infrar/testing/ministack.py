"""Service ``ministack``: an AWS emulator whose Athena runs SQL (DuckDB over its S3 and Glue), for the data tests.

moto's Athena returns canned rows; ministack executes the query, so the aws data adapter is
tested end to end there (requests and typed, paged results), except ExecutionParameters,
which ministack does not support (parameters are tested on moto). It pins its own botocore,
so it runs from a venv of its own made by ``scripts/setup-ministack.sh`` (duckdb installed
beside it, else Athena answers with placeholder rows), served by hypercorn on 127.0.0.1.
INFRAR_MINISTACK_VENV overrides where the venv is.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import boto3

from infrar.errors import Unavailable
from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
KEY = "test"  # ministack accepts any key; not a credential of anything


def venv() -> Path:
    return Path(os.environ.get("INFRAR_MINISTACK_VENV") or ROOT / ".cache" / "ministack-venv")


def setup() -> Path:
    """The venv's python, building the venv first if it is missing (the script skips when present)."""
    python = venv() / "bin" / "python"
    script = ROOT / "scripts" / "setup-ministack.sh"
    if not (venv() / "bin" / "ministack").is_file() and script.is_file():
        subprocess.run(["bash", str(script), str(venv())], check=True, capture_output=True, timeout=900)
    if not (venv() / "bin" / "ministack").is_file():
        raise Unavailable(f"ministack is not installed under {venv()}; run scripts/setup-ministack.sh")
    return python


class MiniStack(ServerService):
    """Service ``ministack``: one emulator; tests make their own buckets and Glue databases."""

    name = "ministack"

    def _prepare(self, port: int) -> ServerProcess:
        command = [str(setup()), "-m", "hypercorn", "ministack.app:app", "--bind", f"127.0.0.1:{port}"]
        environment = {"GATEWAY_PORT": str(port), "MINISTACK_HOST": "127.0.0.1", "ATHENA_ENGINE": "duckdb",
                       "LOG_LEVEL": "WARNING", "MINISTACK_REGION": REGION}
        return ServerProcess("ministack", command, port, self.log_dir, env=environment)

    def environment(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ENDPOINT_URL_S3": self.endpoint,
                "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": KEY, "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION}

    def client(self, service: str) -> Any:
        """A boto3 client of the test's own on the emulator."""
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=KEY, aws_secret_access_key=KEY)
