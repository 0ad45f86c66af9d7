"""The azure provider's Service Bus clients: one ServiceBusClient per process, and its senders and receivers.

The one place that reads Service Bus's native configuration:

- ``AZURE_SERVICEBUS_CONNECTION_STRING`` (a shared access key, or an emulator's
  ``...;UseDevelopmentEmulator=true``), else
- ``AZURE_SERVICEBUS_NAMESPACE`` (fully qualified, ``name.servicebus.windows.net``) with
  ``azure.identity.DefaultAzureCredential`` (Entra ID).

Opening a sender or a receiver costs an AMQP attach (and a CBS token), so each is opened once
per entity and process and kept. The SDK's handlers are not thread-safe: each comes with a
lock its users hold around every call. The administration client (entity creation under
INFRAR_CREATE_MISSING=1) is built from the same variables and speaks HTTPS.

An entity that requires sessions (``infrar infra``'s ``fifo: true``) refuses a plain receiver;
the refusal marks its path in ``sessionful``, and it is read through ``session_receiver``s
instead, each locking the next available session. One whose message was settled is ``park``ed
for the next receive of its path (closing a receiver costs the SDK up to a second, joining its
keep-alive thread, and its session's next message is wanted next anyway); a drained one is closed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from azure.servicebus import NEXT_AVAILABLE_SESSION, ServiceBusClient, ServiceBusSubQueue
from azure.servicebus.exceptions import ServiceBusError
from azure.servicebus.management import ServiceBusAdministrationClient

from infrar.errors import ConfigurationError, MissingDependency
from infrar.providers.azure._clients import _entra

CONNECTION_STRING_VARIABLE = "AZURE_SERVICEBUS_CONNECTION_STRING"
NAMESPACE_VARIABLE = "AZURE_SERVICEBUS_NAMESPACE"
SUBSCRIPTIONS = "/subscriptions/"  # a receiver's path: <topic>/subscriptions/<name>
DEAD_LETTER_QUEUE = "/$deadletterqueue"  # an entity's own dead-letter subqueue
# What Service Bus answers a plain receiver on a session entity ("It is not possible for an entity
# that requires sessions to create a non-sessionful message receiver"): amqp:not-allowed, a plain
# ServiceBusError, so its text is all that tells it apart.
_SESSIONS_REQUIRED = "requires sessions"
PARK_SECONDS = 2.0  # how long a session receiver with nothing unsettled waits to be taken back
_RETRIES: dict[str, Any] = {"retry_total": 3, "retry_backoff_factor": 0.5, "retry_backoff_max": 4}


class Handler(NamedTuple):
    """A sender or a receiver, and the lock to hold around each call on it."""

    client: Any
    lock: threading.RLock


_lock = threading.Lock()
_client: ServiceBusClient | None = None
_admin: ServiceBusAdministrationClient | None = None


def _credential() -> Any:
    try:
        return _entra.credential()
    except ImportError as exc:
        raise MissingDependency(
            f"{NAMESPACE_VARIABLE} needs azure-identity for Entra ID sign-in: pip install azure-identity"
        ) from exc


def _configured() -> tuple[str, str]:
    """``("connection string", value)`` or ``("namespace", value)``, whichever is set."""
    connection_string = os.environ.get(CONNECTION_STRING_VARIABLE, "").strip()
    if connection_string:
        return "connection string", connection_string
    namespace = os.environ.get(NAMESPACE_VARIABLE, "").strip()
    if namespace:
        return "namespace", namespace
    raise ConfigurationError(
        f"no Service Bus namespace configured: set {CONNECTION_STRING_VARIABLE} (Shared access policies in the "
        f"portal) or {NAMESPACE_VARIABLE}=<name>.servicebus.windows.net to sign in with Entra ID"
    )


def _build(kind: str) -> Any:
    source, value = _configured()
    cls: Any = ServiceBusClient if kind == "client" else ServiceBusAdministrationClient
    options = _RETRIES if kind == "client" else {}
    if source == "namespace":
        return cls(value, _credential(), **options)
    try:
        return cls.from_connection_string(value, **options)
    except ValueError as exc:
        # The SDK's message may quote the string; ours must not (it holds the key).
        raise ConfigurationError(
            f"{CONNECTION_STRING_VARIABLE} is not a Service Bus connection string "
            "(Endpoint=sb://<name>.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...); "
            "copy it from the namespace's Shared access policies"
        ) from exc


def client() -> ServiceBusClient:
    """The process's ServiceBusClient, built on first use from the native variables."""
    global _client
    found = _client
    if found is None:
        with _lock:
            if _client is None:
                _client = _build("client")
            found = _client
    return found


