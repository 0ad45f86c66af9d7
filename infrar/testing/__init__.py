"""Test support for infrar's users: an isolated `local` provider and emulated services.

Installed as a pytest plugin (entry point ``pytest11``), so these fixtures exist in any
project that has infrar installed (``infrar.testing.plugin`` documents each):

- ``infrar_local``: INFRAR_PROVIDER=local with a fresh INFRAR_LOCAL_ROOT per test.
- ``infrar_aws`` / ``infrar_gcp`` / ``infrar_azure``: the provider pointed at service moto,
  gcs or azurite, handing back an object whose ``create_bucket(name)`` makes buckets.
- ``infrar_service``: any service by name (built-in, or declared under ``services:`` in a
  plugin's plugin.yaml), its native variables set for the test.
- ``infrar_services``: the session's registry; each service starts once, on first use, on a
  free 127.0.0.1 port, and stops when the session ends.
"""

from infrar.testing._process import ServerProcess, free_port
from infrar.testing.services import BucketService, ServerService, Service, ServiceRegistry

__all__ = ["BucketService", "ServerProcess", "ServerService", "Service", "ServiceRegistry", "free_port"]
