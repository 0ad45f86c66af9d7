"""Emulated services for tests, and one running copy of each per test session.

A *service* is one emulated backend: moto, gcp-storage-emulator and Azurite today;
PostgreSQL, Redis and the Pub/Sub emulator next. Fixtures are keyed by service, not by
provider, because one backend can serve several providers' tests (one PostgreSQL stands
in for RDS, Cloud SQL and Azure Database alike).

Which services exist: the built-ins below plus whatever installed plugins declare in their
``plugin.yaml``::

    services:
      postgres: my_plugin.testing:PostgresService

A factory (``module:Name``) is called with a directory of the service's own for logs and
files, and returns a ``Service``. ``ServerService`` does the work for a service that is one
server process on a free 127.0.0.1 port. Importing this module imports no cloud SDK: a
factory's module is imported only when a test first asks for that service.
"""

from __future__ import annotations

import atexit
import importlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from infrar import plugins as plugin_registry
from infrar.errors import ConfigurationError, InfrarError, MissingDependency, Unavailable
from infrar.plugins import Plugin
from infrar.testing._process import ServerProcess, free_port

# infrar.testing ships the storage emulators itself: its provider fixtures (infrar_aws ...) stand
# on them. A plugin that declares one of these names with the same factory agrees with it; a
# different factory is an error.
BUILTIN_SERVICES: dict[str, str] = {
    "moto": "infrar.testing.aws:MotoEmulator",
    "gcs": "infrar.testing.gcp:GcsEmulator",
    "azurite": "infrar.testing.azure:AzuriteEmulator",
}
BUILTIN = "infrar.testing (built-in)"

# The service that answers for each provider's own storage API in the provider fixtures.
PROVIDER_SERVICES: dict[str, str] = {"aws": "moto", "gcp": "gcs", "azure": "azurite"}


