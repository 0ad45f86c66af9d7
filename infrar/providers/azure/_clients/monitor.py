"""The azure provider's Azure Monitor (Application Insights) exporters, from APPLICATIONINSIGHTS_CONNECTION_STRING.

The connection string names the ingestion endpoint (``IngestionEndpoint=...``) and the
resource (``InstrumentationKey=...``); the exporters send to ``<IngestionEndpoint>/v2.1/track``.
Offline storage (the exporter's on-disk retry queue) is off: a dead endpoint drops data after
the SDK's bounded in-memory batching instead of filling a disk, as on every provider.
APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL=true stops the exporter's usage reports to Microsoft, and
APPLICATIONINSIGHTS_SDKSTATS_DISABLED=true its own delivery metrics sent to the same resource.
"""

from __future__ import annotations

import os
from typing import Any

from azure.monitor.opentelemetry.exporter import (
    AzureMonitorLogExporter,
    AzureMonitorMetricExporter,
    AzureMonitorTraceExporter,
)

from infrar.errors import ConfigurationError

VARIABLE = "APPLICATIONINSIGHTS_CONNECTION_STRING"


def connection_string() -> str:
    found = os.environ.get(VARIABLE)
    if not found:
        raise ConfigurationError(
            f"observability on azure needs {VARIABLE} (the Application Insights resource's connection string); "
            "set it, or OTEL_SDK_DISABLED=true to turn observability off"
        )
    return found


def _options() -> dict[str, Any]:
    return {"connection_string": connection_string(), "disable_offline_storage": True}


def trace_exporter() -> AzureMonitorTraceExporter:
    return AzureMonitorTraceExporter(**_options())


def metric_exporter() -> AzureMonitorMetricExporter:
    return AzureMonitorMetricExporter(**_options())


def log_exporter() -> AzureMonitorLogExporter:
    return AzureMonitorLogExporter(**_options())


def reset() -> None:
    """Nothing cached here: the pipeline owns the exporters it built."""
