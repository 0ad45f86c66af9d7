"""infrar: write cloud code once, run it anywhere, ship it native.

Importing this package imports no cloud SDK; a provider's SDK is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "use_provider"]

if TYPE_CHECKING:
    from infrar.config import use_provider


def __getattr__(name: str) -> Any:
    # Lazy so that `import infrar` stays a version lookup and nothing more.
    if name == "use_provider":
        from infrar.config import use_provider

        return use_provider
    raise AttributeError(f"module 'infrar' has no attribute {name!r}")
