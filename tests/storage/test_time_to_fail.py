"""An endpoint that accepts and never answers fails with Timeout within the bound, on every cloud.

The bound is proven by configuration and cause, never by a clock: the clients' own settings
(attempts, per-attempt connect and read timeouts, backoff) add up to at most
INFRAR_STORAGE_TIMEOUT (30 s by default), the silent server counts one connection per
attempt, and the error's cause is the SDK's read timeout. Small payloads and a 30 MiB
upload get the same class. Real times are in bench/README.md ("Time to fail").
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from infrar import dispatch, storage
from infrar.errors import ConfigurationError, Timeout
from infrar.storage import timeouts
from tests.storage.silent import Silent, silent_endpoint

# Azurite's well-known development key: a real key shape, no secret.
_AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_CLOUDS = ("aws", "gcp", "azure")


def _point_at(provider: str, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_S3", "AZURE_STORAGE_ACCOUNT_URL", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    settings = {
        "aws": {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": url,
                "AWS_DEFAULT_REGION": "us-east-1"},
        "gcp": {"STORAGE_EMULATOR_HOST": url, "GOOGLE_CLOUD_PROJECT": "test"},
        "azure": {"AZURE_STORAGE_CONNECTION_STRING": (
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={_AZURITE_KEY};"
            f"BlobEndpoint={url}/devstoreaccount1;")},
    }[provider]
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INFRAR_PROVIDER", provider)
    dispatch.reset()


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Silent]:
    with silent_endpoint() as endpoint:
        yield endpoint
    dispatch.reset()




def _worst_case(provider: str) -> tuple[int, float]:
    """(attempts, the longest a call can wait in all), read from the built client's settings."""
    if provider == "aws":
        from infrar.providers.aws._clients import s3
        config = s3.client().meta.config
        attempts = config.retries["total_max_attempts"]
        assert config.retries["mode"] == "standard"  # rand(0,1) x 2**(n-1) s pauses: 1 s, then 2 s
        pauses = sum(2.0 ** n for n in range(attempts - 1))
        return attempts, attempts * (config.connect_timeout + config.read_timeout) + pauses
    if provider == "azure":
        from infrar.providers.azure._clients import blob_service
        built = blob_service.client()
        policy: Any = built._config.retry_policy
        # Every per-kind count equals the total, so no mix of faults buys an extra attempt.
        assert policy.connect_retries == policy.read_retries == policy.status_retries == policy.total_retries
        attempts = policy.total_retries + 1
        pauses = sum(policy.initial_backoff + policy.increment_base ** n + policy.random_jitter_range
                     for n in range(1, attempts))
        transport: Any = built._pipeline._transport
        connection = transport.connection_config
        return attempts, attempts * (connection.timeout + connection.read_timeout) + pauses
    from infrar.providers.gcp._clients import gcs
    connect, read = gcs.timeout()
    # Retries stop at the deadline; an attempt started just before it may run its full timeout.
    retry: Any = gcs.retry()
    deadline: float = retry._timeout
    return 1, deadline + connect + read


