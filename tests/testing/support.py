"""What the tests of infrar.testing share: a service a test plugin declares, and a process check.

``HttpService`` is Python's own http.server serving a directory of files: a real server on a
free 127.0.0.1 port, started and stopped like moto or Azurite, so the tests can declare it
through a plugin object.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from infrar.testing import ServerProcess, ServerService

URL_VARIABLE = "INFRAR_TEST_HTTP_URL"


class HttpService(ServerService):
    """Serves the files ``publish()`` writes; ``environment()`` names its URL."""

    name = "http"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self.root = log_dir / "www"

    def _prepare(self, port: int) -> ServerProcess:
        self.root.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(self.root), str(port)]
        return ServerProcess(self.name, command, port, self.log_dir)

    def environment(self) -> dict[str, str]:
        return {URL_VARIABLE: self.endpoint}

    def publish(self, name: str, text: str) -> None:
        """This service's resource: a file clients can GET at /``name``."""
        (self.root / name).write_text(text)


class MisnamedService(HttpService):
    """Declared as ``http`` in a test, but calls itself something else."""

    name = "not-http"


def process_gone(pid: int) -> bool:
    """Whether the process group a server led (each runs in one of its own) has no process left."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False
