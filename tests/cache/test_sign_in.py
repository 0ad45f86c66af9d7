"""Token sign-in to real Redis servers: ElastiCache IAM (SigV4 token) and Microsoft Entra ID (Azure).

The servers are real (an ACL user whose password is the very token the adapter made), so the
AUTH path runs for real. The Azure credential is the one faked object, because Entra cannot be
reached here: the test asserts exactly what DefaultAzureCredential is asked.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import redis

from infrar import cache, dispatch
from infrar.errors import ConfigurationError, PermissionDenied
from infrar.providers.aws._clients import redis as aws_redis
from infrar.testing.plugin import ServiceUser
from infrar.testing.redis import RedisService, RedisTlsService


@pytest.fixture
def elasticache_iam(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisService]:
    server = infrar_service("redis", RedisService, provider="aws")
    monkeypatch.setenv("REDIS_URL", f"redis://app-user@127.0.0.1:{server.port}/0")
    monkeypatch.setenv("ELASTICACHE_IAM_CACHE_NAME", "orders-cache")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSIGNINTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    dispatch.reset()
    yield server
    with redis.Redis.from_url(server.url) as admin:
        admin.acl_deluser("app-user")
    dispatch.reset()


def test_elasticache_iam_token_signs_in_as_the_user(elasticache_iam: RedisService) -> None:
    provider = aws_redis.client("orders").client.connection_pool.connection_kwargs["credential_provider"]
    user, token = provider.get_credentials()
    with redis.Redis.from_url(elasticache_iam.url) as admin:
        admin.acl_setuser("app-user", enabled=True, passwords=[f"+{token}"], keys=["*"], commands=["+@all"])
        cache.set("orders", "k", "v")
        assert cache.get("orders", "k") == "v"
        users = {entry["user"] for entry in admin.client_list()}
    assert user == "app-user" and "app-user" in users

    request = urlsplit("http://" + token)
    query = {name: values[0] for name, values in parse_qs(request.query).items()}
    assert request.netloc == "orders-cache" and request.path == "/"
    assert query["Action"] == "connect" and query["User"] == "app-user"
    assert query["X-Amz-Expires"] == "900" and query["X-Amz-SignedHeaders"] == "host"
    key, _date, region, service, terminal = query["X-Amz-Credential"].split("/")
    assert (key, region, service, terminal) == ("AKIDSIGNINTEST", "eu-west-1", "elasticache", "aws4_request")
    assert "ResourceType" not in query and len(query["X-Amz-Signature"]) == 64
    assert "not-a-real-secret" not in token


def test_elasticache_serverless_token_names_the_resource_type(
    elasticache_iam: RedisService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELASTICACHE_SERVERLESS", "true")
    dispatch.reset()
    provider = aws_redis.client("orders").client.connection_pool.connection_kwargs["credential_provider"]
    query = parse_qs(urlsplit("http://" + provider.get_credentials()[1]).query)
    assert query["ResourceType"] == ["ServerlessCache"]


def test_a_stale_iam_token_is_permission_denied(elasticache_iam: RedisService) -> None:
    with redis.Redis.from_url(elasticache_iam.url) as admin:
        admin.acl_setuser("app-user", enabled=True, passwords=["+an-older-token"], keys=["*"], commands=["+@all"])
    with pytest.raises(PermissionDenied) as caught:
        cache.get("orders", "k")
    assert "an-older-token" not in str(caught.value)


def test_iam_sign_in_needs_a_user_and_no_password(
    elasticache_iam: RedisService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://:secret-token@127.0.0.1:{elasticache_iam.port}/0")
    dispatch.reset()
    with pytest.raises(ConfigurationError, match="ELASTICACHE_IAM_CACHE_NAME") as caught:
        cache.get("orders", "k")
    assert "secret-token" not in str(caught.value)


def test_iam_sign_in_without_a_region_says_so(elasticache_iam: RedisService, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    dispatch.reset()
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        cache.get("orders", "k")


def _jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class RecordingCredential:
    """Stands in for DefaultAzureCredential: records how it was built and what it was asked."""

    built: ClassVar[list[dict[str, Any]]] = []
    scopes: ClassVar[list[tuple[str, ...]]] = []
    token = _jwt({"oid": "5f0c1e2a-0000-4000-8000-00000000cafe", "aud": "https://redis.azure.com"})

    def __init__(self, **options: Any) -> None:
        RecordingCredential.built.append(options)

    def get_token(self, *scopes: str) -> Any:
        RecordingCredential.scopes.append(scopes)
        return type("AccessToken", (), {"token": self.token, "expires_on": 2**31})()


@pytest.fixture
def entra(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisTlsService]:
    import azure.identity

    server = infrar_service("redis-tls", RedisTlsService, provider="azure")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("AZURE_REDIS_CONNECTIONSTRING", raising=False)
    monkeypatch.setenv("AZURE_REDIS_HOST", f"127.0.0.1:{server.port}")
    monkeypatch.setenv("AZURE_REDIS_CLIENTID", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))  # the test CA; Azure's is a public one
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", RecordingCredential)
    RecordingCredential.built.clear()
    RecordingCredential.scopes.clear()
    dispatch.reset()
    with redis.Redis.from_url(server.url, ssl_ca_certs=str(server.ca_file)) as admin:
        yield server
        admin.acl_deluser("5f0c1e2a-0000-4000-8000-00000000cafe")
    dispatch.reset()


def test_entra_token_signs_in_as_the_identity(entra: RedisTlsService) -> None:
    with redis.Redis.from_url(entra.url, ssl_ca_certs=str(entra.ca_file)) as admin:
        admin.acl_setuser("5f0c1e2a-0000-4000-8000-00000000cafe", enabled=True,
                          passwords=[f"+{RecordingCredential.token}"], keys=["*"], commands=["+@all"])
        cache.set("sessions", "k", {"n": 1})
        assert cache.get("sessions", "k") == {"n": 1}
    assert RecordingCredential.built == [{"managed_identity_client_id": "11111111-2222-3333-4444-555555555555"}]
    assert set(RecordingCredential.scopes) == {("https://redis.azure.com/.default",)}


def test_an_identity_without_access_is_permission_denied(entra: RedisTlsService) -> None:
    with pytest.raises(PermissionDenied) as caught:
        cache.get("sessions", "k")
    assert RecordingCredential.token not in str(caught.value)


def test_a_token_without_an_object_id_is_permission_denied(
    entra: RedisTlsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RecordingCredential, "token", _jwt({"aud": "https://redis.azure.com"}))
    with pytest.raises(PermissionDenied, match="object id"):
        cache.get("sessions", "k")
