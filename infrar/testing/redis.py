"""Real Redis servers for the cache tests: Debian's ``redis-server`` on free 127.0.0.1 ports.

``redis`` is plain (no password, no TLS). ``redis-tls`` requires a password and speaks only
TLS (``--port 0 --tls-port``), with a CA and server certificate made by ``openssl`` in its own
directory, so the AUTH and ``rediss://`` paths of every cloud adapter run for real. Nothing is
persisted (``--save ''``): a restart starts empty, as a cache may.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from infrar.errors import MissingDependency, Unavailable
from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

_INSTALL_HINT = "install Debian's server: apt-get install -y redis-server openssl (scripts/test.sh does)"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingDependency(f"{name} is not on PATH; {_INSTALL_HINT}")
    return found


class RedisService(ServerService):
    """Plain Redis; ``environment()`` is ``REDIS_URL``."""

    name: ClassVar[str] = "redis"

    def _arguments(self, port: int) -> list[str]:
        return ["--port", str(port)]

    def _prepare(self, port: int) -> ServerProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        command = [_binary("redis-server"), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(self.log_dir), *self._arguments(port)]
        return ServerProcess(self.name, command, port, self.log_dir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def environment(self) -> dict[str, str]:
        return {"REDIS_URL": self.url}

    def restart(self) -> None:
        """Stop the server and start it again on the same port (its data is gone)."""
        server = self._running()
        server.stop()
        server.start()


class RedisTlsService(RedisService):
    """Redis with ``--requirepass`` on a TLS-only port; ``ca_file`` is the CA its certificate chains to."""

    name: ClassVar[str] = "redis-tls"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self.password = secrets.token_hex(16)

    @property
    def ca_file(self) -> Path:
        return self.log_dir / "tls" / "ca.crt"

    def _certificates(self) -> Path:
        """A self-signed CA and a server certificate for 127.0.0.1/localhost it signed."""
        tls = self.log_dir / "tls"
        tls.mkdir(parents=True, exist_ok=True)
        openssl = _binary("openssl")
        (tls / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=infrar test CA",
             "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
             "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.cnf", "-out", "server.crt"],
        ]
        for step in steps:
            done = subprocess.run([openssl, *step], cwd=tls, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise Unavailable(f"openssl {step[0]} failed ({done.returncode}) in {tls}: {done.stderr[-1000:]}")
        return tls

    def _arguments(self, port: int) -> list[str]:
        tls = self._certificates()
        return ["--port", "0", "--tls-port", str(port), "--tls-cert-file", str(tls / "server.crt"),
                "--tls-key-file", str(tls / "server.key"), "--tls-ca-cert-file", str(tls / "ca.crt"),
                "--tls-auth-clients", "no", "--requirepass", self.password]

    @property
    def url(self) -> str:
        return f"rediss://:{self.password}@127.0.0.1:{self.port}/0"
