"""The Service Bus test broker's session receivers: which link holds which session of its entity.

A receiver asks for a session with a ``com.microsoft:session-filter`` on its source (a session
id, or null for the next available one). The attach is answered with the session locked and its
``com.microsoft:locked-until-utc`` (.NET ticks) in the link properties, as the SDK reads them;
a detach gives the session up. Service Bus's refusals are kept: a plain receiver on an entity
that requires sessions, a session receiver on one that does not, and no session to lock (which
Service Bus answers only after waiting; the test broker at once). The locks themselves are
``servicebus_store``'s.
"""

from __future__ import annotations

import time
from typing import Any

from proton import Condition, symbol

from infrar.testing.servicebus_nodes import text
from infrar.testing.servicebus_store import Entity

SESSION_FILTER = symbol("com.microsoft:session-filter")
SESSION_LOCKED_UNTIL = symbol("com.microsoft:locked-until-utc")
SESSION_LOCK_LOST = "com.microsoft:session-lock-lost"
TIMEOUT = "com.microsoft:timeout"
DOTNET_EPOCH_TICKS = 621355968000000000  # 0001-01-01 to 1970-01-01 in 100 ns ticks, as the SDK counts


def session_filter(source: Any) -> tuple[bool, str | None]:
    """Whether an attach's source asks for a session, and which one (None: the next available)."""
    filters = None
    if source.filter is not None:
        source.filter.rewind()  # get_object reads from the cursor, which starts before the first value
        source.filter.next()
        filters = source.filter.get_object()
    if not isinstance(filters, dict) or SESSION_FILTER not in filters:
        return False, None
    wanted = filters[SESSION_FILTER]
    return True, (text(wanted) if wanted is not None else None)


class SessionLinks:
    """Session receivers' links -> (session id, lock owner); the owner tells a lapsed lock from a held one."""

    def __init__(self) -> None:
        self.held: dict[Any, tuple[str, int]] = {}
        self._owners = 0

    def attach(self, link: Any, entity: Entity) -> Condition | None:
        """Lock the session ``link`` asks for, if it asks; the refusal Service Bus would give, else None."""
        sessionful, wanted = session_filter(link.remote_source)
        if entity.requires_session and not sessionful:
            return Condition("amqp:not-allowed", "It is not possible for an entity that requires sessions to "
                             "create a non-sessionful message receiver.")
        if not sessionful:
            return None
        if not entity.requires_session:
            return Condition("amqp:not-allowed", "A sessionful message receiver cannot be created on an entity "
                             "that does not require sessions.")
        self._owners += 1
        session = entity.lock_session(self._owners, time.time(), wanted)
        if session is None:
            return Condition(TIMEOUT, "No session available to accept within the operation timeout.")
        self.held[link] = (session, self._owners)
        return None

    def answer(self, link: Any, entity: Entity) -> None:
        """Name the session locked, and until when, in the attach reply (the SDK reads both from it)."""
        session, _ = self.held[link]
        until = entity.session_until(session) or time.time()
        link.source.filter.clear()
        link.source.filter.put_dict({SESSION_FILTER: session})
        link.properties = {SESSION_LOCKED_UNTIL: DOTNET_EPOCH_TICKS + int(until * 10_000_000)}

    def session(self, link: Any) -> str | None:
        held = self.held.get(link)
        return None if held is None else held[0]

    def give_up(self, link: Any, entity: Entity | None) -> None:
        held = self.held.pop(link, None)
        if held is not None and entity is not None:
            entity.unlock_session(*held)

    def lapsed(self, link: Any, entity: Entity) -> bool:
        """Whether ``link`` is a session receiver whose session lock ran out (or went to another)."""
        held = self.held.get(link)
        if held is None:
            return False
        lock = entity.sessions.get(held[0])
        return lock is None or lock.owner != held[1]
