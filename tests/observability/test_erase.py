"""Erase proof on local: the erased program is plain OpenTelemetry SDK + stdlib logging, and exports the same."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from tests.erase._support import assert_no_infrar, erase, run
from tests.erase._traces import infrar_traces

PROGRAM = """
from infrar import observability

log = observability.get_logger("shop")
orders = observability.counter("orders", description="orders placed")
latency = observability.histogram("latency", unit="ms")


@observability.traced("place")
def place(n: int) -> int:
    with observability.span("price", {"items": n, "password": "hunter22"}):
        orders.add(n, {"region": "eu"})
        latency.record(n * 1.5)
        log.info("placed %d", n, extra={"order": f"o-{n}"})
    return n * 10


print(place(2), place(3))
observability.flush()
try:
    with observability.span("fail"):
        raise KeyError("gone")
except KeyError as exc:
    print("KeyError", exc)
observability.shutdown()
"""


def _exported(root: Path) -> dict[str, Any]:
    base = root / "observability"
    spans = [json.loads(line) for line in (base / "spans.jsonl").read_text().splitlines()]
    logs = [json.loads(line) for line in (base / "logs.jsonl").read_text().splitlines()]
    metrics = [json.loads(line) for line in (base / "metrics.jsonl").read_text().splitlines()]
    by_id = {span["span_id"]: span["name"] for span in spans}
    return {
        "spans": sorted((s["name"], by_id.get(s["parent_span_id"]), s["status"], json.dumps(s["attributes"]))
                        for s in spans),
        "logs": [(r["message"], r["severity"], r["fields"], by_id.get(r["span_id"])) for r in logs],
        "metrics": sorted((m["name"], m["kind"], m.get("value"), m.get("count"), m.get("sum")) for m in metrics),
    }


def test_an_attribute_display_is_inlined_only_where_it_is_built_once() -> None:
    """A dict of names and literals may be built later (nothing runs); used twice it would be two objects."""
    import libcst as cst

    from infrar.erase.inline import inline

    once = cst.parse_module("def f(a):\n    return g().h(attributes=a)\n").body[0]
    twice = cst.parse_module("def f(a):\n    return g(a).h(attributes=a)\n").body[0]
    looped = cst.parse_module("def f(a):\n    return [a for _ in g()]\n").body[0]
    call = cst.parse_expression("f({'k': n, 1: 'v'})")
    assert isinstance(once, cst.FunctionDef) and isinstance(twice, cst.FunctionDef)
    assert isinstance(looped, cst.FunctionDef) and isinstance(call, cst.Call)
    inlined = inline(once, call, False, False)
    assert inlined is not None and cst.Module([]).code_for_node(inlined) == "g().h(attributes={'k': n, 1: 'v'})"
    assert inline(twice, call, False, False) is None
    assert inline(looped, call, False, False) is None
    computed = cst.parse_expression("f({'k': n()})")  # a call inside: evaluated once, before the body
    assert isinstance(computed, cst.Call) and inline(once, computed, False, False) is None


def test_the_erased_program_exports_the_same(tmp_path: Path) -> None:
    source = textwrap.dedent(PROGRAM)
    erased = erase(source, "local")
    assert_no_infrar(erased)
    assert infrar_traces(erased, source) == []  # nothing names infrar but the variables docs/erase.md keeps
    assert "from opentelemetry.sdk.trace import" in erased  # plain SDK setup
    # The call sites are OpenTelemetry API calls on the configured tracer and meter, not wrappers.
    assert '.start_as_current_span("price", attributes={"items": n, "password": "hunter22"}):' in erased
    assert '.start_as_current_span("place")\ndef place(' in erased
    assert '.create_counter("orders", unit="1", description="orders placed")' in erased
    assert '.create_histogram("latency", unit="ms", description="")' in erased
    assert "_observability_span(" not in erased and "_traced(" not in erased
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout == "20 30\nKeyError 'gone'\n"
    runtime, native = _exported(tmp_path / "root1"), _exported(tmp_path / "root2")
    assert runtime == native
    assert ("price", "place", "UNSET", json.dumps({"items": 2, "password": "[REDACTED]"})) in runtime["spans"]
    assert ("fail", None, "ERROR", "{}") in runtime["spans"]
    assert ("placed 3", "INFO", {"order": "o-3"}, "price") in runtime["logs"]
    assert ("orders", "Sum", 5, None, None) in runtime["metrics"]


CANARY_PROGRAM = """
from infrar import observability

