"""What the Service Bus test broker holds: queues, topics, subscriptions and their locks.

Pure bookkeeping with no AMQP in it (``servicebus_broker`` speaks the protocol), so the rules
Service Bus applies are in one readable place:

- a receive in peek-lock mode locks the message for the entity's lock duration under a fresh
  16-byte lock token; complete removes it, abandon or lock expiry makes it available again with
  its delivery count one higher, release (a prefetched message handed back unseen) does the same
  without counting a delivery;
- once the delivery count reaches the entity's max delivery count the message moves to the
  entity's dead-letter subqueue ``<entity>/$DeadLetterQueue`` (reason ``MaxDeliveryCountExceeded``),
  as a dead-letter settlement moves it with the reason the receiver gave;
- a topic copies every message to each of its subscriptions ``<topic>/Subscriptions/<name>``;
- an entity that requires sessions hands a receiver one session (the messages with one session
  id) at a time: the receiver locks the session, gets only its messages, in order, and nobody
  else gets them until the session lock is given up or runs out (the messages it held come back
  then, each counted as a failed delivery, ahead of the session's later ones).

Names are case-insensitive, as on Service Bus. Not thread-safe: the broker's reactor is its only caller.
"""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field

DEAD_LETTER_SUFFIX = "/$DeadLetterQueue"
SUBSCRIPTIONS = "/Subscriptions/"
MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded"


@dataclass
class Stored:
    """One message in one entity (a topic's copy per subscription is its own ``Stored``)."""

    payload: bytes  # the AMQP-encoded message as the sender sent it
    sequence_number: int
    enqueued_at: float
    visible_at: float = 0.0  # a scheduled message (x-opt-scheduled-enqueue-time) waits until then
    delivery_count: int = 0  # deliveries that failed so far: the AMQP header's delivery-count
    dead_letter_reason: str | None = None
    dead_letter_description: str | None = None
    session_id: str | None = None  # the AMQP group-id the sender set


@dataclass
class Lock:
    message: Stored
    until: float


@dataclass
class SessionLock:
    owner: int  # the receiver (link) holding it
    until: float


