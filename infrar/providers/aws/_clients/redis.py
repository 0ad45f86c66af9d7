"""Redis clients for the cache, one per cache name and process, each with its own connection pool.

ElastiCache (Redis OSS / Valkey), two ways to sign in:
- an AUTH token in the URL: ``rediss://:TOKEN@host:6379``;
- IAM authentication: the URL names the ElastiCache user and no password
  (``rediss://app-user@host:6379``) and ``ELASTICACHE_IAM_CACHE_NAME`` names the replication
  group (or serverless cache, with ``ELASTICACHE_SERVERLESS=true``) the token is for. Each new
  connection signs in with a SigV4 token made from the boto3 credentials.
``REDIS_URL_<CACHE>`` (see ``infrar.cache.redis_ops.url_variable``) overrides ``REDIS_URL`` for one cache.
redis-py's pools are thread-safe and reopen their connections in a forked child.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from redis.credentials import CredentialProvider

from infrar.cache.redis_ops import Server, configured_url, server, url_variable
from infrar.errors import ConfigurationError
from infrar.providers._keyed import PerResource

_TOKEN_LIFETIME_S = 900  # the longest ElastiCache accepts
_TOKEN_REUSE_S = 600  # a token is reused for new connections while it has 5 minutes left


class IamAuthToken(CredentialProvider):
    """ElastiCache IAM sign-in: the user id and a SigV4-presigned ``connect`` request as the password."""

    def __init__(self, user: str, cache_name: str, serverless: bool) -> None:
        self.user, self.cache_name, self.serverless = user, cache_name, serverless
        self._token, self._made = "", 0.0
        self._lock = threading.Lock()

    def get_credentials(self) -> tuple[str, str]:
        with self._lock:
            if not self._token or time.monotonic() - self._made > _TOKEN_REUSE_S:
                self._token, self._made = self._sign(), time.monotonic()
            return self.user, self._token

    def _sign(self) -> str:
        import boto3
        from botocore.auth import SigV4QueryAuth
        from botocore.awsrequest import AWSRequest

        session = boto3.session.Session()
        credentials = session.get_credentials()
        # As for the other AWS clients: AWS_DEFAULT_REGION, then AWS_REGION (what ECS and Lambda set).
        region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or session.region_name
        if credentials is None or region is None:
            raise ConfigurationError(
                f"IAM sign-in to ElastiCache cache {self.cache_name!r} needs AWS credentials and a region: "
                "set AWS_REGION and the usual AWS_* credentials (or run with an IAM role)"
            )
        params = {"Action": "connect", "User": self.user}
        if self.serverless:
            params["ResourceType"] = "ServerlessCache"
        request = AWSRequest(method="GET", url=f"http://{self.cache_name}/", params=params)
        SigV4QueryAuth(credentials.get_frozen_credentials(), "elasticache", region,
                       expires=_TOKEN_LIFETIME_S).add_auth(request)
        return str(request.url).removeprefix("http://")


def _without_user(url: str) -> tuple[str, str]:
    """``url`` without its user name (redis-py refuses one beside a credential provider), and the name."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host)), parts.username or ""


def _build(cache: str) -> Server:
    url = configured_url(cache, os.environ)
    if url is None:
        raise ConfigurationError(
            f"no Redis URL for cache {cache!r}: set REDIS_URL or {url_variable(cache)} to the ElastiCache "
            "endpoint (rediss://:AUTH_TOKEN@host:6379, or rediss://USER@host:6379 with "
            "ELASTICACHE_IAM_CACHE_NAME for IAM sign-in)"
        )
    cache_name = os.environ.get("ELASTICACHE_IAM_CACHE_NAME")
    if not cache_name:
        return server(url)
    bare, user = _without_user(url)
    if not user or urlsplit(url).password:
        raise ConfigurationError(
            f"ELASTICACHE_IAM_CACHE_NAME is set, so cache {cache!r} signs in with IAM: its URL must name the "
            f"ElastiCache user and no password (rediss://{quote(user or 'USER')}@host:6379)"
        )
    serverless = os.environ.get("ELASTICACHE_SERVERLESS", "").lower() in ("1", "true", "yes")
    options: dict[str, Any] = {"credential_provider": IamAuthToken(user, cache_name, serverless)}
    return server(bare, **options)


_servers: PerResource[Server] = PerResource(_build, on_reset=lambda found: found.client.close())


def client(cache: str) -> Server:
    """The client (and its host:port) for ``cache``, built on first use."""
    return _servers.get(cache)


def reset() -> None:
    _servers.reset()

