"""Each test gets a fresh pipeline and fresh OpenTelemetry globals (the SDK lets a process set them once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import metrics, trace
from opentelemetry.metrics import _internal as metrics_internal
from opentelemetry.util._once import Once

from infrar.observability import export, pipeline


def reset_globals() -> None:
    # The SDK's own tests do the same: set_tracer_provider refuses a second provider per process.
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    metrics_internal._METER_PROVIDER_SET_ONCE = Once()
    metrics_internal._METER_PROVIDER = None
    assert isinstance(metrics.get_meter_provider(), metrics_internal._ProxyMeterProvider)


@pytest.fixture(autouse=True)
def _fresh_pipeline() -> Iterator[None]:
    pipeline.shutdown()
    reset_globals()
    export.forget_warnings()
    yield
    pipeline.shutdown()
    reset_globals()


@pytest.fixture
def local_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "root"
    monkeypatch.setenv("INFRAR_PROVIDER", "local")
    monkeypatch.setenv("INFRAR_LOCAL_ROOT", str(root))
    for name in ("OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    return root
