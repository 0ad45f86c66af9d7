"""Wiring of topics to the queues subscribed to them (project.yaml's ``subscriptions``), per cloud.

Each cloud fans a topic out to a queue its own way; a module says which by the variable it
declares, and gets it only then:

- ``subscriber_queue_arns`` (AWS sns_topic): the queues' ARNs; an SNS subscription with raw
  delivery per queue. ``publisher_topic_arns`` (AWS sqs_queue): the topics its policy lets send.
- ``subscriber_queues`` (Azure servicebus_topic): the queues' connections (name, dead-letter
  queue); a topic subscription per queue, auto-forwarding to it.
- ``topic_ids`` (GCP pubsub_queue): the one topic feeding the queue; the queue's subscription is
  created on it, since Pub/Sub has no topic-to-topic forwarding (``checks`` refuses a second).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from infrar.infra.hcl import Expr, Value
from infrar.infra.project import Resource

if TYPE_CHECKING:
    from infrar.infra.generate import _Placed

__all__ = ["WIRED_SETTINGS", "feeding_topics", "messaging_arguments", "subscribed_queues"]

# Settings applied through the wiring below, not passed as module arguments (so not "unused").
WIRED_SETTINGS = frozenset({"subscriptions"})


def subscribed_queues(placed: _Placed, resources: Sequence[_Placed]) -> list[_Placed]:
    """The queues topic ``placed`` fans out to, in project.yaml's order (none for another kind)."""
    if not isinstance(placed.entry, Resource) or placed.entry.kind != "topic":
        return []
    queues = {r.entry.name: r for r in resources if r.entry.kind == "queue"}
    names = [str(n) for n in placed.entry.settings.get("subscriptions", ())]
    return [queues[n] for n in names if n in queues]


def feeding_topics(placed: _Placed, resources: Sequence[_Placed]) -> list[_Placed]:
    """The topics that fan out to queue ``placed``."""
    if placed.entry.kind != "queue":
        return []
    return [r for r in resources if placed in subscribed_queues(r, resources)]


def messaging_arguments(placed: _Placed, resources: Sequence[_Placed]) -> dict[str, Value]:
    """The fan-out arguments of topic or queue ``placed`` that its module declares."""
    declared = placed.variables
    wires: dict[str, Value] = {}
    queues = sorted(subscribed_queues(placed, resources), key=lambda q: q.entry.name)
    if queues and "subscriber_queue_arns" in declared:
        wires["subscriber_queue_arns"] = {q.entry.name: Expr(q.ref_to("connection.arn")) for q in queues}
    if queues and "subscriber_queues" in declared:
        wires["subscriber_queues"] = {q.entry.name: Expr(q.ref_to("connection")) for q in queues}
    topics = feeding_topics(placed, resources)
    if topics and "publisher_topic_arns" in declared:
        wires["publisher_topic_arns"] = [Expr(t.ref_to("connection.arn")) for t in topics]
    if len(topics) == 1 and "topic_ids" in declared:
        wires["topic_ids"] = [Expr(topics[0].ref_to("connection.topic"))]
    return wires
