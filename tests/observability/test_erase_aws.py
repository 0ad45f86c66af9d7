"""Erase proof on aws: the erased program sends the same logs, metrics and segments to moto as the runtime one."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import boto3
import pytest

from infrar.testing.plugin import ServiceUser
from tests.erase._support import assert_no_infrar, erase, run
from tests.erase._traces import infrar_traces

PROGRAM = """
from infrar import observability

log = observability.get_logger("billing")
with observability.span("invoice", {"invoice": "i-1"}):
    observability.counter("invoices").add(2, {"channel": "mail"})
    log.info("sent %s", "i-1", extra={"pages": 3})
print("done")
"""


def _read_back(endpoint: str, group: str, namespace: str) -> tuple[list[str], list[float], list[str]]:
    options = {"endpoint_url": endpoint, "region_name": "us-east-1", "aws_access_key_id": "testing",
               "aws_secret_access_key": "testing"}
    logs = boto3.client("logs", **options).filter_log_events(logGroupName=group)["events"]
    now = datetime.datetime.now(datetime.timezone.utc)
    window = {"StartTime": now - datetime.timedelta(hours=1), "EndTime": now + datetime.timedelta(hours=1)}
    sums = boto3.client("cloudwatch", **options).get_metric_statistics(
        Namespace=namespace, MetricName="invoices", Dimensions=[{"Name": "channel", "Value": "mail"}],
        Period=3600, Statistics=["Sum"], **window)["Datapoints"]
    xray = boto3.client("xray", **options)
    ids = [s["Id"] for s in xray.get_trace_summaries(**window)["TraceSummaries"]]
    names = [json.loads(segment["Document"])["name"] for trace in xray.batch_get_traces(TraceIds=ids)["Traces"]
             for segment in trace["Segments"]] if ids else []
    messages = [json.loads(event["message"])["message"] for event in logs]
    return messages, [point["Sum"] for point in sums], names


def test_the_erased_program_sends_the_same(infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    endpoint = infrar_service("moto", provider="aws").environment()["AWS_ENDPOINT_URL"]
    source = textwrap.dedent(PROGRAM)
    erased = erase(source, "aws")
    assert_no_infrar(erased)
    assert not infrar_traces(erased, source)
    assert 'os.environ.get("INFRAR_LOG_GROUP") or "/apps/"' in erased
    assert "put_trace_segments" in erased and "put_log_events" in erased
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    results = []
    for name, blocked in (("app.py", False), ("erased.py", True)):
        service = f"erase-{name.partition('.')[0]}-{tmp_path.name[-12:]}"
        monkeypatch.setenv("OTEL_SERVICE_NAME", service)
        monkeypatch.setenv("INFRAR_LOG_GROUP", f"/tests/{service}")
        outcome = run(tmp_path / name, tmp_path / "root", blocked=blocked, provider="aws")
        assert (outcome.returncode, outcome.stdout) == (0, "done\n"), outcome.stderr
        messages, sums, segments = _read_back(endpoint, f"/tests/{service}", service)
        results.append((messages, sums, service in segments))
    assert results[0] == results[1] == (["sent i-1"], [2.0], True)