@dataclass
class Entity:
    """A queue, a subscription or a dead-letter subqueue: messages available, and messages locked."""

    path: str
    lock_duration: float = 30.0
    max_delivery_count: int = 10
    dead_letter: Entity | None = None
    ready: deque[Stored] = field(default_factory=deque)
    locked: dict[bytes, Lock] = field(default_factory=dict)
    requires_session: bool = False
    sessions: dict[str, SessionLock] = field(default_factory=dict)  # session id -> who holds it
    _sequence: int = 0

    def enqueue(self, payload: bytes, now: float, visible_at: float = 0.0, session_id: str | None = None) -> None:
        self._sequence += 1
        self.ready.append(Stored(payload, self._sequence, now, visible_at, session_id=session_id))

    def _next(self, now: float, session_id: str | None = None) -> Stored | None:
        for stored in self.ready:
            if stored.visible_at <= now and (session_id is None or stored.session_id == session_id):
                self.ready.remove(stored)
                return stored
        return None

    def lock_session(self, owner: int, now: float, session_id: str | None = None) -> str | None:
        """Lock session ``session_id`` (None: the first unlocked one with a message ready) for ``owner``."""
        self.expire(now)
        if session_id is None:
            session_id = next((m.session_id for m in self.ready if m.visible_at <= now and m.session_id is not None
                               and m.session_id not in self.sessions), None)
            if session_id is None:
                return None
        elif session_id in self.sessions:
            return None
        self.sessions[session_id] = SessionLock(owner, now + self.lock_duration)
        return session_id

    def session_until(self, session_id: str) -> float | None:
        held = self.sessions.get(session_id)
        return None if held is None else held.until

    def renew_session(self, session_id: str, now: float) -> float | None:
        """Extend session ``session_id``'s lock, and its messages' locks with it; None when it is lost."""
        self.expire(now)
        held = self.sessions.get(session_id)
        if held is None:
            return None
        held.until = now + self.lock_duration
        for lock in self.locked.values():
            if lock.message.session_id == session_id:
                lock.until = held.until
        return held.until

    def unlock_session(self, session_id: str, owner: int) -> None:
        """Give session ``session_id`` up; what its receiver still held comes back, counted, in order."""
        held = self.sessions.get(session_id)
        if held is None or held.owner != owner:
            return
        del self.sessions[session_id]
        tokens = [token for token, lock in self.locked.items() if lock.message.session_id == session_id]
        self._fail_all(tokens)

    def take(self, now: float) -> Stored | None:
        """The next available message, removed at once (receive-and-delete mode)."""
        return self._next(now)

    def lock_next(self, now: float, session_id: str | None = None) -> tuple[bytes, Lock] | None:
        """Lock the next available message (of ``session_id``); its token is the delivery tag to settle with."""
        stored = self._next(now, session_id)
        if stored is None:
            return None
        # 16 bytes, as the SDK needs; ASCII because proton's Python binding hands tags back as text.
        token = secrets.token_hex(8).encode()
        session = self.sessions.get(session_id) if session_id is not None else None
        lock = Lock(stored, session.until if session is not None else now + self.lock_duration)
        self.locked[token] = lock
        return token, lock

    def _held(self, token: bytes, now: float) -> Stored | None:
        """The message ``token`` locks, if the lock is still held (an expired one is returned first)."""
        self.expire(now)
        lock = self.locked.pop(token, None)
        return None if lock is None else lock.message

    def complete(self, token: bytes, now: float) -> bool:
        return self._held(token, now) is not None

    def abandon(self, token: bytes, now: float) -> bool:
        message = self._held(token, now)
        if message is None:
            return False
        self._failed(message)
        return True

    def release(self, token: bytes, now: float) -> bool:
        message = self._held(token, now)
        if message is None:
            return False
        self.ready.appendleft(message)
        return True

    def reject(self, token: bytes, now: float, reason: str | None, description: str | None) -> bool:
        message = self._held(token, now)
        if message is None:
            return False
        self._to_dead_letter(message, reason, description)
        return True

    def renew(self, token: bytes, now: float) -> float | None:
        """Extend the lock by a full lock duration from now; None when it is already lost."""
        self.expire(now)
        lock = self.locked.get(token)
        if lock is None:
            return None
        lock.until = now + self.lock_duration
        return lock.until

    def expire(self, now: float) -> int:
        """Hand back every message whose lock ran out, counting a failed delivery for each; drop lapsed sessions."""
        for session_id in [key for key, held in self.sessions.items() if held.until <= now]:
            del self.sessions[session_id]
        expired = [token for token, lock in self.locked.items() if lock.until <= now]
        self._fail_all(expired)
        return len(expired)

    def _fail_all(self, tokens: list[bytes]) -> None:
        # Latest first: each goes back to the front, so the earliest ends up first, as it was sent.
        for lock in sorted((self.locked.pop(t) for t in tokens), key=lambda lock: -lock.message.sequence_number):
            self._failed(lock.message)

    def _failed(self, message: Stored) -> None:
        message.delivery_count += 1
        if message.delivery_count >= self.max_delivery_count and self.dead_letter is not None:
            self._to_dead_letter(message, MAX_DELIVERY_COUNT_EXCEEDED,
                                 f"delivered {message.delivery_count} times, the entity's maximum")
        else:
            self.ready.appendleft(message)

    def _to_dead_letter(self, message: Stored, reason: str | None, description: str | None) -> None:
        if self.dead_letter is None:  # a dead-letter subqueue has none of its own
            return
        message.dead_letter_reason, message.dead_letter_description = reason, description
        self.dead_letter.ready.append(message)

    def count(self) -> int:
        """Messages held, available or locked."""
        return len(self.ready) + len(self.locked)


def _entity(path: str, lock_duration: float, max_delivery_count: int, forward_to: Entity | None,
            requires_session: bool = False) -> Entity:
    """An entity with its dead-letter subqueue, or forwarding its dead letters to queue ``forward_to``."""
    dead_letter = forward_to or Entity(path + DEAD_LETTER_SUFFIX, lock_duration, max_delivery_count)
    return Entity(path, lock_duration, max_delivery_count, dead_letter, requires_session=requires_session)


class NoEntity(KeyError):
    """The address names no queue, topic or subscription."""


