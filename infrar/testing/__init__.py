"""Test support for infrar's users: an isolated `local` provider and emulated clouds.

Installed as a pytest plugin (entry point ``pytest11``), so these fixtures exist in any
project that has infrar installed:

- ``infrar_local``: INFRAR_PROVIDER=local with a fresh INFRAR_LOCAL_ROOT per test.
- ``infrar_aws`` / ``infrar_gcp`` / ``infrar_azure``: the provider pointed at moto,
  gcp-storage-emulator or Azurite (one server per test session, on a free 127.0.0.1 port),
  handing back an object whose ``create_bucket(name)`` makes buckets.
"""

from infrar.testing._process import Emulator, ServerProcess, free_port

__all__ = ["Emulator", "ServerProcess", "free_port"]
