"""Service ``bqemulator``: the BigQuery emulator (DuckDB inside) on a free 127.0.0.1 port, for the data tests.

It runs from its own virtualenv, made by ``scripts/setup-bqemulator.sh`` (it works only with
duckdb 1.5.5 pinned and the spatial extension installed into the venv's ``home``, which is
the HOME it runs with). ``environment()`` points google-cloud-bigquery at it:
BIGQUERY_EMULATOR_HOST and GOOGLE_CLOUD_PROJECT (the adapter then uses anonymous credentials).
INFRAR_BQEMULATOR_VENV overrides where the venv is.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from infrar.errors import Unavailable
from infrar.testing._process import ServerProcess, free_port
from infrar.testing.services import ServerService

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "infrar-test"


def venv() -> Path:
    return Path(os.environ.get("INFRAR_BQEMULATOR_VENV") or ROOT / ".cache" / "bqemulator-venv")


def setup() -> Path:
    """The emulator's executable, building its venv first if it is missing (the script skips when present)."""
    script = ROOT / "scripts" / "setup-bqemulator.sh"
    executable = venv() / "bin" / "bqemulator"
    if not executable.is_file() and script.is_file():
        subprocess.run(["bash", str(script), str(venv())], check=True, capture_output=True, timeout=900)
    if not executable.is_file():
        raise Unavailable(f"bqemulator is not installed under {venv()}; run scripts/setup-bqemulator.sh")
    return executable


class BigQueryEmulator(ServerService):
    """Service ``bqemulator``: one in-memory emulator; each test makes datasets of its own."""

    name = "bqemulator"

    def _prepare(self, port: int) -> ServerProcess:
        command = [str(setup()), "start", "--rest-host", "127.0.0.1", "--rest-port", str(port),
                   "--grpc-port", str(free_port()), "--project", PROJECT, "--ephemeral", "--log-level", "warning"]
        return ServerProcess("bqemulator", command, port, self.log_dir, env={"HOME": str(venv() / "home")})

    def environment(self) -> dict[str, str]:
        return {"BIGQUERY_EMULATOR_HOST": self.endpoint, "GOOGLE_CLOUD_PROJECT": PROJECT}
