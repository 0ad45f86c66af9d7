"""Provider selection and infrar-only settings, read from the environment.

Native settings (AWS_*, GOOGLE_CLOUD_PROJECT, AZURE_STORAGE_CONNECTION_STRING, ...) are
read by each provider's ``_clients.py``, never here, so erased code is configured the
same way as the runtime SDK.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from infrar.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

PROVIDERS: tuple[str, ...] = ("local", "aws", "gcp", "azure")
DEFAULT_PROVIDER = "local"
PROVIDER_VARIABLE = "INFRAR_PROVIDER"
LOCAL_ROOT_VARIABLE = "INFRAR_LOCAL_ROOT"
DEFAULT_LOCAL_ROOT = ".infrar"

# Variables each provider's clients read; `infrar doctor` reports which are set (names only).
NATIVE_VARIABLES: dict[str, tuple[str, ...]] = {
    "local": (LOCAL_ROOT_VARIABLE,),
    "aws": (
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
    ),
    "gcp": (
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "STORAGE_EMULATOR_HOST",
    ),
    "azure": (
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_ACCOUNT_URL",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
    ),
}

_override_lock = threading.Lock()
# A process-wide stack rather than a contextvar: threads started inside `use_provider`
# must see the same provider as the thread that started them.
_overrides: list[str] = []


def validate_provider(name: str, source: str = PROVIDER_VARIABLE) -> str:
    """Return ``name`` if it is a known provider, else raise a ConfigurationError."""
    if name not in PROVIDERS:
        valid = ", ".join(PROVIDERS)
        raise ConfigurationError(
            f"{source}={name!r} is not a provider infrar knows; set it to one of: {valid}"
        )
    return name


def selected_provider_raw() -> str:
    """The provider name as configured, unvalidated: override first, then the environment."""
    if _overrides:
        return _overrides[-1]
    return os.environ.get(PROVIDER_VARIABLE) or DEFAULT_PROVIDER


def current_provider() -> str:
    """The validated provider every SDK call dispatches to."""
    return validate_provider(selected_provider_raw())


def local_root() -> Path:
    """Directory under which the `local` provider keeps its data."""
    from pathlib import Path  # not at module level: keeps `import infrar.storage` light

    return Path(os.environ.get(LOCAL_ROOT_VARIABLE) or DEFAULT_LOCAL_ROOT)


@contextmanager
def use_provider(name: str) -> Iterator[str]:
    """Dispatch to ``name`` inside the block, whatever INFRAR_PROVIDER says.

    >>> with use_provider("local"):
    ...     pass
    """
    validate_provider(name, source="use_provider")
    with _override_lock:
        _overrides.append(name)
    try:
        yield name
    finally:
        with _override_lock:
            _overrides.remove(name)
