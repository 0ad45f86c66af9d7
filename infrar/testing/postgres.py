"""A real PostgreSQL for tests: Debian's server binaries, initialised in a temp dir per session.

One server stands in for RDS/Aurora (aws), Cloud SQL (gcp) and, through psqlODBC, the ODBC
path of azure. initdb refuses to run as root (CI runs as root), so as root the server runs as
the unprivileged ``postgres`` user Debian's package creates (``nobody`` otherwise), via
``setpriv``, which execs the server so that its pid is the postmaster's. Durability is off
(fsync, synchronous_commit): a test database does not need to survive a power cut.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import ClassVar

from infrar.errors import MissingDependency, Unavailable
from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

USER = "infrar"
_INSTALL_HINT = "install Debian's server: apt-get install -y postgresql (scripts/test.sh does)"


def server_bin() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and postgres."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise MissingDependency(f"no PostgreSQL server binaries under /usr/lib/postgresql; {_INSTALL_HINT}")
    return Path(found[-1]).parent


def _run_as() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that drops root, and the account it drops to (None when not root)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--clear-groups", "--"], account
    raise Unavailable("running as root and neither a 'postgres' nor a 'nobody' account exists to run PostgreSQL")


class PostgresService(ServerService):
    """PostgreSQL on a free 127.0.0.1 port; ``environment()`` is libpq's own variables."""

    name: ClassVar[str] = "postgres"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self.password = secrets.token_hex(16)
        # Its own directory under the system temp dir: pytest's are 0700 and root's, which the
        # server account could not enter. Removed on stop.
        self.root: Path | None = None

    def _prepare(self, port: int) -> ServerProcess:
        binaries = server_bin()
        prefix, account = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="infrar-postgres-"))
        data_dir = self.root / "data"
        socket_dir = self.root / "socket"
        data_dir.mkdir()
        socket_dir.mkdir()
        password_file = self.root / "pwfile"
        password_file.write_text(self.password + "\n")
        if account is not None:
            for path in (self.root, data_dir, socket_dir, password_file):
                os.chown(path, account.pw_uid, account.pw_gid)
        initdb = [*prefix, str(binaries / "initdb"), "-D", str(data_dir), "-U", USER, "-E", "UTF8",
                  "--no-locale", "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}",
                  "--no-sync"]
        done = subprocess.run(initdb, capture_output=True, text=True, cwd=self.root, check=False)
        password_file.unlink()
        if done.returncode != 0:
            raise Unavailable(f"initdb failed ({done.returncode}) in {data_dir}: {done.stderr[-2000:]}")
        return self._process(port)

    def _process(self, port: int) -> ServerProcess:
        assert self.root is not None
        prefix, _ = _run_as()
        command = [*prefix, str(server_bin() / "postgres"), "-D", str(self.root / "data"), "-p", str(port),
                   "-k", str(self.root / "socket"), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                   "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]
        return ServerProcess(self.name, command, port, self.log_dir, cwd=self.root)

    def start(self) -> None:
        super().start()
        self._wait_ready()

    def _wait_ready(self) -> None:
        # The port opens before recovery ends ("the database system is starting up").
        deadline = time.monotonic() + 60
        while True:
            try:
                self.psql("SELECT 1")
                return
            except Unavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def restart(self) -> None:
        """Stop the server (fast shutdown: sessions are cut) and start it again on the same port and data."""
        server = self._running()
        self._interrupt()
        server.stop()
        self._server = self._process(server.port)
        self._server.start()
        self._wait_ready()

    def kill(self) -> None:
        """Kill the server outright (SIGKILL, as a crash does) and start it again: crash recovery, same port."""
        server = self._running()
        # synchronous_commit is off here: flush what was committed so that only open work is lost.
        self.psql("CHECKPOINT")
        pid = server.pid
        if pid is not None:
            # The whole group: backends left behind would hold the shared memory the next start needs.
            os.killpg(pid, signal.SIGKILL)
        server.stop()
        self._server = self._process(server.port)
        self._server.start()
        self._wait_ready()

    def _interrupt(self) -> None:
        # SIGINT is PostgreSQL's fast shutdown; the SIGTERM that follows would wait for clients.
        pid = self.pid
        if pid is not None:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def environment(self) -> dict[str, str]:
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": USER,
                "PGPASSWORD": self.password, "PGSSLMODE": "disable"}

    def stop(self) -> None:
        self._interrupt()
        super().stop()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with psql (for fixtures: creating and dropping databases); its output."""
        env = {**os.environ, **self.environment(), "PGDATABASE": database}
        done = subprocess.run([str(server_bin() / "psql"), "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                              capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise Unavailable(f"psql on {database!r} failed: {done.stderr.strip()}")
        return done.stdout

    def create_database(self, name: str) -> None:
        """Create the empty database ``name`` (the caller chooses a unique name)."""
        # FILE_COPY (PostgreSQL 15+) copies the small template faster than the default WAL_LOG.
        strategy = " STRATEGY FILE_COPY" if int(server_bin().parts[-2]) >= 15 else ""
        self.psql(f'CREATE DATABASE "{name}"{strategy}')
