"""The gcp provider's trace exporter: OTLP/HTTP to Cloud Trace's Telemetry API.

Google's recommended path since its Cloud Trace exporter was deprecated: the standard OTLP
exporter, posting to ``https://telemetry.googleapis.com/v1/traces`` with an authorized
session and the project in ``x-goog-user-project`` (the spans' resource carries
``gcp.project_id``). OTEL_EXPORTER_OTLP_TRACES_ENDPOINT replaces that URL (a collector, a
test server: then no Google credentials are sent, see ``cloud_logging.session``).
"""

from __future__ import annotations

import os

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

from infrar.providers.gcp._clients import cloud_logging

TRACES_ENDPOINT = "https://telemetry.googleapis.com/v1/traces"


def exporter(project: str) -> OTLPSpanExporter:
    url = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or TRACES_ENDPOINT
    return OTLPSpanExporter(endpoint=url, session=cloud_logging.session(url), timeout=10,
                            headers={"x-goog-user-project": project})


def reset() -> None:
    """Nothing cached here: the session lives in ``cloud_logging``."""