def administration() -> ServiceBusAdministrationClient:
    """The process's ServiceBusAdministrationClient (HTTPS), for creating missing entities."""
    global _admin
    found = _admin
    if found is None:
        with _lock:
            if _admin is None:
                _admin = _build("administration")
            found = _admin
    return found


def _open_sender(entity: str) -> Handler:
    return Handler(client().get_queue_sender(entity), threading.RLock())  # a topic's sender is the same link


def _open_receiver(path: str) -> Handler:
    """``queue``, ``queue/$deadletterqueue``, ``topic/subscriptions/name`` (and its dead-letter subqueue)."""
    entity, dead, _ = path.partition(DEAD_LETTER_QUEUE)
    sub_queue = ServiceBusSubQueue.DEAD_LETTER if dead else None
    topic, sep, name = entity.partition(SUBSCRIPTIONS)
    if sep:
        receiver = client().get_subscription_receiver(topic, name, sub_queue=sub_queue)
    else:
        receiver = client().get_queue_receiver(entity, sub_queue=sub_queue)
    try:
        # Attach now, and ask the entity's $management node (a peek locks nothing): a missing
        # entity fails here, once, rather than inside a subscriber's loop.
        receiver.peek_messages(max_message_count=1)
    except BaseException as exc:
        _close(Handler(receiver, threading.RLock()))
        if requires_sessions(exc):
            sessionful.add(path)
        raise
    return Handler(receiver, threading.RLock())


def requires_sessions(exc: BaseException) -> bool:
    """Whether ``exc`` is Service Bus refusing a plain receiver because the entity requires sessions."""
    return isinstance(exc, ServiceBusError) and _SESSIONS_REQUIRED in str(exc)


def session_receiver(path: str, wait: float) -> Handler:
    """A new receiver of ``path`` (``queue`` or ``topic/subscriptions/name``) for the next available session.

    Not kept here: it holds its session's lock until closed (``close``), and nobody else gets
    that session's messages meanwhile. ``wait`` bounds finding a session.
    """
    topic, sep, name = path.partition(SUBSCRIPTIONS)
    options: dict[str, Any] = {"session_id": NEXT_AVAILABLE_SESSION, "max_wait_time": wait}
    if sep:
        receiver = client().get_subscription_receiver(topic, name, **options)
    else:
        receiver = client().get_queue_receiver(path, **options)
    return Handler(receiver, threading.RLock())


def close(handler: Handler) -> None:
    """Close a session receiver (giving its session back) on a thread of its own.

    The SDK's close joins the receiver's keep-alive thread, which sleeps a second at a time:
    the caller (a receive, or a settlement) does not wait for that.
    """
    threading.Thread(target=_close_locked, args=(handler,), name="servicebus-close", daemon=True).start()


def _close_locked(handler: Handler) -> None:
    with handler.lock:
        _close(handler)


def park(path: str, handler: Handler) -> None:
    """Keep session receiver ``handler`` of ``path``, its messages settled, for the next receive.

    For ``PARK_SECONDS`` at most: a parked receiver keeps its session from every other receiver,
    so one nobody takes back is closed.
    """
    with _opening:
        _parked.setdefault(path, []).append(handler)
    timer = threading.Timer(PARK_SECONDS, _unpark_idle, (path, handler))
    timer.daemon = True
    timer.start()


