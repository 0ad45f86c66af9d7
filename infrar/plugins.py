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
class Resource:
    """Which parameter of a public function names a resource, and what kind it is.

    ``infrar scan`` reads it to find the buckets, queues, databases ... a program uses.
    """

    parameter: str  # e.g. "bucket"
    kind: str  # e.g. "bucket", "queue", "database"


@dataclass(frozen=True)
class Plugin:
    """One loaded ``plugin.yaml``. Every key added after 0.1 is optional, so older manifests load."""

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
    variables: dict[str, tuple[str, ...]] = field(default_factory=dict)  # provider -> native env vars read
    sdk_modules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # provider -> modules adapters import
    resources: dict[str, Resource] = field(default_factory=dict)  # transformation -> resource it names
    services: dict[str, str] = field(default_factory=dict)  # emulated test service -> "module:Factory"
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


def _strings(raw: Any, where: str, what: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ConfigurationError(f"{where}: {what} must be a list of strings, got {raw!r}")
    return tuple(raw)


def _per_provider(data: dict[str, Any], key: str, where: str) -> dict[str, tuple[str, ...]]:
    """A ``provider: [names ...]`` table such as ``requirements`` or ``variables``."""
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: {key} must be a mapping of provider to a list, e.g. {{aws: [...]}}")
    return {str(provider): _strings(names, where, f"{key}.{provider}") for provider, names in raw.items()}


def _references(data: dict[str, Any], key: str, where: str) -> dict[str, str]:
    """A ``name: "module:Attribute"`` table such as ``adapters`` or ``services``."""
    raw = data.get(key) or {}
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{where}: {key} must be a mapping of name to 'module:Attribute'")
    found = {str(name): str(target) for name, target in raw.items()}
    for name, target in found.items():
        module, colon, attribute = target.partition(":")
        if not (module and colon and attribute):
            raise ConfigurationError(f"{where}: {key}.{name} is {target!r}; write it as 'package.module:Name'")
    return found


_ENTRY_KEYS = frozenset({"name", "resource"})


def _parse_resource(raw: Any, where: str, name: str) -> Resource:
    if (not isinstance(raw, dict) or set(raw) != {"parameter", "kind"}
            or not all(isinstance(v, str) and v for v in raw.values())):
        raise ConfigurationError(
            f"{where}: transformation {name}: resource must be {{parameter: <name>, kind: <kind>}}, got {raw!r}"
        )
    return Resource(parameter=raw["parameter"], kind=raw["kind"])


def _parse_transformations(raw: Any, where: str) -> tuple[tuple[str, ...], dict[str, Resource]]:
    """Entries are a qualified name, or ``{name: ..., resource: {parameter: ..., kind: ...}}``."""
    if raw is None:
        return (), {}
    if not isinstance(raw, list):
        raise ConfigurationError(f"{where}: provides.transformations must be a list")
    names: list[str] = []
    resources: dict[str, Resource] = {}
    for entry in raw:
        if isinstance(entry, str):
            names.append(entry)
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or set(entry) - _ENTRY_KEYS:
            raise ConfigurationError(
                f"{where}: transformation entry {entry!r} must be a qualified function name or a mapping "
                "{name: pkg.function, resource: {parameter: bucket, kind: bucket}}"
            )
        names.append(entry["name"])
        if "resource" in entry:
            resources[entry["name"]] = _parse_resource(entry["resource"], where, entry["name"])
    return tuple(names), resources


def _check_method_names(api: str, names: tuple[str, ...], where: str) -> None:
    """Every function lies under ``api`` and no two map to the same adapter method."""
    seen: dict[str, str] = {}
    for qualified in names:
        if not qualified.startswith(api + "."):
            raise ConfigurationError(
                f"{where}: transformation {qualified} is not a function of the api module {api}; "
                f"list functions as {api}.<function> (or {api}.<module>.<function>)"
            )
        method = _method_for(api, qualified)
        other = seen.setdefault(method, qualified)
        if other != qualified:
            raise ConfigurationError(
                f"{where}: transformations {other} and {qualified} would both be adapter method {method}; "
                "rename one of them"
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
    api = str(data.get("api", package))
    transformations, resources = _parse_transformations(provides.get("transformations"), where)
    _check_method_names(api, transformations, where)
    return Plugin(
        name=str(_require(data, "name", where)),
        version=version,
        description=str(data.get("description", "")),
        package=package,
        api=api,
        domain=str(_require(data, "domain", where)),
        adapters=_references(data, "adapters", where),
        requirements=_per_provider(data, "requirements", where),
        capabilities=tuple(provides.get("capabilities") or ()),
        transformations=transformations,
        modules=tuple(provides.get("modules") or ()),
        dependencies=tuple(_parse_dependency(d, where) for d in data.get("dependencies") or ()),
        lock_in=data.get("lock_in"),
        variables=_per_provider(data, "variables", where),
        sdk_modules=_per_provider(data, "sdk_modules", where),
        resources=resources,
        services=_references(data, "services", where),
        extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
    )


_KNOWN_KEYS = frozenset(
    {"name", "version", "description", "api", "domain", "adapters", "requirements",
     "provides", "dependencies", "lock_in", "variables", "sdk_modules", "services"}
)


def _method_for(api: str, qualified: str) -> str:
    return qualified[len(api) + 1:].replace(".", "_")


def method_name(plugin: Plugin, qualified: str) -> str:
    """The adapter method behind public function ``qualified``: its path below ``plugin.api``, joined by "_".

    ``infrar.storage.upload`` -> ``upload``; ``infrar.data.catalog.list_tables`` -> ``catalog_list_tables``,
    so ``data.list_tables`` and ``data.catalog.list_tables`` never share a method.
    """
    if not qualified.startswith(plugin.api + "."):
        raise ConfigurationError(
            f"{qualified} is not a function of plugin {plugin.name}'s api module {plugin.api}"
        )
    return _method_for(plugin.api, qualified)


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


def _union(tables: list[dict[str, tuple[str, ...]]], provider: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for table in tables:
        found.update(dict.fromkeys(table.get(provider, ())))
    return tuple(found)


def native_variables(provider: str) -> tuple[str, ...]:
    """Native variables any installed plugin's ``provider`` adapter reads, in first-seen order."""
    return _union([p.variables for p in registry().values()], provider)


def sdk_modules(provider: str) -> tuple[str, ...]:
    """Modules any installed plugin's ``provider`` adapter imports, in first-seen order."""
    return _union([p.sdk_modules for p in registry().values()], provider)
