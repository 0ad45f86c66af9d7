"""stdlib logging records as structured dicts, and the handlers that write them.

``record_fields`` is the one shape every provider starts from: timestamp, severity (the
Python level name, which Cloud Logging and CloudWatch read as is), message, logger, the
``extra=`` fields, the current trace and span ids, and the formatted exception. Each
provider then writes it its own way (a JSON line, a CloudWatch event, a Cloud Logging entry).
Where each write is a network call (PutLogEvents, entries:write), ``BatchWriter`` queues it, so
logging stays a memory append in the caller's thread whatever the endpoint does.
"""

from __future__ import annotations

import collections
import datetime
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from infrar.observability.export import warn_once
from infrar.observability.redaction import MASK, Redactor, sensitive_name

Fields = dict[str, Any]

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Records of these loggers never feed the pipeline: an exporter's own logging would loop.
_INTERNAL = ("observability.export", "opentelemetry", "botocore", "boto3", "urllib3", "azure", "google", "grpc")


_SCALARS = frozenset({str, int, float, bool, type(None)})
_UNCHANGED = frozenset({int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return repr(value)


def record_fields(record: logging.LogRecord, redactor: Redactor) -> Fields:
    """The structured form of ``record``, secrets masked (the ids are those current where it was logged)."""
    # Runs in the caller's thread on every log line: checks inlined, helpers called only for values that need them.
    context = trace.get_current_span().get_span_context()
    valid = context.is_valid
    # The extra= fields: what a record holds beyond the standard attributes (a set difference, in C).
    extra: Fields = {}
    for name in vars(record).keys() - _STANDARD:
        value = getattr(record, name)
        if type(value) not in _UNCHANGED:  # numbers and None need neither conversion nor masking
            value = redactor.value(_plain(value))
        extra[name] = MASK if sensitive_name(name) else value
    message = record.getMessage()
    if redactor.secrets or "://" in message or "=" in message:  # what Redactor.text looks for
        message = redactor.text(message)
    fields: Fields = {
        "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(),
        "time_unix_nano": int(record.created * 1e9), "severity": record.levelname, "severity_number": record.levelno,
        "logger": record.name, "message": message, "fields": extra,
        "trace_id": trace.format_trace_id(context.trace_id) if valid else None,
        "span_id": trace.format_span_id(context.span_id) if valid else None,
    }
    if record.exc_info and record.exc_info[0] is not None:
        fields["exception"] = redactor.text(logging.Formatter().formatException(record.exc_info))
    return fields


class RecordHandler(logging.Handler):
    """Turns each record into ``record_fields`` and hands it to ``write``; never raises into the caller."""

    def __init__(self, write: Callable[[Fields], None], redactor: Redactor, destination: str,
                 close: Callable[[], object] | None = None, flush: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.write, self.redactor, self.destination, self.closing = write, redactor, destination, close
        self.flushing = flush

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(_INTERNAL)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write(record_fields(record, self.redactor))
        except Exception as exc:
            warn_once(self.destination, exc, self.redactor)

    def flush(self) -> None:
        """Send what a batching writer holds now, in the caller's thread."""
        if self.flushing is not None:
            self.flushing()

    def close(self) -> None:
        """Flush the destination (a batching writer sends what it holds), then detach."""
        if self.closing is not None:
            self.closing()
        super().close()


class BatchWriter:
    """A bounded queue drained by one daemon thread that sends batches; full means the oldest is dropped."""

    def __init__(self, send: Callable[[list[Fields]], None], redactor: Redactor, destination: str,
                 capacity: int = 2048, batch: int = 256, interval: float = 2.0) -> None:
        self.send, self.redactor, self.destination = send, redactor, destination
        self.batch, self.interval = batch, interval
        self.queue: collections.deque[Fields] = collections.deque(maxlen=capacity)
        self.wake = threading.Condition()
        self.sending = threading.Lock()  # one drain at a time: batches leave in order, a flush waits for one in flight
        self.thread: threading.Thread | None = None
        self.closed = False
        self.pid = os.getpid()

    def __call__(self, fields: Fields) -> None:
        if self.pid != os.getpid():  # a forked child: the parent's thread, lock and queue are not ours
            self.pid, self.thread, self.wake, self.sending = os.getpid(), None, threading.Condition(), threading.Lock()
            self.queue = collections.deque(maxlen=self.queue.maxlen)
        with self.wake:
            self.queue.append(fields)
            if self.thread is None and not self.closed:
                self.thread = threading.Thread(target=self._run, name="observability-logs", daemon=True)
                self.thread.start()
            if len(self.queue) >= self.batch:
                self.wake.notify()

    def _take(self) -> list[Fields]:
        with self.wake:
            return [self.queue.popleft() for _ in range(min(self.batch, len(self.queue)))]

    def _run(self) -> None:
        while True:
            with self.wake:
                if not self.closed and len(self.queue) < self.batch:  # a full batch notified before we waited
                    self.wake.wait(self.interval)
                closed = self.closed
            self.drain()
            if closed:
                return

    def drain(self) -> None:
        """Send everything queued now (in batches); a failing send drops its batch after one warning."""
        with self.sending:
            while batch := self._take():
                try:
                    self.send(batch)
                except Exception as exc:
                    warn_once(self.destination, exc, self.redactor)

    def close(self, timeout: float = 10.0) -> None:
        with self.wake:
            self.closed = True
            thread = self.thread
            self.wake.notify()
        if thread is not None:
            thread.join(timeout)
        else:
            self.drain()