@pytest.mark.parametrize("provider", _CLOUDS)
def test_default_settings_bound_no_answer_to_30_seconds(provider: str, silent: Silent,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(timeouts.VARIABLE, raising=False)
    _point_at(provider, silent.url, monkeypatch)
    attempts, worst = _worst_case(provider)
    assert worst <= 30.0
    assert attempts == {"aws": 3, "azure": 3, "gcp": 1}[provider]


@pytest.mark.parametrize("provider", _CLOUDS)
def test_the_variable_scales_every_provider(provider: str, silent: Silent, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(timeouts.VARIABLE, "60")
    _point_at(provider, silent.url, monkeypatch)
    worst = _worst_case(provider)[1]
    assert 50.0 < worst <= 60.0
    monkeypatch.setenv(timeouts.VARIABLE, "4")
    dispatch.reset()
    assert _worst_case(provider)[1] <= 4.0


# A bound that keeps the providers' retries (aws 3 attempts, azure 3) but waits little.
_SHORT = {"aws": "9", "azure": "15", "gcp": "6"}
# A small call of each kind (a HEAD, a PUT); the 30 MiB ones are below. Azure waits 3 s and
# 5 s between its attempts, so it runs the HEAD only.
_CALLS: dict[str, Callable[[], object]] = {
    "exists": lambda: storage.exists("some-bucket", "k"),
    "write_bytes": lambda: storage.write_bytes("some-bucket", "k", b"small"),
}
_SMALL = [(provider, call) for provider in _CLOUDS for call in sorted(_CALLS)
          if provider != "azure" or call == "exists"]


def _read_timeout_in(exc: BaseException) -> bool:
    return timeouts.timed_out(exc)


@pytest.mark.parametrize(("provider", "call"), _SMALL)
def test_silent_endpoint_is_timeout_after_the_configured_attempts(
        provider: str, call: str, silent: Silent, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(timeouts.VARIABLE, _SHORT[provider])
    _point_at(provider, silent.url, monkeypatch)
    attempts, worst = _worst_case(provider)
    assert worst <= float(_SHORT[provider])
    with pytest.raises(Timeout) as caught:
        _CALLS[call]()
    assert isinstance(caught.value, TimeoutError)
    assert "some-bucket" in str(caught.value)
    assert _read_timeout_in(caught.value.__cause__ or caught.value)
    # One connection per attempt: the client gave up after exactly its configured attempts.
    assert silent.connections == attempts or (provider == "gcp" and silent.connections >= 1)


_LARGE: dict[str, Callable[[bytes], object]] = {
    "upload": lambda data: storage.upload("some-bucket", io.BytesIO(data), "big.bin"),
    "write_bytes": lambda data: storage.write_bytes("some-bucket", "big.bin", data),
}


@pytest.mark.parametrize("call", sorted(_LARGE))
@pytest.mark.parametrize("provider", _CLOUDS)
def test_a_large_transfer_to_a_silent_endpoint_is_the_same_timeout(
        provider: str, call: str, silent: Silent, monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 MiB: multipart on aws, resumable on gcp, staged blocks on azure, or one PUT whose
    # body stalls once the socket buffers are full, which the SDKs report as a lost connection.
    monkeypatch.setenv(timeouts.VARIABLE, "3")
    _point_at(provider, silent.url, monkeypatch)
    with pytest.raises(Timeout) as caught:
        _LARGE[call](b"\0" * (30 * 1024 * 1024))
    assert "some-bucket" in str(caught.value)
    assert _read_timeout_in(caught.value.__cause__ or caught.value)


@pytest.mark.parametrize("raw", ["soon", "0", "-5", "nan", "inf"])
def test_a_bad_bound_is_a_configuration_error_naming_the_variable(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(timeouts.VARIABLE, raw)
    with pytest.raises(ConfigurationError) as caught:
        timeouts.time_to_fail()
    assert timeouts.VARIABLE in str(caught.value) and repr(raw) in str(caught.value)


def test_a_short_bound_makes_one_attempt_within_it() -> None:
    attempts, connect, read = timeouts.plan(3, 3.0, bound=4.0)
    assert attempts == 1 and connect + read == 4.0
    assert timeouts.plan(3, 3.0, bound=30.0) == (3, 3.0, 6.0)


def test_botocores_own_attempt_setting_is_obeyed_within_the_bound(silent: Silent,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(timeouts.VARIABLE, raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    _point_at("aws", silent.url, monkeypatch)
    attempts, worst = _worst_case("aws")
    assert attempts == 5 and worst <= 30.0
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "many")
    dispatch.reset()
    with pytest.raises(ConfigurationError, match="AWS_MAX_ATTEMPTS"):
        storage.exists("some-bucket", "k")


def _attempts_until_given_up(policy: Any, faults: Sequence[type[Exception]]) -> int:
    """Feed the client's own retry policy one fault per attempt; the attempts it allows."""
    from azure.core.pipeline.transport import HttpRequest

    settings = {"total": policy.total_retries, "connect": policy.connect_retries, "read": policy.read_retries,
                "status": policy.status_retries, "retry_secondary": False, "history": [], "count": 0,
                "body_position": None, "mode": None, "hosts": None}
    request = HttpRequest("GET", "http://127.0.0.1/devstoreaccount1/c/k")
    for attempt, fault in enumerate(faults, start=1):
        if not policy.increment(settings, request=request, error=fault("down")):
            return attempt
    raise AssertionError("the policy never gave up")


def test_azure_gives_up_after_three_attempts_whatever_the_mix_of_faults(silent: Silent,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # A transfer cut mid-way fails once while reading, then on connecting to a dead endpoint:
    # the SDK's per-kind counters let that mix run a fourth attempt (3 + 5 + 9 s of pauses).
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError
    from azure.storage.blob._shared.policies import ExponentialRetry

    monkeypatch.delenv(timeouts.VARIABLE, raising=False)
    _point_at("azure", silent.url, monkeypatch)
    from infrar.providers.azure._clients import blob_service

    mixed = [ServiceResponseError, ServiceRequestError, ServiceRequestError, ServiceResponseError] * 2
    assert _attempts_until_given_up(blob_service.client()._config.retry_policy, mixed) == 3
    assert _attempts_until_given_up(blob_service.client()._config.retry_policy, [ServiceResponseError] * 8) == 3
    sdk_style = ExponentialRetry(retry_total=3, retry_connect=2, retry_read=2, retry_status=2)
    assert _attempts_until_given_up(sdk_style, mixed) == 4  # what the old options allowed
