"""Records to an OpenTelemetry log exporter (Azure Monitor's): a LoggerProvider with a bounded batch processor.

Only providers whose native log destination is an OpenTelemetry log exporter use this; the
others write ``record_fields`` their own way. The SDK's logs module is still marked
experimental (``opentelemetry.sdk._logs``; LogRecordExporter is its name since 1.39), so it is used
only here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.context import get_current
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.resources import Resource

from infrar.observability.export import guarded
from infrar.observability.logs import Fields
from infrar.observability.redaction import Redactor

_SEVERITY = ((50, SeverityNumber.FATAL), (40, SeverityNumber.ERROR), (30, SeverityNumber.WARN),
             (20, SeverityNumber.INFO), (10, SeverityNumber.DEBUG))


def severity(levelno: int) -> SeverityNumber:
    return next((number for floor, number in _SEVERITY if levelno >= floor), SeverityNumber.TRACE)


def _attribute(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, default=repr)


def otel_log_writer(exporter: LogRecordExporter, resource: Resource, redactor: Redactor,
                    destination: str) -> tuple[Callable[[Fields], None], Callable[[], object], Callable[[], object]]:
    """(write, close, flush): ``write`` emits one record (in the caller's context, so ids follow), ``close``
    flushes and stops, ``flush`` exports what is batched and goes on."""
    provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
    # records are masked when made (record_fields): the batch goes out as it is
    guarded(exporter, redactor, destination, lambda batch, _: batch)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))

    def write(fields: Fields) -> None:
        attributes = {key: _attribute(value) for key, value in fields["fields"].items()}
        attributes["logger.name"] = fields["logger"]
        if "exception" in fields:
            attributes["exception.stacktrace"] = fields["exception"]
        provider.get_logger(fields["logger"]).emit(LogRecord(
            timestamp=fields["time_unix_nano"], context=get_current(), severity_text=fields["severity"],
            severity_number=severity(fields["severity_number"]), body=fields["message"], attributes=attributes,
        ))

    return write, provider.shutdown, provider.force_flush
