"""pyodbc against the test PostgreSQL: unixODBC with Debian's psqlODBC ("PostgreSQL Unicode").

No SQL Server runs here; the azure adapter's pyodbc code is what is under test, so it talks to
the one test PostgreSQL through psqlODBC. ``ODBCSYSINI`` points unixODBC at a private
odbcinst.ini (Debian's default one logs every connection to /tmp: CommLog=1), which also
turns ODBC connection pooling on, as on Azure.
"""

from __future__ import annotations

import glob
from pathlib import Path

from infrar.errors import MissingDependency
from infrar.testing.postgres import USER, PostgresService

DRIVER = "PostgreSQL Unicode"
_INSTALL_HINT = "apt-get install -y unixodbc odbc-postgresql (scripts/test.sh does)"


def driver_library() -> str:
    """psqlODBC's Unicode driver, as Debian installs it."""
    found = sorted(glob.glob("/usr/lib/*/odbc/psqlodbcw.so"))
    if not found:
        raise MissingDependency(f"psqlODBC is not installed: {_INSTALL_HINT}")
    return found[0]


def write_odbcinst(directory: Path) -> Path:
    """An odbcinst.ini in ``directory`` declaring the driver, with pooling on and logging off."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "odbcinst.ini").write_text(
        "[ODBC]\nPooling=Yes\nTrace=No\n\n"
        f"[{DRIVER}]\nDescription=PostgreSQL ODBC driver (Unicode)\nDriver={driver_library()}\n"
        "CommLog=0\nDebug=0\nCPTimeout=60\n"
    )
    (directory / "odbc.ini").write_text("")
    return directory


def connection_string(service: PostgresService, database: str | None = None) -> str:
    """The ODBC connection string of ``service`` (no Database unless given: the adapter adds it)."""
    text = (f"Driver={{{DRIVER}}};Server=127.0.0.1;Port={service.port};UID={USER};"
            f"PWD={{{service.password}}};SSLmode=disable")
    return text + (f";Database={database}" if database else "")


def environment(service: PostgresService, directory: Path) -> dict[str, str]:
    """The variables that point the azure database adapter at ``service`` through psqlODBC."""
    config = write_odbcinst(directory)
    return {"ODBCSYSINI": str(config), "ODBCINI": str(config / "odbc.ini"),
            "AZURE_SQL_CONNECTIONSTRING": connection_string(service)}