log = observability.get_logger("leaky")
try:
    with observability.span("login", {"password": "canary-arg-7", "user": "ada"}):
        log.info("connecting with %s", "canary-env-token-3",
                 extra={"token": "canary-arg-8", "dsn": "postgres://u:canary-arg-9@db/app"})
        observability.counter("logins").add(1, {"api_key": "canary-arg-10", "region": "eu"})
        observability.histogram("t").record(1.0, {"note": "canary-env-password-1"})
        raise RuntimeError("auth failed for canary-env-aws-secret-2 and canary-env-ak-4 and canary-env-url-5")
except RuntimeError:
    pass
log.error("listed canary-env-listed-6")
observability.shutdown()
"""


def test_the_erased_program_exports_no_canary(tmp_path: Path) -> None:
    """The canary test of test_redaction, on erased code: the copied redactor masks the same secrets."""
    from tests.observability.test_redaction import CANARIES, ENV_SECRETS

    (tmp_path / "erased.py").write_text(erase(textwrap.dedent(CANARY_PROGRAM), "local"))
    done = run(tmp_path / "erased.py", tmp_path / "root", blocked=True, extra=ENV_SECRETS)
    assert done.returncode == 0, done.stderr
    exported = "".join(path.read_text() for path in (tmp_path / "root" / "observability").glob("*.jsonl"))
    exported += done.stderr
    assert "ada" in exported and "logins" in exported and "auth failed" in exported  # the data is there
    assert [canary for canary in CANARIES if canary in exported] == []


LIBRARY = """
from infrar import observability

log = observability.get_logger("shop.lib")


@observability.traced("work")
def work(n: int) -> int:
    log.info("working %d", n)
    return n + 1
"""

MAIN = """
from infrar import observability

from lib import work

with observability.span("main", {"n": 1}):
    observability.counter("runs").add(1)
    print(work(1))
observability.shutdown()
"""


def test_a_tree_shares_one_setup_in_its_private_module(tmp_path: Path) -> None:
    """Two modules: the SDK setup is written once, in _cloud.py, and both record into one trace."""
    from infrar.erase.tree import erase_tree

    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "lib.py").write_text(textwrap.dedent(LIBRARY))
    (src / "main.py").write_text(textwrap.dedent(MAIN))
    assert erase_tree(src, out, "local", jobs=1).ok  # in this process: no worker pool to start
    shared = (out / "_cloud.py").read_text()
    assert shared.count("TracerProvider(") == 1 and shared.count("MeterProvider(") == 1
    for name in ("lib.py", "main.py"):
        text = (out / name).read_text()
        assert_no_infrar(text)
        assert "from _cloud import" in text and "TracerProvider" not in text and ".start_as_current_span(" in text
    done = run(out / "main.py", tmp_path / "root", blocked=True)
    assert (done.returncode, done.stdout) == (0, "2\n"), done.stderr
    spans = {span["name"]: span for span in _exported_spans(tmp_path / "root")}
    assert spans["work"]["parent_span_id"] == spans["main"]["span_id"]
    assert spans["work"]["trace_id"] == spans["main"]["trace_id"]
    logs = (tmp_path / "root" / "observability" / "logs.jsonl").read_text()
    (record,) = [json.loads(line) for line in logs.splitlines()]
    assert (record["message"], record["span_id"]) == ("working 1", spans["work"]["span_id"])


def _exported_spans(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / "observability" / "spans.jsonl").read_text().splitlines()]
