"""aws: what the adapter sent, read back from moto's CloudWatch Logs, CloudWatch and X-Ray."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import boto3
import pytest

from infrar import dispatch, observability
from infrar.testing.plugin import ServiceUser


@pytest.fixture
def aws(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    environment = infrar_service("moto", provider="aws")
    group = f"/infrar/tests/{uuid.uuid4().hex[:12]}"  # moto keeps every test's events: one group each
    monkeypatch.setenv("INFRAR_LOG_GROUP", group)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "orders")
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "ECS_CONTAINER_METADATA_URI_V4", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    dispatch.reset()
    return {**environment.environment(), "group": group}


def _client(service: str, environment: dict[str, str]) -> Any:
    return boto3.client(service, endpoint_url=environment["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def _window() -> tuple[datetime.datetime, datetime.datetime]:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)


def test_logs_reach_cloudwatch_logs(aws: dict[str, str]) -> None:
    log = observability.get_logger("orders.api")
    with observability.span("place") as current:
        log.info("placed %s", "o-17", extra={"order": "o-17", "total": 12.5})
    observability.shutdown()
    events = _client("logs", aws).filter_log_events(logGroupName=aws["group"])["events"]
    (record,) = [json.loads(event["message"]) for event in events]
    assert record["message"] == "placed o-17"
    assert record["severity"] == "INFO"
    assert record["fields"] == {"order": "o-17", "total": 12.5}
    assert record["trace_id"] == f"{current.get_span_context().trace_id:032x}"


def test_metrics_reach_cloudwatch(aws: dict[str, str]) -> None:
    observability.counter("orders_placed").add(3, {"region": "eu"})
    observability.counter("orders_placed").add(4, {"region": "eu"})
    observability.histogram("order_total", unit="ms").record(20.0)
    observability.shutdown()
    start, end = _window()
    cloudwatch = _client("cloudwatch", aws)
    placed = cloudwatch.get_metric_statistics(Namespace="orders", MetricName="orders_placed",
                                              Dimensions=[{"Name": "region", "Value": "eu"}],
                                              StartTime=start, EndTime=end, Period=3600, Statistics=["Sum"])
    assert [point["Sum"] for point in placed["Datapoints"]] == [7.0]
    total = cloudwatch.get_metric_statistics(Namespace="orders", MetricName="order_total", StartTime=start,
                                             EndTime=end, Period=3600, Statistics=["Maximum", "SampleCount"])
    assert [(p["Maximum"], p["SampleCount"]) for p in total["Datapoints"]] == [(20.0, 1.0)]


def test_spans_reach_xray_as_segments(aws: dict[str, str]) -> None:
    with observability.span("checkout", {"cart": "c-1"}) as root:
        with observability.span("charge"):
            pass
        with pytest.raises(ValueError), observability.span("ship"):
            raise ValueError("no address")
    observability.shutdown()
    xray = _client("xray", aws)
    start, end = _window()
    summaries = xray.get_trace_summaries(StartTime=start, EndTime=end)["TraceSummaries"]
    trace_hex = f"{root.get_span_context().trace_id:032x}"
    expected = f"1-{trace_hex[:8]}-{trace_hex[8:]}"
    assert expected in [summary["Id"] for summary in summaries]
    (found,) = xray.batch_get_traces(TraceIds=[expected])["Traces"]
    documents = {doc["name"]: doc for doc in (json.loads(s["Document"]) for s in found["Segments"])}
    assert set(documents) == {"orders", "charge", "ship"}
    segment, ship = documents["orders"], documents["ship"]
    assert "parent_id" not in segment and segment["annotations"]["cart"] == "c-1"
    assert (ship["type"], ship["parent_id"]) == ("subsegment", segment["id"])
    assert ship["fault"] is True
    assert ship["cause"]["exceptions"][0]["message"] == "no address"
    assert int(trace_hex[:8], 16) <= datetime.datetime.now().timestamp()  # the X-Ray time prefix


def test_on_lambda_logs_are_json_lines_on_stdout(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "orders-fn")
    observability.get_logger("fn").warning("cold start", extra={"memory": 128})
    observability.shutdown()
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert (record["message"], record["severity"], record["fields"]) == ("cold start", "WARNING", {"memory": 128})


def test_an_unreachable_endpoint_never_raises_and_warns_once_per_destination(
        aws: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    dispatch.reset()
    caplog.set_level("WARNING", logger="observability.export")
    for n in range(3):
        with observability.span("lost"):
            observability.get_logger("lost").info("line %d", n)
            observability.counter("lost").add(1)
    observability.shutdown()
    warnings = [r.getMessage() for r in caplog.records if r.name == "observability.export"]
    assert warnings and len(warnings) == len(set(warnings)) <= 2
    assert all("dropping data" in message for message in warnings)


def test_large_records_are_split_across_requests_and_cut_to_the_event_limit(aws: dict[str, str]) -> None:
    log = observability.get_logger("bulk")
    for n in range(12):
        log.info("%d %s", n, "x" * 120_000)  # 12 x 120 KB: over one request's 1 MiB
    log.info("huge %s", "y" * 400_000)  # over one event's 256 KiB
    observability.shutdown()
    events = _client("logs", aws).filter_log_events(logGroupName=aws["group"])["events"]
    assert len(events) == 13
    assert all(len(event["message"].encode()) <= 256 * 1024 - 26 for event in events)
    assert all(json.loads(event["message"])["message"].endswith("x" * 120_000) for event in events[:12])
    assert events[-1]["message"].endswith("...[truncated]")
