"""Start and stop emulator servers on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from infrar.errors import Unavailable


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes], name: str) -> None:
    """Block until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Unavailable(f"{name} exited with status {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise Unavailable(f"{name} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


class ServerProcess:
    """One server subprocess with its output in a log file, stopped with its process group."""

    def __init__(self, name: str, command: Sequence[str], port: int, log_dir: Path,
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.name = name
        self.command = list(command)
        self.port = port
        self.log_path = log_dir / f"{name}-{port}.log"
        self._env = env
        self._cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process group's) while it runs, else None."""
        return None if self._process is None else self._process.pid

    def start(self, timeout: float = 60.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        env = {**os.environ, **(self._env or {})}
        self._process = subprocess.Popen(
            self.command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=self._cwd, start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout, self._process, self.name)
        except Unavailable as exc:
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise Unavailable(f"{exc}; its log {self.log_path} ends with:\n{tail}") from None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, 15)
                process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, 9)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None
