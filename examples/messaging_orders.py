"""Jobs through a queue and orders through a topic, with infrar.messaging.

A queue hands each message to one consumer: receive it, do the work, acknowledge it (an
unacknowledged message comes back after its visibility timeout). A topic hands every message to
each of its subscriptions: ``subscribe`` runs the handler on background threads, acknowledging
when it returns and releasing for redelivery when it raises.

    INFRAR_PROVIDER=local python examples/messaging_orders.py
    python -m infrar.erase --provider aws examples/messaging_orders.py -o dist/
"""

from infrar import messaging

messaging.send_message("jobs", {"job": "resize", "file": "a.png"})
messaging.send_message("jobs", b"\x89PNG raw bytes")
for job in sorted(messaging.receive_messages("jobs", max_count=10, wait_seconds=2), key=lambda m: str(m.body)):
    print("job", job.body, "delivery", job.delivery_count)
    job.acknowledge()

handled = []


def handle_order(message):
    if message.delivery_count == 1 and message["order_id"] == 2:
        raise RuntimeError("payment service busy")  # released: it comes back with delivery_count 2
    handled.append((message["order_id"], message.delivery_count))


with messaging.subscribe("orders", handle_order, subscription="orders-billing", max_messages=3) as billing:
    for order_id in (1, 2, 3):
        messaging.publish("orders", {"order_id": order_id, "status": "pending"})
    billing.wait(60)
print("handled", sorted(handled), "acknowledged", billing.acknowledged)

try:
    messaging.send_message("jobs", {"a", "set"})  # not a JSON value: refused before sending
except ValueError as exc:
    print("refused:", "JSON value" in str(exc))
