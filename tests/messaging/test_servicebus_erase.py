"""Erase proof on azure: the messaging example erased for Service Bus holds no infrar and prints the same.

Both runs talk to the Service Bus test broker through the connection string. Erased code
creates missing entities over HTTPS like the adapter does, which the broker cannot serve, so
the entities are made beforehand (with the dead-letter wiring infrar gives them) and the runs
go without INFRAR_CREATE_MISSING.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from infrar.testing.servicebus import ServiceBusService
from tests.erase._support import ROOT, assert_no_infrar, erase, run
from tests.messaging.azure_support import servicebus
from tests.messaging.test_erase import ORDERED

__all__ = ["servicebus"]  # fixture

EXAMPLE = ROOT / "examples" / "messaging_orders.py"


def _entities(broker: ServiceBusService, prefix: str) -> None:
    broker.create_queue(f"{prefix}-jobs-dead-letter")
    broker.create_queue(f"{prefix}-jobs", forward_dead_letters_to=f"{prefix}-jobs-dead-letter")
    broker.create_topic(f"{prefix}-orders")
    broker.create_queue(f"{prefix}-orders-billing-dead-letter")
    broker.create_subscription(f"{prefix}-orders", f"{prefix}-orders-billing",
                               forward_dead_letters_to=f"{prefix}-orders-billing-dead-letter")


def test_messaging_example_prints_the_same_erased_on_azure(servicebus: ServiceBusService, tmp_path: Path) -> None:
    prefix = "e" + uuid.uuid4().hex[:8]
    source = EXAMPLE.read_text()
    for name in ("jobs", "orders-billing", "orders"):
        source = source.replace(f'"{name}"', f'"{prefix}-{name}"')
    _entities(servicebus, prefix)
    erased = erase(source, "azure")
    assert_no_infrar(erased)
    assert "azure.servicebus" in erased
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    environment = servicebus.environment()
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider="azure", extra=environment)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider="azure", extra=environment)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    assert "handled [(1, 1), (2, 2), (3, 1)] acknowledged 3" in first.stdout
    assert "refused: True" in first.stdout and "job b'\\x89PNG raw bytes' delivery 1" in first.stdout
    assert servicebus.count(f"{prefix}-jobs") == 0


def test_the_ordered_program_prints_the_same_erased_on_azure_sessions(servicebus: ServiceBusService,
                                                                      tmp_path: Path) -> None:
    """The ordered-delivery program of test_erase on a session subscription: in order, erased or not."""
    prefix = "e" + uuid.uuid4().hex[:8]
    source = ORDERED
    for name in ("orders-billing", "orders"):
        source = source.replace(f'"{name}"', f'"{prefix}-{name}"')
    servicebus.create_topic(f"{prefix}-orders")
    servicebus.create_queue(f"{prefix}-orders-billing-dead-letter")
    servicebus.create_subscription(f"{prefix}-orders", f"{prefix}-orders-billing", requires_session=True,
                                   forward_dead_letters_to=f"{prefix}-orders-billing-dead-letter")
    erased = erase(source, "azure")
    assert_no_infrar(erased)
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erased)
    environment = servicebus.environment()
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider="azure", extra=environment)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider="azure", extra=environment)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout == "in order {'a': [0, 1, 2, 3], 'b': [0, 1, 2, 3]}\n"
