"""What only the local cache promises: durability across processes, the 1 MiB ceiling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infrar import cache
from infrar.errors import InvalidArgument

_COUNT = "from infrar import cache\nfor _ in range(100):\n    cache.incr('c', 'hits')\n"


def test_value_over_one_mib_is_invalid(infrar_local: Path) -> None:
    with pytest.raises(InvalidArgument, match="1 MiB"):
        cache.set("c", "big", b"x" * (1024 * 1024))
    cache.set("c", "fits", b"x" * (1024 * 1024 - 1))  # the tag byte makes it exactly 1 MiB
    assert len(cache.get("c", "fits")) == 1024 * 1024 - 1


def test_data_lives_under_local_root_and_survives_processes(infrar_local: Path) -> None:
    cache.set("c", "k", "kept", ttl=None)
    assert (infrar_local / "cache" / "cache.db").is_file()
    out = subprocess.run([sys.executable, "-c", "from infrar import cache; print(cache.get('c', 'k'))"],
                         env=os.environ.copy(), capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "kept"


def test_incr_across_processes_loses_nothing(infrar_local: Path) -> None:
    workers = [subprocess.Popen([sys.executable, "-c", _COUNT], env=os.environ.copy()) for _ in range(4)]
    for worker in workers:
        assert worker.wait() == 0
    assert cache.get("c", "hits") == 400


def test_forked_child_uses_its_own_connection(infrar_local: Path) -> None:
    cache.set("c", "k", 1)
    pid = os.fork()
    if pid == 0:  # child: exit status says whether it could read and write
        ok = False
        try:
            ok = cache.get("c", "k") == 1 and cache.incr("c", "k") == 2
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("c", "k") == 2
