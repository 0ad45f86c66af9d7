"""The cache API's semantics, on every provider (the ``provider`` fixture in conftest.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from infrar import cache
from infrar.errors import InvalidArgument

VALUES: list[Any] = ["text", "", b"\x00\xffbytes", 0, -7, 2**70, 1.5, True, False, [1, "a", None], {"k": [1, 2]}]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_values_come_back_as_the_type_stored(provider: str, value: Any) -> None:
    cache.set("c", "k", value)
    got = cache.get("c", "k")
    assert got == value and type(got) is type(value)


def test_get_miss_returns_default(provider: str) -> None:
    assert cache.get("c", "missing") is None
    assert cache.get("c", "missing", default=5) == 5


def test_set_replaces_and_delete_reports_existence(provider: str) -> None:
    cache.set("c", "k", 1)
    cache.set("c", "k", "two")
    assert cache.get("c", "k") == "two"
    assert cache.delete("c", "k") is True
    assert cache.delete("c", "k") is False
    assert cache.get("c", "k") is None


def test_expired_key_is_never_returned(provider: str) -> None:
    cache.set("c", "short", "v", ttl=0.2)
    cache.set_many("c", {"m": 1}, ttl=0.2)
    time.sleep(0.5)
    assert cache.get("c", "short") is None
    assert cache.get_many("c", ["short", "m"]) == {}
    assert cache.ttl("c", "short") is None
    assert cache.delete("c", "short") is False
    assert cache.add("c", "short", "again") is True  # an expired key counts as absent


def test_ttl_reports_seconds_left_or_none(provider: str) -> None:
    cache.set("c", "k", 1, ttl=100)
    left = cache.ttl("c", "k")
    assert left is not None and 0 < left <= 100
    cache.set("c", "forever", 1, ttl=None)
    assert cache.ttl("c", "forever") is None
    assert cache.ttl("c", "missing") is None
    default_left = (cache.set("c", "d", 1), cache.ttl("c", "d"))[1]
    assert default_left is not None and 3500 < default_left <= 3600


def test_add_only_when_absent(provider: str) -> None:
    assert cache.add("c", "lock", "me") is True
    assert cache.add("c", "lock", "you") is False
    assert cache.get("c", "lock") == "me"


def test_incr_counts_and_ttl_only_on_create(provider: str) -> None:
    assert cache.incr("c", "n") == 1
    assert cache.incr("c", "n", 10) == 11
    assert cache.incr("c", "n", -20) == -9
    assert cache.ttl("c", "n") is None
    assert cache.incr("c", "t", 1, ttl=100) == 1
    assert cache.incr("c", "t", 1, ttl=5) == 2
    left = cache.ttl("c", "t")
    assert left is not None and left > 5  # the second ttl was not applied
    assert cache.get("c", "n") == -9


@pytest.mark.parametrize("value", ["12", 1.0, b"1", True, [1]], ids=repr)
def test_incr_on_non_integer_is_invalid(provider: str, value: Any) -> None:
    cache.set("c", "k", value)
    with pytest.raises(InvalidArgument, match="non-integer"):
        cache.incr("c", "k")
    assert cache.get("c", "k") == value


def test_get_many_and_set_many(provider: str) -> None:
    cache.set_many("c", {"a": 1, "b": "two", "c": [3]})
    assert cache.get_many("c", ["a", "b", "c", "zz"]) == {"a": 1, "b": "two", "c": [3]}
    assert cache.get_many("c", []) == {}
    assert cache.get_many("other", ["a"]) == {}


def test_clear_touches_one_cache_only(provider: str) -> None:
    cache.set("one", "k", 1)
    cache.set("one_x", "k", 2)  # '_' must not act as a wildcard
    cache.set("two", "k", 3)
    cache.clear("one")
    assert cache.get("one", "k") is None
    assert cache.get("one_x", "k") == 2
    assert cache.get("two", "k") == 3


def test_caches_are_namespaced(provider: str) -> None:
    cache.set("a", "k", "in a")
    cache.set("b", "k", "in b")
    assert (cache.get("a", "k"), cache.get("b", "k")) == ("in a", "in b")


@pytest.mark.parametrize("ttl", [0, -1, "10", float("nan"), float("inf"), True])
def test_bad_ttl_is_invalid(provider: str, ttl: Any) -> None:
    for call in (lambda: cache.set("c", "k", 1, ttl=ttl), lambda: cache.add("c", "k", 1, ttl=ttl),
                 lambda: cache.incr("c", "k", 1, ttl=ttl), lambda: cache.set_many("c", {"k": 1}, ttl=ttl)):
        with pytest.raises(InvalidArgument, match="ttl"):
            call()
    assert cache.get("c", "k") is None


@pytest.mark.parametrize("value", [None, object(), {1, 2}, {"k": object()}],
                          ids=["None", "object", "set", "dict-object"])
def test_bad_values_are_invalid(provider: str, value: Any) -> None:
    with pytest.raises(InvalidArgument):
        cache.set("c", "k", value)
    with pytest.raises(InvalidArgument):
        cache.add("c", "k", value)


@pytest.mark.parametrize("cache_name, key", [("", "k"), ("bad name", "k"), (3, "k"), ("c", ""), ("c", 5)])
def test_bad_names_are_invalid(provider: str, cache_name: Any, key: Any) -> None:
    with pytest.raises(InvalidArgument):
        cache.get(cache_name, key)


@pytest.mark.parametrize("amount", [1.5, "1", True])
def test_bad_incr_amount_is_invalid(provider: str, amount: Any) -> None:
    with pytest.raises(InvalidArgument, match="amount"):
        cache.incr("c", "n", amount)


def test_add_race_exactly_one_wins(provider: str) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(16)

    def contend(n: int) -> None:
        barrier.wait()
        results.append(cache.add("c", "lock", n))

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 15 + [True]


def test_incr_under_concurrency_loses_nothing(provider: str) -> None:
    def count() -> None:
        for _ in range(50):
            cache.incr("c", "hits")

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("c", "hits") == 400
