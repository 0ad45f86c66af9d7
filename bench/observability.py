"""Observability benchmark: ``span`` + ``counter.add`` + one log line per call, infrar against the raw SDK.

``python -m bench --only observability`` (or ``python -m bench.observability``). Three sides do
the same small piece of work per call:
- infrar: ``observability.span`` around it, ``counter.add`` and one ``log.info`` with an extra
  field, through the public API (dispatch, the shared pipeline: redaction, failure guards);
- raw otel: the same with a hand-written OpenTelemetry SDK setup (TracerProvider +
  BatchSpanProcessor, MeterProvider) and a stdlib handler building the same record;
- none: the work alone, for scale.
Both instrumented sides export to the same destination, a counting sink (the SDK's batching
still runs), so the ratio is what infrar adds, not what a network costs.
"""

from __future__ import annotations

import datetime
import logging
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/observability.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Row, Sample, format_table, interleaved, log, median, provider

TIME_TARGET = 1.05
BLOCK = 200  # calls per interleaved block


def _work(n: int) -> int:
    return sum(range(n % 7 + 20))


class CountingSpanExporter:
    """The shared destination: counts what arrives (a SpanExporter by duck typing, as the SDK calls it)."""

    def __init__(self) -> None:
        self.spans = 0

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        self.spans += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _sink(record: dict[str, Any]) -> None:
    pass


def infrar_side(exporter: CountingSpanExporter) -> Callable[[int], None]:
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from infrar import observability
    from infrar.observability import pipeline
    from infrar.observability.logs import RecordHandler

    def build(resource: Any, redactor: Any) -> pipeline.Exporters:
        handler = RecordHandler(_sink, redactor, "bench sink")
        return pipeline.Exporters(exporter, None, [handler], readers=[InMemoryMetricReader()])

    pipeline.configured(build, "bench")
    calls = observability.counter("calls")
    logger = observability.get_logger("bench.infrar")  # the pipeline's handler is on the root logger

    def side(block: int) -> None:
        for i in range(BLOCK):
            with observability.span("work", {"block": block}):
                _work(i)
                calls.add(1, {"side": "infrar"})
                logger.info("did %d", i, extra={"item": i})

    return side


_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class RawHandler(logging.Handler):
    """What a hand-written setup does per record: the extra= fields, the current trace and span ids."""

    def emit(self, record: logging.LogRecord) -> None:
        from opentelemetry import trace

        context = trace.get_current_span().get_span_context()
        _sink({
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc).isoformat(),
            "severity": record.levelname, "message": record.getMessage(), "logger": record.name,
            "fields": {name: getattr(record, name) for name in vars(record).keys() - _STANDARD},
            "trace_id": trace.format_trace_id(context.trace_id), "span_id": trace.format_span_id(context.span_id),
        })


def raw_side(exporter: CountingSpanExporter) -> Callable[[int], None]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": "bench"})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(exporter))  # type: ignore[arg-type]
    tracer = tracer_provider.get_tracer("bench")
    meter = MeterProvider(resource=resource, metric_readers=[InMemoryMetricReader()]).get_meter("bench")
    calls = meter.create_counter("calls", unit="1")
    logger = logging.getLogger("bench.raw")
    logger.addHandler(RawHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False

    def side(block: int) -> None:
        for i in range(BLOCK):
            with tracer.start_as_current_span("work", attributes={"block": block}):
                _work(i)
                calls.add(1, {"side": "raw"})
                logger.info("did %d", i, extra={"item": i})

    return side


def none_side(block: int) -> None:
    for i in range(BLOCK):
        _work(i)


def rows_for(samples: dict[str, list[Sample]], calls: int) -> list[Row]:
    wall = {name: [s.wall for s in values] for name, values in samples.items()}
    per_call = {name: median(values) / calls * 1e6 for name, values in wall.items()}
    ratio = median(wall["infrar"]) / median(wall["raw otel"])
    paired = median([a / b for a, b in zip(wall["infrar"], wall["raw otel"], strict=True)])
    # CPU time of the process (both sides' export threads included) moves less with the load of
    # other processes than wall time does; the export threads bill whichever block is running.
    cpu = median([s.cpu for s in samples["infrar"]]) / median([s.cpu for s in samples["raw otel"]])
    return [
        Row("observability: span + counter.add + log line", "us/call", per_call["infrar"], per_call["raw otel"],
            "raw otel", ratio, f"<= {TIME_TARGET}", ratio <= TIME_TARGET,
            note=f"{len(wall['infrar'])} reps of {calls:,} calls; median of per-rep ratios {paired:.3f}; "
                 f"CPU time ratio {cpu:.3f}; "
                 "same counting exporter, SDK batching on both sides", samples=wall),
        Row("observability: the work alone (no instrumentation)", "us/call", per_call["none"], None,
            note="for scale: what the instrumentation costs on top of a tiny function"),
    ]


def bench_observability(calls: int = 20_000, reps: int = 5) -> list[Row]:
    blocks = max(calls // BLOCK, 1)
    with tempfile.TemporaryDirectory(prefix="infrar-bench-obs-") as root, \
            provider("local", {"INFRAR_LOCAL_ROOT": root}):
        infrar_exporter, raw_exporter = CountingSpanExporter(), CountingSpanExporter()
        sides = {"infrar": infrar_side(infrar_exporter), "raw otel": raw_side(raw_exporter), "none": none_side}
        for side in sides.values():  # warm-up: imports, first instruments, the batch threads
            side(blocks + 1)
        log(f"observability: {blocks * BLOCK:,} calls x 3 sides x {reps} reps")
        samples = interleaved(sides, blocks, reps)
        from infrar import observability

        observability.shutdown()
        log(f"observability: spans exported infrar {infrar_exporter.spans:,}, raw otel {raw_exporter.spans:,}")
    return rows_for(samples, blocks * BLOCK)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.observability", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000, help="instrumented calls per repetition (default 20000)")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions (default 5)")
    args: Any = parser.parse_args(argv)
    print(format_table(bench_observability(args.calls, args.reps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
