"""program.py written by hand for local: the OpenTelemetry SDK writing JSON lines, a stdlib handler."""

import atexit
import datetime
import json
import logging
import os
import sys
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

OUT = Path(os.environ.get("INFRAR_LOCAL_ROOT", ".infrar")) / "observability"
SECRET_WORDS = ("password", "secret", "token", "api_key", "connection_string")


def append(name, items):
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / name, "a", encoding="utf-8") as out:
        out.writelines(json.dumps(item, default=repr) + "\n" for item in items)


def clean(attributes):
    return {k: "[REDACTED]" if any(w in k.lower() for w in SECRET_WORDS) else v for k, v in (attributes or {}).items()}


class SpanFile(SpanExporter):
    def export(self, spans):
        append("spans.jsonl", [{"name": s.name, "trace_id": f"{s.context.trace_id:032x}",
                                "span_id": f"{s.context.span_id:016x}",
                                "parent_span_id": f"{s.parent.span_id:016x}" if s.parent else None,
                                "status": s.status.status_code.name, "attributes": clean(s.attributes),
                                "start_time_unix_nano": s.start_time, "end_time_unix_nano": s.end_time}
                               for s in spans])
        return SpanExportResult.SUCCESS


class MetricFile(MetricExporter):
    def export(self, metrics_data, timeout_millis=10_000, **kwargs):
        append("metrics.jsonl", [{"name": m.name, "unit": m.unit, "attributes": clean(p.attributes),
                                  "value": getattr(p, "value", None), "count": getattr(p, "count", None)}
                                 for r in metrics_data.resource_metrics for s in r.scope_metrics
                                 for m in s.metrics for p in m.data.data_points])
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis=10_000):
        return True

    def shutdown(self, timeout_millis=30_000, **kwargs):
        pass


class LogFile(logging.Handler):
    def emit(self, record):
        context = trace.get_current_span().get_span_context()
        extra = {k: v for k, v in vars(record).items() if k not in vars(logging.makeLogRecord({}))}
        append("logs.jsonl", [{"timestamp": datetime.datetime.fromtimestamp(record.created).isoformat(),
                               "severity": record.levelname, "logger": record.name, "message": record.getMessage(),
                               "fields": clean(extra), "trace_id": f"{context.trace_id:032x}",
                               "span_id": f"{context.span_id:016x}"}])
        sys.stderr.write(f"{record.levelname} {record.name}: {record.getMessage()}\n")


resource = Resource.create()
tracer_provider = TracerProvider(resource=resource)
tracer_provider.add_span_processor(BatchSpanProcessor(SpanFile()))
meter_provider = MeterProvider(resource=resource, metric_readers=[PeriodicExportingMetricReader(MetricFile())])
atexit.register(tracer_provider.shutdown)
atexit.register(meter_provider.shutdown)
tracer = tracer_provider.get_tracer("shop")

log = logging.getLogger("shop")
log.addHandler(LogFile())
log.setLevel(logging.INFO)
orders = meter_provider.get_meter("shop").create_counter("orders", description="orders placed")


@tracer.start_as_current_span("place")
def place(n: int) -> int:
    with tracer.start_as_current_span("price", attributes={"items": n}):
        orders.add(n, {"region": "eu"})
        log.info("placed %d", n, extra={"order": f"o-{n}"})
    return n * 10


print(place(2))
tracer_provider.shutdown()
meter_provider.shutdown()
