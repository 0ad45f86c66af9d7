"""The Service Bus test broker as a test service: one ``servicebus_broker`` process per session.

``environment()`` is ``AZURE_SERVICEBUS_CONNECTION_STRING`` in the emulator form the SDK accepts
(``UseDevelopmentEmulator=true``: plain AMQP on the broker's port). The key in it is random and
checked by nobody. Entities are created through the broker's ``$infrar/control`` node, since
Service Bus creates them over HTTPS, which the broker does not serve.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any, ClassVar

from infrar.errors import InfrarError, MissingDependency, NotFound
from infrar.testing._process import ServerProcess
from infrar.testing.services import ServerService

_INSTALL_HINT = "pip install python-qpid-proton azure-servicebus (pip install 'infrar[dev]' brings both)"
DEFAULT_LOCK_DURATION = 30.0  # seconds: infrar's default visibility timeout
DEFAULT_MAX_DELIVERY_COUNT = 5  # infrar's max_deliveries


class ServiceBusService(ServerService):
    """The broker; ``create_queue`` / ``create_topic`` / ``create_subscription`` / ``delete`` / ``count``."""

    name: ClassVar[str] = "servicebus"

    def __init__(self, log_dir: Path) -> None:
        super().__init__(log_dir)
        self._key = secrets.token_urlsafe(24)

    def _prepare(self, port: int) -> ServerProcess:
        try:
            import proton  # noqa: F401  (the broker's only dependency)
        except ImportError as exc:
            raise MissingDependency(f"the Service Bus test broker needs python-qpid-proton; {_INSTALL_HINT}") from exc
        command = [sys.executable, "-m", "infrar.testing.servicebus_broker", "--port", str(port)]
        return ServerProcess(self.name, command, port, self.log_dir)

    @property
    def connection_string(self) -> str:
        return (f"Endpoint=sb://127.0.0.1:{self.port};SharedAccessKeyName=RootManageSharedAccessKey;"
                f"SharedAccessKey={self._key};UseDevelopmentEmulator=true")

    def environment(self) -> dict[str, str]:
        return {"AZURE_SERVICEBUS_CONNECTION_STRING": self.connection_string}

    def _call(self, operation: str, **arguments: Any) -> dict[str, Any]:
        from proton import Message
        from proton.utils import BlockingConnection, SyncRequestResponse

        connection = BlockingConnection(f"127.0.0.1:{self.port}", timeout=10, allowed_mechs="ANONYMOUS")
        try:
            reply = SyncRequestResponse(connection, "$infrar/control").call(
                Message(body={k.replace("_", "-"): v for k, v in arguments.items() if v is not None},
                        properties={"operation": operation}))
        finally:
            connection.close()
        properties: dict[str, Any] = dict(reply.properties or {})
        status, description = int(properties["statusCode"]), properties["statusDescription"]
        if status == 404:
            raise NotFound(f"Service Bus test broker: {description} ({operation} {arguments})")
        if status != 200:
            raise InfrarError(f"Service Bus test broker refused {operation} {arguments}: {description}")
        return dict(reply.body or {})  # type: ignore[arg-type]  # the control node answers with a map

    def create_queue(self, name: str, *, lock_duration: float = DEFAULT_LOCK_DURATION,
                     max_delivery_count: int = DEFAULT_MAX_DELIVERY_COUNT,
                     forward_dead_letters_to: str | None = None, requires_session: bool = False) -> None:
        """Queue ``name``; its dead letters go to its own subqueue, or to queue ``forward_dead_letters_to``.

        ``requires_session``: a session queue (what ``infrar infra`` makes for ``fifo: true``).
        """
        self._call("create-queue", name=name, lock_duration=float(lock_duration),
                   max_delivery_count=max_delivery_count, forward_dead_letters_to=forward_dead_letters_to,
                   requires_session=requires_session)

    def create_topic(self, name: str) -> None:
        self._call("create-topic", name=name)

    def create_subscription(self, topic: str, name: str, *, lock_duration: float = DEFAULT_LOCK_DURATION,
                            max_delivery_count: int = DEFAULT_MAX_DELIVERY_COUNT,
                            forward_dead_letters_to: str | None = None, forward_to: str | None = None,
                            requires_session: bool = False) -> None:
        """Subscription ``name`` of ``topic``; with ``forward_to``, every message goes on to that queue."""
        self._call("create-subscription", topic=topic, name=name, lock_duration=float(lock_duration),
                   max_delivery_count=max_delivery_count, forward_dead_letters_to=forward_dead_letters_to,
                   forward_to=forward_to, requires_session=requires_session)

    def delete(self, path: str) -> None:
        """Delete a queue, a topic or ``<topic>/Subscriptions/<name>`` (no error if it is gone)."""
        self._call("delete", path=path)

    def exists(self, path: str) -> bool:
        """Whether queue, topic or ``<topic>/Subscriptions/<name>`` ``path`` exists."""
        return bool(self._call("exists", path=path)["exists"])

    def count(self, path: str) -> int:
        """Messages held (available or locked) by a queue, a subscription or a ``/$DeadLetterQueue``."""
        return int(self._call("count", path=path)["count"])
