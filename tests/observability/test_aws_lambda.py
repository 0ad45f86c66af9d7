"""aws on Lambda: metrics as Embedded Metric Format lines on stdout, X-Ray traces continued (moto reads back)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import context, propagate

from infrar import observability
from tests.observability.test_aws import _client, aws  # noqa: F401  (the moto fixture)

ROOT = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"


@pytest.fixture
def on_lambda(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:  # noqa: F811
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "orders-fn")
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    monkeypatch.delenv("OTEL_PROPAGATORS", raising=False)
    saved = propagate.get_global_textmap()
    yield aws
    observability.shutdown()
    propagate.set_global_textmap(saved)  # the aws setup installs the X-Ray header propagator globally


def _emf(out: str) -> list[dict[str, Any]]:
    return [line for line in map(json.loads, out.splitlines()) if "_aws" in line]


def _assert_emf_shape(document: dict[str, Any]) -> None:
    """The EMF specification's structure: metadata, one directive, every referenced member at the root."""
    metadata = document["_aws"]
    assert isinstance(metadata["Timestamp"], int) and metadata["Timestamp"] > 1_600_000_000_000  # ms
    for directive in metadata["CloudWatchMetrics"]:
        assert isinstance(directive["Namespace"], str) and 1 <= len(directive["Namespace"]) <= 1024
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            assert all(isinstance(document[key], str) for key in dimension_set)
        assert 1 <= len(directive["Metrics"]) <= 100
        for metric in directive["Metrics"]:
            assert set(metric) <= {"Name", "Unit", "StorageResolution"}
            value = document[metric["Name"]]
            assert isinstance(value, (int, float)) or set(value) == {"Max", "Min", "Count", "Sum"}