def _unpark_idle(path: str, handler: Handler) -> None:
    with _opening:
        waiting = _parked.get(path, [])
        if handler not in waiting:
            return  # taken back meanwhile
        waiting.remove(handler)
    _close_locked(handler)


def unpark(path: str) -> Handler | None:
    """A parked session receiver of ``path`` (the longest parked), or None."""
    with _opening:
        waiting = _parked.get(path)
        return waiting.pop(0) if waiting else None


def _close(handler: Handler) -> None:
    try:
        handler.client.close()
    except Exception:  # closing a broken link is best effort: it is dropped either way
        pass


_handlers: dict[str, Handler] = {}  # "send:<entity>" or "receive:<path>:<thread id>"
created: set[str] = set()  # "<kind>:<name>" made sure of under INFRAR_CREATE_MISSING=1, once per process
sessionful: set[str] = set()  # receiver paths that refused a plain receiver: read through session receivers
_parked: dict[str, list[Handler]] = {}  # path -> session receivers whose messages are all settled
_owners: dict[str, threading.Thread] = {}  # receiver key -> the thread it serves
_opening = threading.Lock()
_pid = os.getpid()  # the process that opened them: a forked child must not close the parent's links


def _handler(key: str, path: str, opener: Callable[[str], Handler]) -> Handler:
    if _pid != os.getpid():
        reset()  # forked since they were opened: erased code has no fork hook to do it
    found = _handlers.get(key)
    if found is None:
        with _opening:  # not _lock: opening builds the client under that one
            found = _handlers.get(key)
            if found is None:
                found = _handlers[key] = opener(path)
    return found


def sender(entity: str) -> Handler:
    """The sender for queue or topic ``entity``, opened on first use."""
    return _handler("send:" + entity, entity, _open_sender)


def receiver(path: str) -> Handler:
    """This thread's peek-lock receiver for ``path`` (see ``_open_receiver``), opened on first use.

    One per thread: a receive waits on the link for up to its wait time, and settling a message
    needs the receiver that got it, so threads sharing one would wait for each other's polls.
    Receivers of threads that have ended are closed (giving back what they prefetched) when
    another one is opened.
    """
    thread = threading.current_thread()
    key = f"receive:{path}:{thread.ident}"
    if _owners.get(key) is not thread:  # new here (or a dead thread's id reused)
        with _opening:
            _close_orphans()
            _owners[key] = thread
    return _handler(key, path, _open_receiver)


def _close_orphans() -> None:
    for key, owner in list(_owners.items()):
        if not owner.is_alive():
            _owners.pop(key, None)
            handler = _handlers.pop(key, None)
            if handler is not None:
                _close(handler)


def forget(path: str) -> None:
    """Close and drop the sender and receivers of a path that turned out missing, so a retry reopens them."""
    for key in [k for k in list(_handlers) if k == "send:" + path or k.startswith(f"receive:{path}:")]:
        handler = _handlers.pop(key, None)
        _owners.pop(key, None)
        if handler is not None:
            _close(handler)


def reset() -> None:
    """Drop every handler and the clients (after fork, or for a new namespace); a fresh lock.

    In the process that opened them they are closed (a receiver gives back what it prefetched);
    a forked child only forgets them, since their sockets are its parent's too.
    """
    global _client, _admin, _lock, _opening, _handlers, _pid, _parked
    dropped, old = [*_handlers.values(), *(h for parked in _parked.values() for h in parked)], _client
    created.clear()
    sessionful.clear()
    _owners.clear()
    _handlers, _parked, _client, _admin = {}, {}, None, None
    _lock, _opening = threading.Lock(), threading.Lock()
    if _pid == os.getpid():
        # At once, not one after the other: each close joins the SDK's keep-alive thread (up to 1 s).
        closing = [threading.Thread(target=_close, args=(handler,), daemon=True) for handler in dropped]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join()
        if old is not None:
            _close(Handler(old, threading.RLock()))
    _pid = os.getpid()
