"""Service ``pubsub``: Google's Pub/Sub emulator (shipped in the Google Cloud SDK) on a free 127.0.0.1 port.

The emulator is ``platform/pubsub-emulator/bin/cloud-pubsub-emulator`` under the SDK root
(``gcloud info --format='value(installation.sdk_root)'``; Java 17 runs it). Its data lives in
memory, so each session's emulator starts empty; ``environment()`` points google-cloud-pubsub
at it (PUBSUB_EMULATOR_HOST) with a project id fresh for the session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import ClassVar

from infrar.errors import MissingDependency
from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

_INSTALL_HINT = (
    "install the Google Cloud SDK with its Pub/Sub emulator and Java 17: "
    "apt-get install -y google-cloud-cli google-cloud-cli-pubsub-emulator openjdk-17-jre-headless "
    "(or `gcloud components install pubsub-emulator`)"
)


def sdk_root() -> Path | None:
    """The Google Cloud SDK's root: CLOUDSDK_ROOT_DIR, else what ``gcloud info`` says, else None."""
    configured = os.environ.get("CLOUDSDK_ROOT_DIR")
    if configured:
        return Path(configured)
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    done = subprocess.run([gcloud, "info", "--format=value(installation.sdk_root)"], capture_output=True,
                          text=True, timeout=60, check=False)
    found = done.stdout.strip()
    return Path(found) if done.returncode == 0 and found else None


def emulator_binary() -> Path:
    """The emulator's launcher, or MissingDependency saying how to install it."""
    root = sdk_root()
    binary = None if root is None else root / "platform" / "pubsub-emulator" / "bin" / "cloud-pubsub-emulator"
    if binary is None or not binary.is_file():
        raise MissingDependency(f"the Pub/Sub emulator is not installed (looked in {root}); {_INSTALL_HINT}")
    if shutil.which("java") is None:
        raise MissingDependency(f"java is not on PATH, and the Pub/Sub emulator needs it; {_INSTALL_HINT}")
    return binary


class PubSubEmulator(ServerService):
    """Service ``pubsub``; ``environment()`` is PUBSUB_EMULATOR_HOST and a fresh GOOGLE_CLOUD_PROJECT."""

    name: ClassVar[str] = "pubsub"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        # Names need 3+ characters and a letter first; fresh per session so no state is shared.
        self.project = f"infrar-test-{uuid.uuid4().hex[:10]}"

    def _prepare(self, port: int) -> ServerProcess:
        command = [str(emulator_binary()), "--host=127.0.0.1", f"--port={port}"]
        return ServerProcess(self.name, command, port, self.log_dir)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {"PUBSUB_EMULATOR_HOST": self.host, "GOOGLE_CLOUD_PROJECT": self.project}
