"""Where the local provider keeps its data: the one place that reads INFRAR_LOCAL_ROOT.

Each domain keeps its data in its own directory under this root (storage in ``storage/``).
"""

from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    """``INFRAR_LOCAL_ROOT`` as an absolute path (``.infrar`` when unset).

    Read on every call (it is one environment lookup) so that a test or script that
    changes INFRAR_LOCAL_ROOT is obeyed at once.
    """
    return Path(os.environ.get("INFRAR_LOCAL_ROOT") or ".infrar").absolute()


def reset() -> None:
    """Nothing is cached here; present so that every service module resets alike."""
