"""Erase proof: cache programs erased on each provider hold no infrar and print the same with infrar blocked."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from infrar.testing.plugin import ServiceUser
from infrar.testing.redis import RedisService
from tests.erase._support import assert_no_infrar, erase, run

SEED = 'from infrar import cache\n\nprint(cache.get("sessions", "user:1"))\n'

PROGRAM = """
from infrar import cache

cache.clear("sessions")
cache.set("sessions", "user:1", {"name": "ada", "n": [1, 2]}, ttl=60)
print(cache.get("sessions", "user:1"), cache.get("sessions", "gone", "default"))
print(cache.incr("sessions", "hits", 2), cache.incr("sessions", "hits", -5))
print(cache.add("sessions", "lock", True), cache.add("sessions", "lock", False), cache.delete("sessions", "lock"))
cache.set_many("sessions", {"a": b"raw", "b": 1.5, "c": "text"}, ttl=None)
print(sorted(cache.get_many("sessions", ["a", "b", "c", "nope"]).items()), cache.ttl("sessions", "a"))
try:
    cache.set("sessions", "k", None)
except ValueError as exc:
    print("ValueError", "None" in str(exc))
"""

PROVIDERS = ["local", "aws", "gcp", "azure"]


def _use_redis(provider: str, infrar_service: ServiceUser) -> None:
    if provider != "local":
        infrar_service("redis", RedisService, provider=provider)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_seed_example_erases_to_code_without_infrar(provider: str, infrar_service: ServiceUser,
                                                     tmp_path: Path) -> None:
    _use_redis(provider, infrar_service)
    erased = erase(SEED, provider)
    assert_no_infrar(erased)
    (tmp_path / "seed.py").write_text(SEED)
    (tmp_path / "erased.py").write_text(erased)
    first = run(tmp_path / "seed.py", tmp_path / "root", blocked=False, provider=provider)
    second = run(tmp_path / "erased.py", tmp_path / "root", blocked=True, provider=provider)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout == second.stdout == "None\n"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_program_prints_the_same_erased(provider: str, infrar_service: ServiceUser, tmp_path: Path) -> None:
    _use_redis(provider, infrar_service)
    source = textwrap.dedent(PROGRAM)
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "erased.py").write_text(erase(source, provider))
    first = run(tmp_path / "app.py", tmp_path / "root1", blocked=False, provider=provider)
    second = run(tmp_path / "erased.py", tmp_path / "root2", blocked=True, provider=provider)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "{'name': 'ada', 'n': [1, 2]} default" in first.stdout
    assert first.stdout == second.stdout
