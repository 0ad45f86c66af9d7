"""Messaging benchmarks: send + receive + acknowledge through infrar.messaging against the native
clients doing the same calls on the same server, measured in one run.

``python -m bench.messaging [--count 10000] [--reps 3] [--only aws|gcp]``. Starts its own moto server and Pub/Sub
emulator (``infrar.testing``). Per block, each side sends 10 JSON messages one call at a time,
receives them (batches of up to 10) and acknowledges each one:

- aws: infrar against boto3's SQS client making the same calls (SendMessage with the same
  body and content-type attribute, ReceiveMessage, DeleteMessage); and kombu's SQS transport
  (``kombu[sqs]``), for scale, on a queue of its own.
- gcp: infrar against google-cloud-pubsub's GAPIC publisher and subscriber (Publish, Pull,
  Acknowledge) on the emulator.

moto's SQS scans its whole queue on every call, so both sides keep it nearly empty (each block
drains what it sent); the ratio is what infrar adds per message.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # python bench/messaging.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Row, Sample, format_table, interleaved, log, median, moto_server, provider

TIME_TARGET = 1.05
BLOCK = 10  # messages per interleaved block: one receive batch
ATTRIBUTES = {"content-type": {"DataType": "String", "StringValue": "application/json"}}


def _body(block: int, i: int) -> dict[str, Any]:
    return {"order_id": block * BLOCK + i, "status": "pending", "items": [1, 2, 3]}


def infrar_side(queue: str) -> Callable[[int], None]:
    from infrar import messaging

    def side(block: int) -> None:
        for i in range(BLOCK):
            messaging.send_message(queue, _body(block, i))
        left = BLOCK
        while left:
            for message in messaging.receive_messages(queue, left, wait_seconds=1):
                message.body.get("order_id")
                message.acknowledge()
                left -= 1

    return side


def boto3_side(url: str) -> Callable[[int], None]:
    from infrar.providers.aws._clients.sqs import build

    sqs = build("sqs")  # a client of its own, configured as a hand-written program's

    def side(block: int) -> None:
        for i in range(BLOCK):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(_body(block, i)), MessageAttributes=ATTRIBUTES)
        left = BLOCK
        while left:
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=left, WaitTimeSeconds=1,
                                         VisibilityTimeout=30, MessageAttributeNames=["All"],
                                         MessageSystemAttributeNames=["ApproximateReceiveCount"])
            for message in answer.get("Messages", []):
                json.loads(message["Body"]).get("order_id")
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                left -= 1

    return side


def kombu_side(queue: str) -> Callable[[int], None] | None:
    try:
        from kombu.connection import Connection
    except ImportError:
        log("messaging: kombu not installed (pip install 'kombu[sqs]'): its row is skipped")
        return None
    connection = Connection("sqs://", transport_options={"region": "us-east-1", "wait_time_seconds": 1})  # type: ignore[no-untyped-call]
    simple = connection.SimpleQueue(queue)  # type: ignore[no-untyped-call]

    def side(block: int) -> None:
        for i in range(BLOCK):
            simple.put(_body(block, i))
        for _ in range(BLOCK):
            message = simple.get(block=True, timeout=10)
            message.payload.get("order_id")
            message.ack()

    return side


def gapic_side(project: str, name: str) -> Callable[[int], None]:
    from google.pubsub_v1 import PublisherClient, SubscriberClient
    from google.pubsub_v1.services.publisher.transports.grpc import PublisherGrpcTransport
    from google.pubsub_v1.services.subscriber.transports.grpc import SubscriberGrpcTransport

    from infrar.providers.gcp._clients.pubsub import _new

    publisher = _new(PublisherClient, PublisherGrpcTransport)
    subscriber = _new(SubscriberClient, SubscriberGrpcTransport)
    topic, subscription = f"projects/{project}/topics/{name}", f"projects/{project}/subscriptions/{name}"
    attributes = {"content-type": "application/json"}

    def side(block: int) -> None:
        for i in range(BLOCK):
            message = {"data": json.dumps(_body(block, i)).encode(), "attributes": attributes}
            publisher.publish(topic=topic, messages=[message])
        left = BLOCK
        while left:
            answer = subscriber.pull(subscription=subscription, max_messages=left, timeout=1)
            for item in answer.received_messages:
                json.loads(item.message.data).get("order_id")
                subscriber.acknowledge(subscription=subscription, ack_ids=[item.ack_id])
                left -= 1

    return side


def rows_for(title: str, baseline: str, count: int, samples: dict[str, list[Sample]]) -> list[Row]:
    wall = {name: [s.wall for s in values] for name, values in samples.items()}
    rows = []
    for other in [name for name in wall if name != "infrar"]:
        ratio = median(wall["infrar"]) / median(wall[other])
        target = other == baseline
        rows.append(Row(f"{title} vs {other}: wall", "s", median(wall["infrar"]), median(wall[other]), other, ratio,
                        f"<= {TIME_TARGET}" if target else "for scale", ratio <= TIME_TARGET if target else True,
                        note=f"{len(wall[other])} reps; infrar {median(wall['infrar']) / count * 1e6:,.0f} us "
                             "per message", samples={"infrar": wall["infrar"], other: wall[other]}))
    return rows


def _warm_and_run(sides: dict[str, Callable[[int], None]], blocks: int, reps: int) -> dict[str, list[Sample]]:
    for side in sides.values():  # warm-up: connections, queue URLs, imports
        side(blocks + 1)
    return interleaved(sides, blocks, reps)


@contextmanager
def pubsub_emulator(log_dir: Path) -> Iterator[Any]:
    from infrar.testing.pubsub import PubSubEmulator

    emulator = PubSubEmulator(log_dir)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def bench_aws(count: int, reps: int, logs: Path) -> list[Row]:
    blocks = max(count // BLOCK, 1)
    with moto_server(logs / "moto") as moto, provider("aws", {"INFRAR_CREATE_MISSING": "1"}):
        from infrar import messaging
        from infrar.providers.aws._clients.sqs import build

        ours, theirs, kombus = (f"b{uuid.uuid4().hex[:8]}-{side}" for side in ("infrar", "boto3", "kombu"))
        for name in (ours, theirs):  # both queues made alike: with a dead-letter queue and redrive policy
            messaging.send_message(name, "warm")
            messaging.receive_messages(name, wait_seconds=1)[0].acknowledge()
        url = build("sqs").get_queue_url(QueueName=theirs)["QueueUrl"]
        sides = {"infrar": infrar_side(ours), "boto3": boto3_side(url)}
        kombu = kombu_side(kombus)
        if kombu is not None:
            sides["kombu"] = kombu
        log(f"messaging: {count:,} send+receive+ack x {len(sides)} sides x {reps} reps on moto {moto.endpoint}")
        return rows_for(f"{count:,} send+receive+ack (SQS on moto)", "boto3", count,
                        _warm_and_run(sides, blocks, reps))


def bench_gcp(count: int, reps: int, logs: Path) -> list[Row]:
    blocks = max(count // BLOCK, 1)
    with pubsub_emulator(logs / "pubsub") as emulator, \
            provider("gcp", {**emulator.environment(), "INFRAR_CREATE_MISSING": "1"}):
        from infrar import messaging

        ours, theirs = (f"b{uuid.uuid4().hex[:8]}-{side}" for side in ("infrar", "gapic"))
        for name in (ours, theirs):  # both queues made the same way: topic + subscription
            messaging.send_message(name, "warm")
            while not (got := messaging.receive_messages(name, wait_seconds=1)):
                time.sleep(0.1)
            got[0].acknowledge()
        sides = {"infrar": infrar_side(ours), "google-cloud-pubsub": gapic_side(emulator.project, theirs)}
        log(f"messaging: {count:,} send+receive+ack x 2 sides x {reps} reps on the Pub/Sub emulator")
        return rows_for(f"{count:,} send+receive+ack (Pub/Sub emulator)", "google-cloud-pubsub", count,
                        _warm_and_run(sides, blocks, reps))


BENCHES = {"aws": bench_aws, "gcp": bench_gcp}


def bench_messaging(count: int = 10_000, reps: int = 3, only: tuple[str, ...] = ("aws", "gcp")) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="infrar-bench-messaging-") as logs:
        return [row for name in only for row in BENCHES[name](count, reps, Path(logs))]


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.messaging", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="messages per side per repetition (default 10000)")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions (default 3)")
    parser.add_argument("--only", choices=sorted(BENCHES), action="append",
                        help="run only this provider's rows (repeatable; default both: moto at 10,000 takes long)")
    args: Any = parser.parse_args(argv)
    print(format_table(bench_messaging(args.count, args.reps, tuple(args.only or BENCHES))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
