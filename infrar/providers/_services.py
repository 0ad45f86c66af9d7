"""What every provider's ``_clients`` package shares: resetting the service modules in use."""

from __future__ import annotations

import sys


def reset_loaded(package: str) -> None:
    """Call ``reset()`` of every service module of ``package`` already imported.

    Only loaded modules: resetting (after fork, say) must never import a cloud SDK.
    Private helper modules (``_name``) hold no clients and are skipped.
    """
    prefix = package + "."
    for name, module in list(sys.modules.items()):
        service = name[len(prefix):]
        if name.startswith(prefix) and module is not None and "." not in service and not service.startswith("_"):
            module.reset()
