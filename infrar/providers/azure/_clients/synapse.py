"""The azure provider's Synapse clients: serverless SQL through pyodbc, and the workspace's artifacts API.

SQL: ``AZURE_SYNAPSE_CONNECTIONSTRING`` is the serverless endpoint's ODBC connection string,
e.g. ``Driver={ODBC Driver 18 for SQL Server};Server=tcp:WS-ondemand.sql.azuresynapse.net,1433;Encrypt=yes``;
``Database=<warehouse>`` is added. Sign-in is the database plugin's (``odbc.py``): a password in
the string, or a Microsoft Entra token from DefaultAzureCredential. One bounded pool per warehouse.

Jobs: ``AZURE_SYNAPSE_ENDPOINT`` (``https://WS.dev.azuresynapse.net``) with DefaultAzureCredential
(AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET or a managed identity); what
``infrar infra`` outputs: SYNAPSE_SPARK_POOL (the Spark pool jobs run on) and
SYNAPSE_SCRIPTS (``abfss://container@account.dfs.core.windows.net/prefix/``, where a job's
local script is uploaded, through the storage plugin's client when it names that account, else
with DefaultAzureCredential). Tables over files, and a job's stored ``(bucket, key)`` script, are in
the storage plugin's account (AZURE_STORAGE_ACCOUNT_URL / AZURE_STORAGE_CONNECTION_STRING).
"""

from __future__ import annotations

import os
from typing import Any

import pyodbc

from infrar.database.odbc_ops import Link, Server, broken, opened
from infrar.database.rules import POOL_SIZE
from infrar.errors import ConfigurationError
from infrar.providers._keyed import ConnectionPool, PerResource
from infrar.providers.azure._clients import _entra, blob_service, odbc

CONNECTION_STRING_VARIABLE = "AZURE_SYNAPSE_CONNECTIONSTRING"
_WAIT_SECONDS = 30.0


def connection_string(warehouse: str) -> str:
    """``AZURE_SYNAPSE_CONNECTIONSTRING`` for ``warehouse`` (psqlODBC's options added as for Azure SQL)."""
    text = os.environ.get(CONNECTION_STRING_VARIABLE, "").strip().rstrip(";")
    if not text:
        raise ConfigurationError(
            f"{CONNECTION_STRING_VARIABLE} is not set: set it to the Synapse serverless SQL endpoint's ODBC "
            "connection string (Driver={ODBC Driver 18 for SQL Server};Server=tcp:WS-ondemand.sql.azuresynapse.net,"
            "1433;Encrypt=yes)"
        )
    found = odbc.keywords(text)
    if "database" not in found and "initial catalog" not in found:
        text += f";Database={warehouse}"
    if odbc.is_postgres(found):
        text += "".join(extra for key, extra in (("boolsaschar", ";BoolsAsChar=0"), ("protocol", ";Protocol=7.4-1"))
                        if key not in found)
    return text


def connect(warehouse: str) -> Link:
    text = connection_string(warehouse)
    found = odbc.keywords(text)
    if odbc.needs_token(found):
        native = pyodbc.connect(text, autocommit=True,
                                attrs_before={odbc.SQL_COPT_SS_ACCESS_TOKEN: odbc.access_token()})
    else:
        native = pyodbc.connect(text, autocommit=True)
    return opened(native, odbc.is_postgres(found))


def _build(warehouse: str) -> Server:
    found = odbc.keywords(connection_string(warehouse))
    pool = ConnectionPool(warehouse, lambda: connect(warehouse), POOL_SIZE, _WAIT_SECONDS,
                          "the pool size (10 per warehouse and process)", broken())
    return Server(pool, odbc.endpoint(found), odbc.is_postgres(found))


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda server: server.pool.reset())


def client(warehouse: str) -> Server:
    """The pool of ``warehouse``'s serverless SQL connections in this process."""
    return _servers.get(warehouse)


def _artifacts() -> Any:
    from azure.synapse.artifacts import ArtifactsClient

    endpoint = os.environ.get("AZURE_SYNAPSE_ENDPOINT")
    if not endpoint:
        raise ConfigurationError("AZURE_SYNAPSE_ENDPOINT is not set: set it to the workspace's development "
                                 "endpoint, https://WORKSPACE.dev.azuresynapse.net")
    return ArtifactsClient(credential=_entra.credential(), endpoint=endpoint)


_artifact_clients: PerResource[Any] = PerResource(lambda _: _artifacts())


def artifacts() -> Any:
    """The workspace's ArtifactsClient (Spark job definitions, pipelines, triggers)."""
    return _artifact_clients.get("workspace")


def _lake(account: str) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient(f"https://{account}.blob.core.windows.net", credential=_entra.credential(),
                             **blob_service.client_options())


_lakes: PerResource[Any] = PerResource(_lake)


def scripts_blob(host: str, container: str, key: str) -> Any:
    """The BlobClient of a job script in the account ``host`` names (``<account>.dfs.core.windows.net``).

    ``infrar infra`` keeps scripts in the warehouse's own lake account, which is not the account
    of the project's buckets: the storage plugin's client is used only when it is that account."""
    account = account_of(host)
    if _storage_configured():
        configured = blob_service.client()
        if configured.account_name == account:
            return configured.get_blob_client(container, key)
    return _lakes.get(account).get_blob_client(container, key)


def setting(name: str, job: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(
            f"job {job!r}: {name} is not set; it names {what} (the warehouse module's `environment` output sets it)"
        )
    return value


def reset() -> None:
    _servers.reset()
    _artifact_clients.reset()
    _lakes.reset()


def stored_blob(host: str, container: str, key: str) -> Any:
    """The BlobClient of ``container/key`` where infrar.storage keeps it: the storage plugin's account
    when one is configured, else the lake account ``host`` names (a job's stored script)."""
    if _storage_configured():
        return blob_service.client().get_blob_client(container, key)
    return _lakes.get(account_of(host)).get_blob_client(container, key)


def account_of(host: str) -> str:
    """The storage account a ``<account>.dfs.core.windows.net`` host names."""
    return host.partition(".")[0]


def _storage_configured() -> bool:
    """Whether the storage plugin has an account (a connection string or an account URL)."""
    variables = (blob_service.CONNECTION_STRING_VARIABLE, blob_service.ACCOUNT_URL_VARIABLE)
    return any(os.environ.get(name) for name in variables)
