"""The local provider: JSON lines under INFRAR_LOCAL_ROOT/observability and readable lines on stderr."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from infrar import dispatch, observability
from infrar.providers.local.observability_files import read_lines


def test_log_records_carry_fields_ids_and_severity(local_root: Path) -> None:
    log = observability.get_logger("shop")
    with observability.span("checkout") as current:
        log.warning("cart %s is large", "c-1", extra={"items": 40, "user": {"id": 7}})
        context = current.get_span_context()
    log.info("outside")
    observability.shutdown()
    inside, outside = read_lines("logs.jsonl")
    assert inside["message"] == "cart c-1 is large"
    assert inside["severity"] == "WARNING"
    assert inside["logger"] == "shop"
    assert inside["fields"] == {"items": 40, "user": {"id": 7}}
    assert inside["trace_id"] == f"{context.trace_id:032x}"
    assert inside["span_id"] == f"{context.span_id:016x}"
    assert outside["trace_id"] is None and outside["severity"] == "INFO"


def test_flush_exports_what_was_recorded_and_keeps_observing(local_root: Path) -> None:
    log = observability.get_logger("shop")
    placed = observability.counter("placed")
    with observability.span("first"):
        log.info("one")
        placed.add(2)
    observability.flush()
    assert [span["name"] for span in read_lines("spans.jsonl")] == ["first"]
    assert [record["message"] for record in read_lines("logs.jsonl")] == ["one"]
    assert [(m["name"], m["value"]) for m in read_lines("metrics.jsonl")] == [("placed", 2)]
    with observability.span("second"):  # the same pipeline and instruments go on
        log.info("two")
        placed.add(3)
    observability.shutdown()
    assert [span["name"] for span in read_lines("spans.jsonl")] == ["first", "second"]
    assert [record["message"] for record in read_lines("logs.jsonl")] == ["one", "two"]
    assert [m["value"] for m in read_lines("metrics.jsonl") if m["name"] == "placed"][-1] in (3, 5)


def test_an_exception_is_recorded_on_the_span_and_re_raised(local_root: Path) -> None:
    with pytest.raises(KeyError, match="missing"), observability.span("lookup", {"table": "orders"}):
        raise KeyError("missing")
    observability.shutdown()
    (span,) = read_lines("spans.jsonl")
    assert span["name"] == "lookup"
    assert span["status"] == "ERROR"
    assert span["attributes"] == {"table": "orders"}
    (event,) = span["events"]
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"] == "KeyError"


def test_traced_decorates_each_call_as_a_child_span(local_root: Path) -> None:
    @observability.traced("load")
    def load(n: int) -> int:
        return n * 2

    with observability.span("job"):
        assert load(2) == 4
        assert load(3) == 6
    observability.shutdown()
    spans = read_lines("spans.jsonl")
    job = next(span for span in spans if span["name"] == "job")
    loads = [span for span in spans if span["name"] == "load"]
    assert len(loads) == 2
    assert {span["parent_span_id"] for span in loads} == {job["span_id"]}
    assert load.__name__ == "load"


def test_counter_histogram_and_gauge_are_flushed_at_shutdown(local_root: Path) -> None:
    orders = observability.counter("orders", description="orders placed")
    latency = observability.histogram("latency", unit="ms")
    depth = observability.gauge("queue_depth")
    orders.add(2, {"region": "eu"})
    orders.add(3, {"region": "eu"})
    latency.record(12.5)
    latency.record(7.5)
    depth.set(17, {"queue": "jobs"})
    observability.shutdown()
    points = {point["name"]: point for point in read_lines("metrics.jsonl")}
    assert points["orders"]["value"] == 5
    assert points["orders"]["kind"] == "Sum"
    assert points["orders"]["attributes"] == {"region": "eu"}
    assert points["orders"]["description"] == "orders placed"
    assert (points["latency"]["count"], points["latency"]["sum"], points["latency"]["unit"]) == (2, 20.0, "ms")
    assert (points["queue_depth"]["value"], points["queue_depth"]["kind"]) == (17, "Gauge")


def test_stderr_shows_readable_lines(local_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with observability.span("render"):
        observability.get_logger("web").info("page ready", extra={"page": "home"})
    observability.shutdown()
    err = capsys.readouterr().err
    assert "INFO    web: page ready {page=home} trace=" in err
    assert "SPAN    render " in err


def test_service_name_and_resource_attributes(local_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,team=core")
    observability.setup("billing")
    with observability.span("work"):
        pass
    observability.shutdown()
    (span,) = read_lines("spans.jsonl")
    assert span["resource"]["service.name"] == "billing"
    assert span["resource"]["deployment.environment"] == "test"
    assert span["resource"]["team"] == "core"


def test_otel_service_name_is_the_default(local_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
    with observability.span("work"):
        pass
    observability.shutdown()
    assert read_lines("spans.jsonl")[0]["resource"]["service.name"] == "from-env"


def test_sdk_disabled_exports_nothing(local_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    log = observability.get_logger("quiet")
    with observability.span("nothing") as current:
        log.warning("not exported")
        observability.counter("c").add(1)
        assert not current.get_span_context().is_valid
        assert type(dispatch.adapter("storage")).__name__ == "LocalStorage"  # infrar calls are not wrapped
    observability.shutdown()
    assert not (local_root / "observability").exists()
    assert all(type(handler).__name__ != "RecordHandler" for handler in logging.getLogger("quiet").handlers)


def _run(script: str, root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"INFRAR_PROVIDER": "local", "INFRAR_LOCAL_ROOT": str(root), "PATH": "/usr/bin:/bin", **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=environment,
                          capture_output=True, text=True, timeout=60, check=False)


def test_importing_loads_neither_the_sdk_nor_a_cloud_sdk(tmp_path: Path) -> None:
    result = _run("""
        import sys
        import infrar.observability
        loaded = [m for m in sys.modules if m.startswith(("opentelemetry", "boto3", "google", "azure"))]
        print(loaded)
    """, tmp_path)
    assert result.stdout.strip() == "[]", result.stderr


def test_a_short_script_loses_nothing_without_shutdown(tmp_path: Path) -> None:
    result = _run("""
        from infrar import dispatch, observability
        with observability.span("only"):
            observability.get_logger("s").info("line")
        observability.counter("runs").add(1)
    """, tmp_path / "root")
    assert result.returncode == 0, result.stderr
    base = tmp_path / "root" / "observability"
    assert '"only"' in (base / "spans.jsonl").read_text()
    assert '"line"' in (base / "logs.jsonl").read_text()
    assert '"runs"' in (base / "metrics.jsonl").read_text()


def test_traced_covers_the_whole_await_of_a_coroutine(local_root: Path) -> None:
    import asyncio

    @observability.traced("fetch")
    async def fetch() -> str:
        await asyncio.sleep(0)
        observability.get_logger("async").info("inside")
        return "ok"

    assert asyncio.run(fetch()) == "ok"
    observability.shutdown()
    (span,) = read_lines("spans.jsonl")
    (record,) = read_lines("logs.jsonl")
    assert span["name"] == "fetch" and record["span_id"] == span["span_id"]