@runtime_checkable
class Service(Protocol):
    """What the registry needs of every emulated service."""

    @property
    def name(self) -> str:
        """The name it is declared under (``moto``, ``postgres`` ...)."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None:
        """Stop every process it started; safe to call when it is not running."""
        ...

    def environment(self) -> dict[str, str]:
        """The native variables that point a client (and infrar's adapters) at it."""
        ...


@runtime_checkable
class BucketService(Service, Protocol):
    """A service that holds storage buckets (an S3 bucket, a GCS bucket, a Blob container)."""

    def create_bucket(self, name: str) -> None: ...

    def delete_bucket(self, name: str) -> None:
        """Delete ``name`` and everything in it (no error if it is already gone)."""
        ...


class ServerService(ABC):
    """A service that is one server process listening on a free 127.0.0.1 port."""

    name: ClassVar[str]

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._server: ServerProcess | None = None

    @abstractmethod
    def _prepare(self, port: int) -> ServerProcess:
        """Write whatever files the server needs and return the process that serves ``port``."""

    @abstractmethod
    def environment(self) -> dict[str, str]: ...

    def _forget_clients(self) -> None:
        """Close and drop clients built for the server that is stopping (none by default)."""
        return

    def start(self) -> None:
        if self._server is not None:
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        server = self._prepare(free_port())
        server.start()
        self._server = server

    def stop(self) -> None:
        server, self._server = self._server, None
        self._forget_clients()
        if server is not None:
            server.stop()

    def _running(self) -> ServerProcess:
        if self._server is None:
            raise Unavailable(
                f"the {self.name} service is not running; start() it first "
                "(the infrar_services fixture starts it on first use)"
            )
        return self._server

    @property
    def port(self) -> int:
        return self._running().port

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs, else None."""
        return None if self._server is None else self._server.pid

    @property
    def log_path(self) -> Path:
        """The server's output (stdout and stderr)."""
        return self._running().log_path


@dataclass(frozen=True)
class Declaration:
    """One service a plugin (or infrar.testing itself) declares."""

    name: str
    target: str  # "package.module:Factory"
    declared_by: str  # plugin name, or BUILTIN


def declared_services(plugins: Iterable[Plugin] | None = None) -> dict[str, Declaration]:
    """Every known service: the built-ins plus those ``plugins`` (default: the installed ones) declare."""
    found = {name: Declaration(name, target, BUILTIN) for name, target in BUILTIN_SERVICES.items()}
    for plugin in (plugin_registry.registry().values() if plugins is None else plugins):
        # getattr: a Plugin from before `services` existed (or a stand-in object) declares none.
        services: Mapping[str, str] = getattr(plugin, "services", None) or {}
        for name, target in services.items():
            other = found.get(name)
            if other is not None and other.target != target:
                raise ConfigurationError(
                    f"service {name!r} is declared twice with different factories: {other.target} "
                    f"by {other.declared_by} and {target} by {plugin.name}; rename one of them "
                    "under services: in its plugin.yaml"
                )
            found.setdefault(name, Declaration(name, target, plugin.name))
    return found


def load_factory(declaration: Declaration) -> Callable[[Path], Service]:
    """The callable ``declaration.target`` names, imported now."""
    module_name, _, attribute = declaration.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingDependency(
            f"service {declaration.name!r} (declared by {declaration.declared_by}) needs module "
            f"{module_name}, which cannot be imported: {exc}; install that plugin's test "
            "dependencies (for infrar's own services: pip install 'infrar[dev]')"
        ) from exc
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise ConfigurationError(
            f"service {declaration.name!r} (declared by {declaration.declared_by}) names "
            f"{declaration.target}, but {module_name} has no callable {attribute}; fix services: in its plugin.yaml"
        )
    return factory  # type: ignore[no-any-return]


class ServiceRegistry:
    """Starts each service the first time a test asks for it, once; stops them all at the end.

    One registry lives for one pytest session (each pytest-xdist worker has its own).
    """

    def __init__(self, log_dir: Path, declarations: Mapping[str, Declaration] | None = None) -> None:
        self._log_dir = log_dir
        self._declarations = dict(declarations) if declarations is not None else None
        self._running: dict[str, Service] = {}
        self._lock = threading.Lock()

    @property
    def declarations(self) -> dict[str, Declaration]:
        """Read from the installed plugins on first use, so a session that uses no service never does."""
        if self._declarations is None:
            self._declarations = declared_services()
        return self._declarations

    def get(self, name: str) -> Service:
        """Service ``name``, started on first use."""
        with self._lock:
            service = self._running.get(name)
            if service is None:
                service = self._start(name)
                if not self._running:
                    # A safety net for a session that ends without fixture teardown: the servers
                    # run in their own process groups, so nothing else would stop them.
                    atexit.register(self.stop_all)
                self._running[name] = service
            return service

    def for_provider(self, provider: str) -> BucketService:
        """The service standing in for ``provider``'s storage API (aws: moto, gcp: gcs, azure: azurite)."""
        try:
            name = PROVIDER_SERVICES[provider]
        except KeyError:
            known = ", ".join(sorted(PROVIDER_SERVICES))
            raise ConfigurationError(
                f"no emulated service stands in for provider {provider!r} (emulated: {known}); "
                "local needs none"
            ) from None
        service = self.get(name)
        if not isinstance(service, BucketService):
            raise ConfigurationError(
                f"service {name!r}, standing in for {provider}, has no create_bucket/delete_bucket; "
                "its factory (services: in plugin.yaml) must make a storage service"
            )
        return service

    def running(self) -> dict[str, Service]:
        """The services started so far, by name."""
        with self._lock:
            return dict(self._running)

    def stop_all(self) -> None:
        """Stop every started service, the last started first; report every one that failed."""
        with self._lock:
            running, self._running = self._running, {}
        atexit.unregister(self.stop_all)
        failures: list[tuple[str, Exception]] = []
        for name, service in reversed(running.items()):
            try:
                service.stop()
            except Exception as exc:  # stop the others before reporting it
                failures.append((name, exc))
        if failures:
            which = "; ".join(f"{name}: {exc}" for name, exc in failures)
            raise InfrarError(
                f"could not stop service(s) {which}; their processes may still run, "
                f"see the logs under {self._log_dir}"
            ) from failures[0][1]

    def _start(self, name: str) -> Service:
        declaration = self.declarations.get(name)
        if declaration is None:
            known = ", ".join(sorted(self.declarations)) or "none"
            raise ConfigurationError(
                f"no emulated service is named {name!r} (known: {known}); a plugin declares one "
                f"in its plugin.yaml as services: {{{name}: 'package.module:Factory'}}"
            )
        service = load_factory(declaration)(self._log_dir / name)
        if service.name != name:
            raise ConfigurationError(
                f"service {name!r} ({declaration.target}, declared by {declaration.declared_by}) "
                f"calls itself {service.name!r}; make the declared name and its name agree"
            )
        try:
            service.start()
        except BaseException:
            service.stop()  # whatever it started before failing
            raise
        return service
