"""Local destinations: JSON lines under ``<INFRAR_LOCAL_ROOT>/observability/`` and readable lines on stderr.

``logs.jsonl``, ``metrics.jsonl`` and ``spans.jsonl`` hold one JSON object per line, the
shapes of ``infrar.observability.shapes`` and ``logs.record_fields``; a batch is appended
with one write of an O_APPEND file, so concurrent writers never interleave inside a line.
stderr gets one short line per log record and per finished span, for a developer watching.
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from infrar.observability.logs import Fields
from infrar.observability.shapes import metric_points, span_dict
from infrar.providers.local._clients import files

_append_lock = threading.Lock()


def directory() -> Path:
    return files.root() / "observability"


def append_lines(name: str, items: Iterable[dict[str, Any]]) -> None:
    text = "".join(json.dumps(item, default=repr, sort_keys=True) + "\n" for item in items)
    if not text:
        return
    path = directory() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with _append_lock, open(path, "a", encoding="utf-8") as out:
        out.write(text)


def _clock(unix_nano: int) -> str:
    moment = datetime.datetime.fromtimestamp(unix_nano / 1e9, datetime.timezone.utc)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _ids(trace_id: str | None, span_id: str | None) -> str:
    return f" trace={trace_id[:8]} span={span_id[:8]}" if trace_id and span_id else ""


def echo(line: str) -> None:
    stream = sys.stderr  # looked up per line: a test or a CLI may have replaced it
    stream.write(line + "\n")
    stream.flush()


def write_log(fields: Fields) -> None:
    append_lines("logs.jsonl", [fields])
    extra = " ".join(f"{key}={value}" for key, value in fields["fields"].items())
    echo(f"{_clock(fields['time_unix_nano'])} {fields['severity']:<7} {fields['logger']}: {fields['message']}"
         + (f" {{{extra}}}" if extra else "") + _ids(fields["trace_id"], fields["span_id"]))
    if "exception" in fields:
        echo(fields["exception"])


class JsonLinesSpanExporter(SpanExporter):
    """Finished spans to ``spans.jsonl`` and one stderr line each."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        shapes = [span_dict(span) for span in spans]
        append_lines("spans.jsonl", shapes)
        for shape in shapes:
            status = "" if shape["status"] != "ERROR" else f" ERROR {shape['status_description'] or ''}".rstrip()
            echo(f"{_clock(shape['end_time_unix_nano'])} SPAN    {shape['name']} {shape['duration_ms']:.1f} ms"
                 + status + _ids(shape["trace_id"], shape["span_id"]))
        return SpanExportResult.SUCCESS


class JsonLinesMetricExporter(MetricExporter):
    """Each collection's data points to ``metrics.jsonl`` (cumulative, so the last line per series is the total)."""

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        append_lines("metrics.jsonl", metric_points(metrics_data))
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        pass


def read_lines(name: str) -> list[dict[str, Any]]:
    """What was written so far to ``name`` (``spans.jsonl`` ...): tests and the demo read it back."""
    path = directory() / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


