"""A small AMQP 1.0 broker that the real ``azure-servicebus`` SDK runs against in tests.

Service Bus has no installable emulator, so this stands in for one namespace, on plain AMQP
(``UseDevelopmentEmulator=true`` in the connection string turns TLS off in the SDK). It serves
what the SDK's data plane needs, no more:

- SASL ANONYMOUS, and the ``$cbs`` put-token request answered with status-code 202 (any token);
- senders to a queue or a topic (a topic copies to each of its subscriptions); receivers from a
  queue, ``<topic>/Subscriptions/<name>`` and either one's ``/$DeadLetterQueue``, in peek-lock
  (settled by the client's disposition, echoed back as the SDK awaits it) or receive-and-delete;
- each delivery's tag is the message's 16-byte lock token (the SDK derives ``lock_token`` from
  it); the AMQP header carries the delivery count (0 on a first delivery, as Service Bus sends it);
  ``x-opt-locked-until`` and friends are in the message annotations;
- outcomes: accepted = complete, modified = abandon (delivery count + 1), rejected = dead-letter
  with the reason the SDK put in the error info, released = handed back without counting;
  settling a message whose lock expired is rejected with ``com.microsoft:message-lock-lost``;
- ``<entity>/$management``: renew-lock, update-disposition (the SDK's settlement fallback) and
  peek (answered "no messages"); ``$infrar/control``: create, delete, check and count entities
  (tests use it; Service Bus creates entities over HTTPS, which the tests fake); both in
  ``servicebus_nodes``;
- scheduled enqueue, and the 256 KiB limit (``message_size``);
- sessions on an entity made with ``requires_session`` (``servicebus_sessions``): a session
  receiver gets only its session's messages, ``renew-session-lock`` extends its lock, a lock that
  runs out detaches it with ``com.microsoft:session-lock-lost``; a message without a session id
  sent to a session queue is refused.

An attach to an entity that does not exist is refused with ``amqp:not-found``, as Service Bus
does. ``python -m infrar.testing.servicebus_broker --port P`` runs it; ``infrar.testing.servicebus``
starts it per test session. Messages live in memory only (``servicebus_store``).
"""

from __future__ import annotations

import argparse
import logging
import time
import uuid
from typing import Any

from proton import Condition, Delivery, Endpoint, Handler, Link, Message, Terminus, symbol, timestamp
from proton.reactor import Container

from infrar.testing.servicebus_nodes import control, management, text
from infrar.testing.servicebus_payloads import entity_path, message_size, scheduled, unbatch
from infrar.testing.servicebus_sessions import SESSION_LOCK_LOST, TIMEOUT, SessionLinks
from infrar.testing.servicebus_store import Entity, Lock, Namespace, NoEntity

MAX_MESSAGE_SIZE = 256 * 1024  # Service Bus Standard
CONTROL = "$infrar/control"
LOCK_LOST = "com.microsoft:message-lock-lost"
TICK = 0.05  # seconds between lock-expiry sweeps

_log = logging.getLogger("infrar.servicebus_broker")


