"""How the gcp provider builds its clients: one module per native service, now Cloud Storage (``gcs``).

Each service module builds its client lazily and exposes ``reset()``. Importing this package
imports no SDK: a service module imports its own when an adapter first imports it.
"""

from __future__ import annotations

from infrar.providers._services import reset_loaded


def reset() -> None:
    """Reset every service module already imported (after fork, or for a new endpoint)."""
    reset_loaded(__name__)
