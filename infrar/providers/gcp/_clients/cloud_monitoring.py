"""The gcp provider's Cloud Monitoring exporter (Google's ``opentelemetry-exporter-gcp-monitoring``, over gRPC).

The client is google-cloud-monitoring's own, with Application Default Credentials.
INFRAR_CLOUD_MONITORING_ENDPOINT (``host:port``) replaces ``monitoring.googleapis.com``; a
non-Google host is reached over plain-text gRPC without credentials (a test server).
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from google.cloud.monitoring_v3 import MetricServiceClient
from opentelemetry.exporter.cloud_monitoring import CloudMonitoringMetricsExporter

from infrar.providers.gcp._clients.cloud_logging import google_host


def client() -> Any:
    target = os.environ.get("INFRAR_CLOUD_MONITORING_ENDPOINT")
    if not target:
        return MetricServiceClient()
    if google_host(f"https://{target}"):
        return MetricServiceClient(client_options={"api_endpoint": target})
    import grpc
    from google.cloud.monitoring_v3.services.metric_service.transports import MetricServiceGrpcTransport

    return MetricServiceClient(transport=MetricServiceGrpcTransport(channel=grpc.insecure_channel(target)))


def exporter(project: str) -> CloudMonitoringMetricsExporter:
    # Google marks this exporter deprecated in favour of OTLP to its Telemetry API, which does not
    # take metrics everywhere yet; it still writes real Cloud Monitoring time series.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return CloudMonitoringMetricsExporter(project_id=project, client=client())


def reset() -> None:
    """Nothing cached here: the pipeline owns the exporter it built."""
