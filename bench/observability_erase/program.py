"""The observability program erase_size.py erases: a logger, a counter, a traced function, a span."""

from infrar import observability

log = observability.get_logger("shop")
orders = observability.counter("orders", description="orders placed")


@observability.traced("place")
def place(n: int) -> int:
    with observability.span("price", {"items": n}):
        orders.add(n, {"region": "eu"})
        log.info("placed %d", n, extra={"order": f"o-{n}"})
    return n * 10


print(place(2))
observability.shutdown()
