"""Redis clients for the cache, one per cache name and process, each with its own connection pool.

Azure Cache for Redis, the two ways Service Connector hands it out:
- an access key: ``AZURE_REDIS_CONNECTIONSTRING`` (``host:6380,password=KEY,ssl=True,abortConnect=False``)
  or ``REDIS_URL``;
- Microsoft Entra ID: ``AZURE_REDIS_HOST`` (``name.redis.cache.windows.net``, port 6380 unless it
  names one) and, for a user-assigned identity, ``AZURE_REDIS_CLIENTID``. Each new connection signs
  in with a token from ``DefaultAzureCredential`` and the identity's object id as the user name.
``REDIS_URL_<CACHE>`` (see ``infrar.cache.redis_ops.url_variable``) overrides ``REDIS_URL`` for one cache.
redis-py's pools are thread-safe and reopen their connections in a forked child.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from urllib.parse import quote

from redis.credentials import CredentialProvider

from infrar.cache.redis_ops import Server, configured_url, server, url_variable
from infrar.errors import ConfigurationError, PermissionDenied
from infrar.providers._keyed import PerResource
from infrar.providers.azure._clients import _entra

_REDIS_SCOPE = "https://redis.azure.com/.default"


class EntraToken(CredentialProvider):
    """Microsoft Entra sign-in: the token's object id (``oid``) as the user, the token as the password.

    azure-identity caches the token and renews it before it expires, so asking on every new
    connection costs nothing while it is valid.
    """

    def __init__(self, host: str, client_id: str | None) -> None:
        self.host, self.client_id = host, client_id
        self._credential: Any = None

    def get_credentials(self) -> tuple[str, str]:
        if self._credential is None:
            self._credential = _entra.credential(managed_identity_client_id=self.client_id)
        token: str = self._credential.get_token(_REDIS_SCOPE).token
        return _object_id(token, self.host), token


def _object_id(token: str, host: str) -> str:
    """The ``oid`` claim of a JWT access token (read, not verified: the cache verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["oid"])
    except (IndexError, KeyError, ValueError) as exc:
        raise PermissionDenied(
            f"the Microsoft Entra token for Azure Cache for Redis {host} carries no object id (oid); sign in "
            "with a managed identity or service principal that has a data access policy on the cache"
        ) from exc


def url_from_connection_string(text: str) -> str:
    """``host:port,password=KEY,ssl=True,...`` (StackExchange.Redis format) as a redis-py URL."""
    address, *settings = [part.strip() for part in text.split(",") if part.strip()]
    options: dict[str, str] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        options[name.strip().lower()] = value.strip()
    if ":" not in address:
        address += ":6380"
    scheme = "rediss" if options.get("ssl", "true").lower() == "true" else "redis"
    password = options.get("password", "")
    credentials = f":{quote(password, safe='')}@" if password else ""  # access keys are base64: '/', '+', '='

    return f"{scheme}://{credentials}{address}/0"


def _build(cache: str) -> Server:
    url = configured_url(cache, os.environ)
    connection_string = os.environ.get("AZURE_REDIS_CONNECTIONSTRING")
    if url is None and connection_string:
        try:
            url = url_from_connection_string(connection_string)
        except ValueError as exc:
            raise ConfigurationError(
                "AZURE_REDIS_CONNECTIONSTRING is not host:port,password=...,ssl=True; copy it from the "
                "cache's Access keys page"
            ) from exc
    host = os.environ.get("AZURE_REDIS_HOST")
    if url is None and host:
        address = host if ":" in host else f"{host}:6380"
        token = EntraToken(address, os.environ.get("AZURE_REDIS_CLIENTID") or None)
        return server(f"rediss://{address}/0", credential_provider=token)
    if url is None:
        raise ConfigurationError(
            f"no Redis endpoint for cache {cache!r}: set AZURE_REDIS_CONNECTIONSTRING, REDIS_URL or "
            f"{url_variable(cache)} (rediss://:ACCESS_KEY@name.redis.cache.windows.net:6380), or AZURE_REDIS_HOST "
            "for Microsoft Entra sign-in"
        )
    return server(url)


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda found: found.client.close())


def client(cache: str) -> Server:
    """The client (and its host:port) for ``cache``, built on first use."""
    return _servers.get(cache)


def reset() -> None:
    _servers.reset()