class Broker(Handler):
    """The reactor's handler: links, deliveries and request/response nodes over one ``Namespace``.

    Events, links and deliveries are typed ``Any``: proton declares their members Optional, and
    each handler here runs only for events that carry the ones it uses.
    """

    def __init__(self, namespace: Namespace | None = None) -> None:
        super().__init__()
        self.namespace = namespace or Namespace()
        self._consumers: dict[Any, str] = {}  # broker-side senders -> entity path they read
        self._sessions = SessionLinks()
        self._dynamic = 0

    # -- connection, session and SASL ------------------------------------------------------------
    def on_connection_bound(self, event: Any) -> None:
        event.transport.sasl().allowed_mechs("ANONYMOUS")

    def on_connection_remote_open(self, event: Any) -> None:
        if event.connection.state & Endpoint.LOCAL_UNINIT:
            event.connection.open()

    def on_session_remote_open(self, event: Any) -> None:
        if event.session.state & Endpoint.LOCAL_UNINIT:
            event.session.incoming_capacity = 16 * 1024 * 1024
            event.session.open()

    def on_session_remote_close(self, event: Any) -> None:
        if not event.session.state & Endpoint.LOCAL_CLOSED:
            event.session.close()

    def on_connection_remote_close(self, event: Any) -> None:
        self._forget(event.connection)
        if not event.connection.state & Endpoint.LOCAL_CLOSED:
            event.connection.close()

    def on_transport_closed(self, event: Any) -> None:
        if event.connection is not None:
            self._forget(event.connection)

    def _forget(self, connection: Any) -> None:
        # Locks outlive the link, as on Service Bus: they expire (and count) or are settled over $management.
        for link in [link for link in self._consumers if link.connection == connection]:
            self._give_up_session(link)
            del self._consumers[link]

    # -- links -----------------------------------------------------------------------------------
    def on_link_remote_open(self, event: Any) -> None:
        link = event.link
        if not link.state & Endpoint.LOCAL_UNINIT:
            return
        refusal = self._attach_sender(link) if link.is_sender else self._attach_receiver(link)
        # A refused attach is answered with a null terminus, then a detach (AMQP 2.6.3); but a
        # session receiver's is answered with its source, as the SDK's attach callback reads it.
        if refusal is None or (refusal.name == TIMEOUT and link.is_sender):
            link.source.copy(link.remote_source)
            link.target.copy(link.remote_target)
            if link.is_sender and link.remote_source.dynamic:
                link.source.address = self._dynamic_address()
            if link in self._sessions.held:
                self._sessions.answer(link, self.namespace.source(self._consumers[link]))
        else:
            link.source.type = link.target.type = Terminus.UNSPECIFIED
        link.snd_settle_mode = link.remote_snd_settle_mode
        link.rcv_settle_mode = link.remote_rcv_settle_mode
        link.open()
        if refusal is not None:
            link.condition = refusal
            link.close()
        elif link.is_receiver:
            link.flow(1000)

    def _attach_sender(self, link: Any) -> Condition | None:
        if link.remote_source.dynamic:
            return None
        path = entity_path(link.remote_source.address)
        if path.startswith("$") or path.endswith("/$management"):
            return None  # a request/response node's reply link
        if self.namespace.is_forwarding(path):  # as Service Bus answers
            return Condition("amqp:not-allowed",
                             "Cannot create a message receiver on an entity with auto-forwarding enabled.")
        try:
            entity = self.namespace.source(path)
        except NoEntity:
            return Condition("amqp:not-found", f"The messaging entity '{path}' could not be found.")
        refusal = self._sessions.attach(link, entity)
        if refusal is None:
            self._consumers[link] = path
        return refusal

    def _attach_receiver(self, link: Any) -> Condition | None:
        path = entity_path(link.remote_target.address)
        if path in ("$cbs", CONTROL) or path.endswith("/$management"):
            return None
        if not self.namespace.is_target(path):
            return Condition("amqp:not-found", f"The messaging entity '{path}' could not be found.")
        link.max_message_size = MAX_MESSAGE_SIZE
        return None

    def _dynamic_address(self) -> str:
        self._dynamic += 1
        return f"$reply/{self._dynamic}"

    def _entity_of(self, link: Any) -> Entity | None:
        try:
            return self.namespace.source(self._consumers[link])
        except NoEntity:
            return None

    def _give_up_session(self, link: Any) -> None:
        self._sessions.give_up(link, self._entity_of(link))

    def _lapsed(self, link: Any) -> bool:
        entity = self._entity_of(link)
        return entity is None or self._sessions.lapsed(link, entity)

    def on_link_remote_close(self, event: Any) -> None:
        if event.link in self._consumers:
            self._give_up_session(event.link)
        self._consumers.pop(event.link, None)
        if not event.link.state & Endpoint.LOCAL_CLOSED:
            event.link.close()

    def on_link_flow(self, event: Any) -> None:
        link = event.link
        if link.is_sender and link in self._consumers:
            self._dispatch(link)
            if link.drain_mode:
                link.drained()

    # -- deliveries ------------------------------------------------------------------------------
    def on_delivery(self, event: Any) -> None:
        delivery = event.delivery
        if delivery.link.is_receiver:
            self._incoming(delivery)
        elif delivery.updated and delivery.link in self._consumers:
            self._settle(delivery, self._consumers[delivery.link])
        elif delivery.settled:
            delivery.settle()

    def _incoming(self, delivery: Any) -> None:
        link = delivery.link
        if delivery.partial:
            return
        payload = link.recv(delivery.pending)
        link.advance()
        path = entity_path(link.target.address)
        if path in ("$cbs", CONTROL) or path.endswith("/$management"):
            request = Message()
            request.decode(payload)
            self._respond(link, path, request)
        elif (size := max(message_size(m) for m in unbatch(payload))) > MAX_MESSAGE_SIZE:
            # Service Bus refuses the transfer, not the link.
            self._refuse(delivery, "amqp:link:message-size-exceeded",
                         f"The message of {size} bytes exceeds the limit of {MAX_MESSAGE_SIZE} bytes.")
            return
        else:
            try:
                messages = [(message, *scheduled(message)) for message in unbatch(payload)]
                if self.namespace.requires_session(path) and any(session is None for *_, session in messages):
                    self._refuse(delivery, "amqp:not-allowed", "The SessionId was not set on a message, and it "
                                 "cannot be sent to the entity. Entities that have session support enabled can "
                                 "only receive messages that have the SessionId set to a valid value.")
                    return
                for message, visible_at, session in messages:
                    self.namespace.publish(path, message, time.time(), visible_at, session)
            except NoEntity:  # deleted since the attach
                self._refuse(delivery, "amqp:not-found", f"The messaging entity '{path}' could not be found.")
                return
            self._wake()
        delivery.update(Delivery.ACCEPTED)
        delivery.settle()
        link.flow(max(0, 1000 - link.credit))

    @staticmethod
    def _refuse(delivery: Any, condition: str, description: str) -> None:
        # With its info map: the SDK reads all three fields of a rejection's error.
        delivery.local.condition = Condition(condition, description, {symbol("com.microsoft:tracking-id"): "test"})
        delivery.update(Delivery.REJECTED)
        delivery.settle()
        delivery.link.flow(max(0, 1000 - delivery.link.credit))

    def _settle(self, delivery: Any, path: str) -> None:
        try:
            entity = self.namespace.source(path)
        except NoEntity:
            delivery.settle()
            return
        state, token, now = delivery.remote_state, delivery.tag.encode(), time.time()
        if state == Delivery.ACCEPTED:
            held = entity.complete(token, now)
        elif state == Delivery.MODIFIED:
            held = entity.abandon(token, now) if delivery.remote.failed else entity.release(token, now)
        elif state == Delivery.RELEASED:
            held = entity.release(token, now)
        elif state == Delivery.REJECTED:
            condition = delivery.remote.condition
            info = {text(k): text(v) for k, v in ((condition.info or {}) if condition else {}).items()}
            held = entity.reject(token, now, info.get("DeadLetterReason"), info.get("DeadLetterErrorDescription"))
        else:
            return  # a non-terminal state: wait for the outcome
        if held:
            delivery.update(state)
        else:
            delivery.local.condition = Condition(LOCK_LOST, "The lock supplied is invalid: it expired, or the "
                                                 "message was already settled.")
            delivery.update(Delivery.REJECTED)
        delivery.settle()
        self._wake()

    def _dispatch(self, link: Any) -> None:
        entity = self.namespace.source(self._consumers[link])
        presettled = link.snd_settle_mode == Link.SND_SETTLED
        session = self._sessions.session(link)
        while link.credit > 0:
            now = time.time()
            if presettled:
                stored = entity.take(now)
                if stored is None:
                    return
                delivery = link.delivery(uuid.uuid4().bytes)
                link.send(self._encode(stored.payload, stored, None, None))
                link.advance()
                delivery.settle()
                continue
            locked = entity.lock_next(now, session)
            if locked is None:
                return
            token, lock = locked
            link.delivery(token)
            link.send(self._encode(lock.message.payload, lock.message, token, lock))
            link.advance()

    @staticmethod
    def _encode(payload: bytes, stored: Any, token: bytes | None, lock: Lock | None) -> bytes:
        message: Any = Message()
        message.decode(payload)
        message.delivery_count = stored.delivery_count
        annotations = dict(message.annotations or {})
        annotations[symbol("x-opt-sequence-number")] = stored.sequence_number
        annotations[symbol("x-opt-enqueued-time")] = timestamp(int(stored.enqueued_at * 1000))
        if token is not None and lock is not None:
            annotations[symbol("x-opt-lock-token")] = uuid.UUID(bytes_le=token)
            annotations[symbol("x-opt-locked-until")] = timestamp(int(lock.until * 1000))
        message.annotations = annotations
        if stored.dead_letter_reason is not None:
            properties: Any = dict(message.properties or {})
            properties["DeadLetterReason"] = stored.dead_letter_reason
            properties["DeadLetterErrorDescription"] = stored.dead_letter_description or ""
            message.properties = properties
        encoded: bytes = message.encode()
        return encoded

    def _wake(self) -> None:
        """Offer what is available to every receiver with credit (a test broker has few)."""
        for link in list(self._consumers):
            if link.credit > 0 and link.state & Endpoint.LOCAL_ACTIVE:
                try:
                    self._dispatch(link)
                except NoEntity:
                    continue

    # -- request/response nodes ------------------------------------------------------------------
    def _respond(self, link: Any, path: str, request: Any) -> None:
        if path == "$cbs":
            status, body, extra = 202, None, {"status-code": 202, "status-description": "Accepted"}
        else:
            status, body = (control(self.namespace, request) if path == CONTROL
                            else management(self.namespace, path[: -len("/$management")], request))
            self._wake()  # a disposition or a new entity may make messages available
            extra = {"statusCode": status, "statusDescription": "OK" if status < 300 else str(body)}
            if status >= 300:
                extra["errorCondition"] = symbol(LOCK_LOST if status == 410 else "amqp:not-found")
                body = None
        reply = Message(body=body, properties=extra)
        reply.correlation_id = request.id if request.id is not None else request.correlation_id
        address = request.reply_to or path
        for sender in self._links(link.connection):
            if sender.is_sender and sender.source.address == address and sender.state & Endpoint.LOCAL_ACTIVE:
                sender.send(reply)
                return
        _log.warning("no reply link for %s on this connection; response dropped", address)

    @staticmethod
    def _links(connection: Any) -> list[Link]:
        found, link = [], connection.link_head(Endpoint.LOCAL_ACTIVE)
        while link is not None:
            found.append(link)
            link = link.next(Endpoint.LOCAL_ACTIVE)
        return found

    # -- lock expiry -----------------------------------------------------------------------------
    def on_timer_task(self, event: Any) -> None:
        self.namespace.expire(time.time())
        for link in [link for link in self._sessions.held if self._lapsed(link)]:
            del self._sessions.held[link]
            self._consumers.pop(link, None)
            link.condition = Condition(SESSION_LOCK_LOST, "The session lock has expired on the MessageSession.")
            link.close()
        self._wake()  # expired locks and scheduled messages that came due
        event.reactor.schedule(TICK, self)

    def on_reactor_init(self, event: Any) -> None:
        event.reactor.schedule(TICK, self)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    broker = Broker()
    container = Container(broker)
    container.listen(f"{args.host}:{args.port}")
    _log.info("Service Bus test broker listening on %s:%d", args.host, args.port)
    container.run()


if __name__ == "__main__":
    main()
