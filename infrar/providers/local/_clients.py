"""Where the local provider keeps its data: the one place that reads INFRAR_LOCAL_ROOT."""

from __future__ import annotations

import os
from pathlib import Path


def storage_root() -> Path:
    """``<INFRAR_LOCAL_ROOT>/storage``; buckets are directories under it.

    Read on every call (it is one environment lookup) so that a test or script that
    changes INFRAR_LOCAL_ROOT is obeyed at once.
    """
    return Path(os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar").absolute() / "storage"


def reset() -> None:
    """Nothing is cached here; present so dispatch can reset every provider alike."""
