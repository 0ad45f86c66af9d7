"""The Microsoft Entra credential of the azure clients: DefaultAzureCredential, or a Spark pool's token service.

Inside a Synapse Spark pool (where ``run_job`` runs scripts on azure) azure-identity finds no managed
identity endpoint (azure-sdk-for-python#26997: "ManagedIdentityCredential authentication
unavailable"); the workspace identity's tokens come from the pool's own token service,
``mssparkutils.credentials.getToken(audience)``, which takes an audience name instead of a scope.
There the clients sign in through it, so a job's storage and SQL calls run as the workspace
identity, which ``infrar infra`` grants what the job's starters reach. Outside a pool (no
``notebookutils`` module) this is plain DefaultAzureCredential.
"""

from __future__ import annotations

import base64
import json
import time
from importlib import import_module
from importlib.util import find_spec
from typing import Any

# scope -> the token service's audience name (the ones it serves; other resources have none there)
SPARK_AUDIENCES = {
    "https://storage.azure.com/.default": "Storage",
    "https://database.windows.net/.default": "DW",  # Azure SQL and Synapse SQL
    "https://database.windows.net//.default": "DW",
    "https://dev.azuresynapse.net/.default": "Synapse",
    "https://management.azure.com/.default": "AzureManagement",
}
# how long a token whose expiry cannot be read is kept (the service's tokens last an hour or more)
_UNKNOWN_EXPIRY_SECONDS = 300


def credential(**options: Any) -> Any:
    """The credential the clients sign in with: DefaultAzureCredential(**options), or a Spark pool's."""
    if find_spec("notebookutils") is not None:
        # the pool's own module, on no package index (never a requirement): looked up, not imported by name
        return SparkPoolCredential(import_module("notebookutils").mssparkutils.credentials)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(**options)


class SparkPoolCredential:
    """A TokenCredential over a Synapse Spark pool's token service (``mssparkutils.credentials``)."""

    def __init__(self, service: Any) -> None:
        self._service = service

    def get_token(self, *scopes: str, **_: Any) -> Any:
        # azure-core is imported here: the Redis client imports this module and may run without it
        from azure.core import exceptions as azure_errors
        from azure.core.credentials import AccessToken

        audience = SPARK_AUDIENCES.get(scopes[0]) if len(scopes) == 1 else None
        if audience is None:
            raise azure_errors.ClientAuthenticationError(
                f"no token for {' '.join(scopes)} inside a Synapse Spark pool: its token service "
                f"(mssparkutils.credentials.getToken) serves {', '.join(sorted(set(SPARK_AUDIENCES.values())))} "
                "only; reach this resource from a workload outside the pool, or with a connection string "
                "set in the Spark job's own configuration"
            )
        token = str(self._service.getToken(audience))
        return AccessToken(token, _expiry(token))

    def close(self) -> None:
        """Nothing to close (the pool owns the service); here because the SDKs' clients call it."""


def _expiry(token: str) -> int:
    """The ``exp`` of a JWT, in epoch seconds; a short time from now when the token does not say."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return int(claims["exp"])
    except (IndexError, ValueError, KeyError, TypeError):
        return int(time.time()) + _UNKNOWN_EXPIRY_SECONDS
