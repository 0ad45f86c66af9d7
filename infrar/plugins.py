"""Plugins: every domain, built-in or third-party, registers through one entry-point group.

An entry point in the ``infrar.plugins`` group names a package that holds a
``plugin.yaml``. Built-in domains (``infrar.storage``, ``infrar.aws.s3`` ...) are
registered in infrar's own ``pyproject.toml`` exactly as a third-party package would.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import metadata, resources
from typing import Any

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from infrar.errors import ConfigurationError

ENTRY_POINT_GROUP = "infrar.plugins"
MANIFEST_NAME = "plugin.yaml"


@dataclass(frozen=True)
class Dependency:
    plugin: str
    version: str
    reason: str
    optional: bool = False


@dataclass(frozen=True)
class Plugin:
    """One loaded ``plugin.yaml``."""

    name: str
    version: str
    description: str
    package: str  # the importable package holding plugin.yaml and the public API
    api: str  # module whose public functions are the domain's API (erase targets)
    domain: str  # dispatch key, e.g. "storage" or "aws.s3"
    adapters: dict[str, str]  # provider -> "module:Class"
    requirements: dict[str, tuple[str, ...]]  # provider -> pip requirements of its adapter
    capabilities: tuple[str, ...] = ()
    transformations: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    lock_in: str | None = None  # provider a provider-only plugin ties code to
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(self.adapters)


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ConfigurationError(f"{where}: required key {key!r} is missing")
    return data[key]


def _parse_dependency(raw: Any, where: str) -> Dependency:
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: each dependency must be a mapping with plugin and version")
    spec = str(raw.get("version", ""))
    try:
        SpecifierSet(spec)
    except InvalidSpecifier as exc:
        raise ConfigurationError(
            f"{where}: dependency {raw.get('plugin')!r} has an invalid version range {spec!r}; "
            "write it like '>=1.0,<2'"
        ) from exc
    return Dependency(
        plugin=str(_require(raw, "plugin", where)),
        version=spec,
        reason=str(raw.get("reason", "")),
        optional=bool(raw.get("optional", False)),
    )


def parse_manifest(text: str, package: str, where: str) -> Plugin:
    """Build a Plugin from the text of a plugin.yaml found in ``package``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{where}: must be a mapping of name, version, provides ...")
    provides = data.get("provides") or {}
    version = str(_require(data, "version", where))
    try:
        Version(version)
    except InvalidVersion as exc:
        raise ConfigurationError(f"{where}: version {version!r} is not a PEP 440 version") from exc
    requirements = {
        str(provider): tuple(str(r) for r in reqs)
        for provider, reqs in (data.get("requirements") or {}).items()
    }
    return Plugin(
        name=str(_require(data, "name", where)),
        version=version,
        description=str(data.get("description", "")),
        package=package,
        api=str(data.get("api", package)),
        domain=str(_require(data, "domain", where)),
        adapters={str(k): str(v) for k, v in (data.get("adapters") or {}).items()},
        requirements=requirements,
        capabilities=tuple(provides.get("capabilities") or ()),
        transformations=tuple(provides.get("transformations") or ()),
        modules=tuple(provides.get("modules") or ()),
        dependencies=tuple(_parse_dependency(d, where) for d in data.get("dependencies") or ()),
        lock_in=data.get("lock_in"),
        extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
    )


_KNOWN_KEYS = frozenset(
    {"name", "version", "description", "api", "domain", "adapters", "requirements",
     "provides", "dependencies", "lock_in"}
)


def load_package_manifest(package: str) -> Plugin:
    """Read ``plugin.yaml`` from an importable package."""
    where = f"{package}/{MANIFEST_NAME}"
    try:
        text = resources.files(package).joinpath(MANIFEST_NAME).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ConfigurationError(
            f"plugin package {package!r} has no {MANIFEST_NAME}; every plugin ships one"
        ) from exc
    return parse_manifest(text, package, where)


def check_dependencies(plugins: dict[str, Plugin]) -> None:
    """Fail with a clear message when a plugin's dependency is missing or out of range."""
    by_name = {p.name: p for p in plugins.values()}
    for plugin in plugins.values():
        for dep in plugin.dependencies:
            found = by_name.get(dep.plugin)
            if found is None:
                if dep.optional:
                    continue
                raise ConfigurationError(
                    f"plugin {plugin.name} {plugin.version} needs plugin {dep.plugin} {dep.version}"
                    f" ({dep.reason or 'no reason given'}), which is not installed; "
                    f"install the package that provides {dep.plugin}"
                )
            if dep.version and Version(found.version) not in SpecifierSet(dep.version):
                raise ConfigurationError(
                    f"plugin {plugin.name} {plugin.version} needs {dep.plugin} {dep.version}, "
                    f"but {found.version} is installed; install a compatible {dep.plugin}"
                )


def _discover() -> dict[str, Plugin]:
    plugins: dict[str, Plugin] = {}
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        plugin = load_package_manifest(entry.value)
        other = plugins.get(plugin.domain)
        if other is not None and other.package != plugin.package:
            raise ConfigurationError(
                f"plugins {other.name} ({other.package}) and {plugin.name} ({plugin.package}) "
                f"both claim domain {plugin.domain!r}; uninstall one of them"
            )
        plugins[plugin.domain] = plugin
    check_dependencies(plugins)
    return plugins


_lock = threading.Lock()
_registry: dict[str, Plugin] | None = None


def registry() -> dict[str, Plugin]:
    """All installed plugins by domain, discovered once per process."""
    global _registry
    found = _registry
    if found is None:
        with _lock:
            if _registry is None:
                _registry = _discover()
            found = _registry
    return found


def reset() -> None:
    """Forget discovered plugins (after installing one in a running process, or in tests)."""
    global _registry
    with _lock:
        _registry = None


def get(domain: str) -> Plugin:
    plugins = registry()
    try:
        return plugins[domain]
    except KeyError:
        known = ", ".join(sorted(plugins)) or "none"
        raise ConfigurationError(
            f"no installed plugin provides domain {domain!r} (installed: {known}); "
            "reinstall infrar or install the plugin package"
        ) from None


def plugin_for_function(qualified_name: str) -> Plugin | None:
    """The plugin whose provides.transformations lists ``qualified_name``, if any."""
    for plugin in registry().values():
        if qualified_name in plugin.transformations:
            return plugin
    return None