class Namespace:
    """Every entity of the broker, by lower-cased path."""

    def __init__(self) -> None:
        self.queues: dict[str, Entity] = {}
        self.topics: dict[str, dict[str, Entity]] = {}
        # topic -> subscription -> the queue it auto-forwards to (ForwardTo): a copy lands there at once
        self.forwards: dict[str, dict[str, Entity]] = {}

    def _forward_target(self, name: str | None) -> Entity | None:
        """The queue dead letters are forwarded to (ForwardDeadLetteredMessagesTo), which must exist."""
        if not name:
            return None
        if name.lower() not in self.queues:
            raise NoEntity(name)
        return self.queues[name.lower()]

    def create_queue(self, name: str, lock_duration: float = 30.0, max_delivery_count: int = 10,
                     forward_dead_letters_to: str | None = None, requires_session: bool = False) -> Entity:
        key = name.lower()
        if key not in self.queues:
            target = self._forward_target(forward_dead_letters_to)
            self.queues[key] = _entity(name, lock_duration, max_delivery_count, target, requires_session)
        return self.queues[key]

    def create_topic(self, name: str) -> None:
        self.topics.setdefault(name.lower(), {})

    def create_subscription(self, topic: str, name: str, lock_duration: float = 30.0,
                            max_delivery_count: int = 10, forward_dead_letters_to: str | None = None,
                            forward_to: str | None = None, requires_session: bool = False) -> Entity:
        subscriptions = self.topics.get(topic.lower())
        if subscriptions is None:
            raise NoEntity(topic)
        if forward_to:  # an auto-forwarding subscription holds nothing: the queue receives
            target = self._forward_target(forward_to)
            assert target is not None
            self.forwards.setdefault(topic.lower(), {})[name.lower()] = target
            return target
        if name.lower() not in subscriptions:
            target = self._forward_target(forward_dead_letters_to)
            path = f"{topic}{SUBSCRIPTIONS}{name}"
            subscriptions[name.lower()] = _entity(path, lock_duration, max_delivery_count, target, requires_session)
        return subscriptions[name.lower()]

    def delete(self, path: str) -> None:
        """Delete a queue, a topic (with its subscriptions) or a subscription; no error if it is gone."""
        key = path.lower()
        topic, sep, subscription = key.partition(SUBSCRIPTIONS.lower())
        if sep:
            self.topics.get(topic, {}).pop(subscription, None)
            self.forwards.get(topic, {}).pop(subscription, None)
        else:
            self.queues.pop(key, None)
            self.topics.pop(key, None)
            self.forwards.pop(key, None)

    def source(self, path: str) -> Entity:
        """The entity a receiver reads: a queue, a subscription or either one's dead-letter subqueue."""
        key = path.lower()
        dead_letter = key.endswith(DEAD_LETTER_SUFFIX.lower())
        if dead_letter:
            key = key[: -len(DEAD_LETTER_SUFFIX)]
        topic, sep, subscription = key.partition(SUBSCRIPTIONS.lower())
        entity = self.topics.get(topic, {}).get(subscription) if sep else self.queues.get(key)
        if entity is None:
            raise NoEntity(path)
        return entity.dead_letter if dead_letter and entity.dead_letter is not None else entity

    def exists(self, path: str) -> bool:
        """Whether a queue, a topic or ``<topic>/Subscriptions/<name>`` exists."""
        if self.is_target(path) or self.is_forwarding(path):
            return True
        try:
            self.source(path)
        except NoEntity:
            return False
        return True

    def is_forwarding(self, path: str) -> bool:
        """Whether ``path`` is an auto-forwarding subscription (Service Bus refuses receivers on those)."""
        topic, sep, subscription = path.lower().partition(SUBSCRIPTIONS.lower())
        return bool(sep) and subscription in self.forwards.get(topic, {})

    def requires_session(self, path: str) -> bool:
        """Whether ``path`` is a queue that only takes messages with a session id."""
        queue = self.queues.get(path.lower())
        return queue is not None and queue.requires_session

    def is_target(self, path: str) -> bool:
        """Whether a sender may send to ``path`` (a queue or a topic)."""
        return path.lower() in self.queues or path.lower() in self.topics

    def publish(self, path: str, payload: bytes, now: float, visible_at: float = 0.0,
                session_id: str | None = None) -> None:
        """Enqueue on a queue, or copy to every subscription of a topic (none: the message is gone)."""
        key = path.lower()
        if key in self.queues:
            self.queues[key].enqueue(payload, now, visible_at, session_id)
            return
        if key not in self.topics:
            raise NoEntity(path)
        for subscription in [*self.topics[key].values(), *self.forwards.get(key, {}).values()]:
            subscription.enqueue(payload, now, visible_at, session_id)

    def entities(self) -> list[Entity]:
        """Every queue and subscription (each carries its dead-letter subqueue)."""
        return [*self.queues.values(), *(s for subs in self.topics.values() for s in subs.values())]

    def expire(self, now: float) -> int:
        return sum(entity.expire(now) for entity in self.entities())