def test_metrics_are_emf_lines_on_stdout_and_no_api_call(on_lambda: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    namespace = f"emf-{uuid.uuid4().hex[:12]}"  # moto is shared: a namespace no other test writes
    monkeypatch.setenv("INFRAR_METRICS_NAMESPACE", namespace)
    observability.counter("orders_placed").add(3, {"region": "eu"})
    observability.counter("orders_placed").add(4, {"region": "eu"})
    observability.histogram("order_total", unit="ms").record(20.0, {"region": "eu"})
    observability.histogram("order_total", unit="ms").record(5.0, {"region": "eu"})
    observability.gauge("queue_depth").set(17)
    observability.shutdown()
    documents = _emf(capsys.readouterr().out)
    for document in documents:
        _assert_emf_shape(document)
    by_dimensions = {tuple(d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]): d for d in documents}
    eu, plain = by_dimensions[("region",)], by_dimensions[()]
    assert eu["region"] == "eu" and eu["orders_placed"] == 7
    assert eu["order_total"] == {"Max": 20.0, "Min": 5.0, "Count": 2, "Sum": 25.0}
    assert plain["queue_depth"] == 17
    units = {m["Name"]: m["Unit"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units == {"orders_placed": "Count", "order_total": "Milliseconds", "queue_depth": "Count"}
    assert {d["_aws"]["CloudWatchMetrics"][0]["Namespace"] for d in documents} == {namespace}
    assert _client("cloudwatch", on_lambda).list_metrics(Namespace=namespace)["Metrics"] == []


def _segments(environment: dict[str, str], trace_id: str) -> dict[str, dict[str, Any]]:
    (found,) = _client("xray", environment).batch_get_traces(TraceIds=[trace_id])["Traces"]
    return {doc["name"]: doc for doc in (json.loads(s["Document"]) for s in found["Segments"])}


def test_a_root_span_continues_the_invocation_trace(on_lambda: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={ROOT};Parent={PARENT};Sampled=1")
    with observability.span("handle") as handle:
        with observability.span("charge") as charge:
            pass
    observability.shutdown()
    assert f"{handle.get_span_context().trace_id:032x}" == ROOT[2:].replace("-", "")
    documents = _segments(on_lambda, ROOT)
    segment = documents["orders"]  # continuing a remote parent: a segment named after the service
    assert (segment["trace_id"], segment["parent_id"]) == (ROOT, PARENT)
    assert segment["id"] == f"{handle.get_span_context().span_id:016x}"
    assert documents["charge"]["parent_id"] == segment["id"]
    assert charge.get_span_context().trace_id == handle.get_span_context().trace_id


def test_the_next_invocation_continues_its_own_trace_and_unsampled_ones_are_dropped(
        on_lambda: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = "1-5759e988-00000000000000000000dead", "1-5759e988-00000000000000000000beef"
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={first};Parent={PARENT};Sampled=0")
    with observability.span("skipped") as skipped:
        pass
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={second};Parent={PARENT};Sampled=1")  # the runtime's next one
    with observability.span("kept") as kept:
        pass
    observability.shutdown()
    assert not skipped.get_span_context().trace_flags.sampled and kept.get_span_context().trace_flags.sampled
    assert f"{kept.get_span_context().trace_id:032x}" == second[2:].replace("-", "")
    assert _client("xray", on_lambda).batch_get_traces(TraceIds=[first])["Traces"] == []
    assert _segments(on_lambda, second)["orders"]["parent_id"] == PARENT


def test_a_traced_handler_continues_each_invocation_across_shutdowns(on_lambda: dict[str, str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = "1-5759e988-0000000000000000000000a1", "1-5759e988-0000000000000000000000b2"

    @observability.traced("handler")  # decorated once, at import, as a Lambda handler is
    def handler() -> int:
        return 1

    for root in (first, second):  # two invocations, each ended with shutdown() as docs/observability.md says
        monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={root};Parent={PARENT};Sampled=1")
        assert handler() == 1
        observability.shutdown()
    for root in (first, second):
        assert _segments(on_lambda, root)["orders"]["parent_id"] == PARENT


def test_invocations_ended_with_flush_export_each_and_keep_the_pipeline(
        on_lambda: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """flush() at the end of a handler: spans and EMF lines of each invocation are out before the freeze."""
    first, second = "1-5759e988-0000000000000000000000c3", "1-5759e988-0000000000000000000000d4"
    monkeypatch.setenv("INFRAR_METRICS_NAMESPACE", f"emf-{uuid.uuid4().hex[:12]}")
    handled = observability.counter("handled")  # made once, at import, as a Lambda module does

    @observability.traced("handler")
    def handler() -> int:
        handled.add(1)
        return 1

    for root in (first, second):
        monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={root};Parent={PARENT};Sampled=1")
        assert handler() == 1
        observability.flush()
        assert _segments(on_lambda, root)["orders"]["parent_id"] == PARENT  # exported by flush, not at exit
        assert [line["handled"] for line in _emf(capsys.readouterr().out)] == [1]  # this invocation's delta


def test_the_x_amzn_trace_id_header_continues_through_the_global_propagator(on_lambda: dict[str, str]) -> None:
    observability.setup()
    header = f"Root={ROOT};Parent={PARENT};Sampled=1;Lineage=a87bd80c:1"
    token = context.attach(propagate.extract({"X-Amzn-Trace-Id": header}))
    try:
        with observability.span("request") as request:
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
    finally:
        context.detach(token)
    observability.shutdown()
    assert f"{request.get_span_context().trace_id:032x}" == ROOT[2:].replace("-", "")
    assert carrier["X-Amzn-Trace-Id"].startswith(f"Root={ROOT};Parent={request.get_span_context().span_id:016x}")
    assert carrier["traceparent"].split("-")[1] == ROOT[2:].replace("-", "")
    assert _segments(on_lambda, ROOT)["orders"]["parent_id"] == PARENT


def test_an_infrar_call_outside_any_span_continues_the_invocation_trace(
        on_lambda: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from infrar import storage

    bucket = f"lambda-{uuid.uuid4().hex[:12]}"
    _client("s3", on_lambda).create_bucket(Bucket=bucket)
    root = "1-5759e988-0000000000000000000fade5"
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={root};Parent={PARENT};Sampled=1")
    observability.setup()
    storage.write_bytes(bucket, "o-1.json", b"{}")
    observability.shutdown()
    segment = _segments(on_lambda, root)["orders"]
    assert (segment["parent_id"], segment["annotations"]["otel_span_name"]) == (PARENT, "storage.write_bytes")
