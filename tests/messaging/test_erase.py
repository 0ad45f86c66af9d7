"""Erase proof: messaging programs erased on local, aws and gcp hold no infrar and print the same, infrar blocked.

The ordered program runs on local only: it is the provider that keeps order (docs/messaging.md).
The example's erased text on every provider is kept under review in
tests/erase/golden/messaging_orders.<provider>.py.golden (regenerate with INFRAR_UPDATE_GOLDEN=1),
where tests/erase/test_no_infrar_trace.py scans it with the corpus goldens.
"""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path

import pytest

from infrar.testing.plugin import ServiceUser
from tests.erase._support import ROOT, assert_no_infrar, erase, run
from tests.messaging.conftest import use_cloud

EXAMPLE = ROOT / "examples" / "messaging_orders.py"
GOLDEN = ROOT / "tests" / "erase" / "golden"

SEED = """
from infrar.messaging import publish, subscribe, send_message, receive_messages

process = print
publish(topic='orders', message={'order_id': 123, 'status': 'pending'})

def handle_order(message):
    print(f"Processing order: {message['order_id']}")

subscribe(topic='orders', handler=handle_order).wait(0.5)

send_message(queue='jobs', message={'job': 'process_data', 'file': 'data.csv'})

messages = receive_messages(queue='jobs', max_count=10)
for msg in messages:
    process(msg.body)
    msg.acknowledge()
"""

# Ordered delivery on local: the erased SQL must hold back a key's later messages too.
ORDERED = """
from infrar import messaging

seen = {"a": [], "b": []}
failed = set()

def handle(message):
    key, n = message["key"], message["n"]
    if n == 1 and key not in failed:
        failed.add(key)
        raise RuntimeError("busy")  # released: the key's later messages wait for it
    seen[key].append(n)

messaging.subscribe("orders", print, subscription="orders-billing", timeout=0).wait()
for n in range(4):
    for key in ("a", "b"):
        messaging.publish("orders", {"key": key, "n": n}, ordering_key=key)
with messaging.subscribe("orders", handle, subscription="orders-billing", max_messages=8, concurrency=3) as s:
    s.wait(60)
print("in order", seen)
"""
PROGRAMS = {"seed": SEED, "ordered": ORDERED}


@functools.cache
def _erased_example(provider: str) -> str:
    """The example erased for ``provider``, once per process (the golden test and the run share it)."""
    return erase(EXAMPLE.read_text(), provider)


def _unique(source: str, prefix: str) -> str:
    """The program with names of this test's own (one moto server and emulator serve the session)."""
    for name in ("jobs", "orders-billing", "orders"):
        source = source.replace(f"'{name}'", f"'{prefix}-{name}'").replace(f'"{name}"', f'"{prefix}-{name}"')
    return source


def _environment(provider: str, infrar_service: ServiceUser, monkeypatch: pytest.MonkeyPatch) -> None:
    if provider != "local":
        use_cloud(provider, infrar_service)
        monkeypatch.setenv("INFRAR_CREATE_MISSING", "1")


CASES = [("seed", "local"), ("ordered", "local"), ("example", "local"), ("example", "aws"), ("example", "gcp")]


@pytest.mark.parametrize(("program", "provider"), CASES)
def test_messaging_program_prints_the_same_erased(provider: str, program: str, infrar_service: ServiceUser,
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _environment(provider, infrar_service, monkeypatch)
    prefix = "e" + uuid.uuid4().hex[:8]
    source = _unique(PROGRAMS[program] if program in PROGRAMS else EXAMPLE.read_text(), prefix)
    # the example's names are literals of the program, so its erased text takes the same renaming
    erased = _unique(_erased_example(provider), prefix) if program == "example" else erase(source, provider)
    assert_no_infrar(erased)
    compile(erased, "erased.py", "exec")
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider=provider)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider=provider)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    if program == "example":
        assert "handled [(1, 1), (2, 2), (3, 1)] acknowledged 3" in first.stdout
        assert "refused: True" in first.stdout and "job b'\\x89PNG raw bytes' delivery 1" in first.stdout
    elif program == "ordered":
        assert "in order {'a': [0, 1, 2, 3], 'b': [0, 1, 2, 3]}" in first.stdout
    else:
        assert "{'job': 'process_data', 'file': 'data.csv'}" in first.stdout


@pytest.mark.parametrize("provider", ["local", "aws", "gcp", "azure"])
def test_the_erased_example_matches_its_golden(provider: str) -> None:
    text = _erased_example(provider)
    golden = GOLDEN / f"{EXAMPLE.stem}.{provider}.py.golden"
    if os.environ.get("INFRAR_UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert golden.exists(), f"no {golden.name}; review the erased text and create it with INFRAR_UPDATE_GOLDEN=1"
    assert text == golden.read_text(), f"the erased example differs from {golden.name}; review, INFRAR_UPDATE_GOLDEN=1"
