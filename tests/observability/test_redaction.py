"""No secret is exported: canaries planted in the environment and in arguments appear nowhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan

from infrar import observability
from infrar.observability.redaction import MASK, Redactor, secrets_from, sensitive_name

ENV_SECRETS = {
    "CANARY_DB_PASSWORD": "canary-env-password-1",
    "AWS_SECRET_ACCESS_KEY": "canary-env-aws-secret-2",
    "PAYMENTS_API_TOKEN": "canary-env-token-3",
    "AZURE_STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=canary-env-ak-4;",
    "REDIS_URL": "redis://:canary-env-url-5@cache.internal:6379/0",
    "INFRAR_OBSERVABILITY_SECRETS": "canary-env-listed-6",
}
CANARIES = ["canary-env-password-1", "canary-env-aws-secret-2", "canary-env-token-3", "canary-env-ak-4",
            "canary-env-url-5", "canary-env-listed-6", "canary-arg-7", "canary-arg-8", "canary-arg-9",
            "canary-arg-10"]


@pytest.mark.parametrize("name", ["password", "db.password", "api_key", "AWS_SECRET_ACCESS_KEY", "AccountKey",
                                  "auth_token", "connection_string", "ConnectionString", "x-api-key", "sas"])
def test_credential_names_are_sensitive(name: str) -> None:
    assert sensitive_name(name)


@pytest.mark.parametrize("name", ["key", "bucket", "user", "monkey_count", "keys", "PWD", "tokens_used_total"])
def test_ordinary_names_are_not(name: str) -> None:
    assert not sensitive_name(name)


def test_secrets_come_from_credential_variables_urls_and_the_list() -> None:
    found = set(secrets_from(ENV_SECRETS | {"HOME": "/home/ada", "SHORT_TOKEN": "abc"}))
    assert {"canary-env-password-1", "canary-env-url-5", "canary-env-listed-6"} <= found
    assert "/home/ada" not in found and "abc" not in found


def test_text_masks_configured_secrets_urls_and_connection_string_parts() -> None:
    redactor = Redactor(["s3cr3t-value"])
    assert redactor.text("got s3cr3t-value!") == f"got {MASK}!"
    assert redactor.text("postgresql://app:pw123456@db/x") == f"postgresql://app:{MASK}@db/x"
    assert redactor.text("AccountName=a;AccountKey=abc==;") == f"AccountName=a;AccountKey={MASK};"
    assert redactor.attributes({"token": 5, "n": ["s3cr3t-value"]}) == {"token": MASK, "n": [MASK]}


def test_canaries_are_nowhere_in_exported_data(local_root: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in ENV_SECRETS.items():
        monkeypatch.setenv(name, value)
    log = observability.get_logger("leaky")
    with pytest.raises(RuntimeError), observability.span("login", {"password": "canary-arg-7", "user": "ada"}):
        log.info("connecting with %s", "canary-env-token-3", extra={"token": "canary-arg-8",
                                                                    "dsn": "postgres://u:canary-arg-9@db/app"})
        observability.counter("logins").add(1, {"api_key": "canary-arg-10", "region": "eu"})
        observability.histogram("t").record(1.0, {"note": "canary-env-password-1"})
        raise RuntimeError("auth failed for canary-env-aws-secret-2 and canary-env-ak-4 and canary-env-url-5")
    log.error("listed canary-env-listed-6")
    observability.shutdown()
    exported = "".join(path.read_text() for path in (local_root / "observability").glob("*.jsonl"))
    exported += capsys.readouterr().err
    assert "ada" in exported and "logins" in exported and "auth failed" in exported  # the data is there
    assert [canary for canary in CANARIES if canary in exported] == []


def _finished_span(attributes: dict[str, Any], name: str = "work") -> ReadableSpan:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("t").start_as_current_span(name, attributes=attributes):
        pass
    return exporter.get_finished_spans()[0]


def test_a_clean_span_is_exported_as_is_and_a_remembered_text_stays_masked() -> None:
    from infrar.observability.export import redacted_span

    redactor = Redactor(["canary-sekret-42"])
    clean = _finished_span({"block": 1, "infrar.resource": "orders"})
    assert redacted_span(clean, redactor) is clean
    for _ in range(2):  # the second time the text's verdict comes from the redactor's memory
        dirty = _finished_span({"note": "uses canary-sekret-42", "api_key": "plain"}, name="canary-sekret-42")
        masked = redacted_span(dirty, redactor)
        assert masked is not dirty
        assert masked.name == MASK
        assert dict(masked.attributes or {}) == {"note": f"uses {MASK}", "api_key": MASK}
    assert redactor.touches("x" * 300 + "canary-sekret-42")  # too long to remember, still scanned
