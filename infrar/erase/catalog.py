"""What erase knows about installed plugins: which qualified names are erasable, and how.

Everything comes from the plugins' manifests (``provides.transformations``, ``api``,
``adapters``, ``lock_in``, ``requirements``) and from the source of their ``types``
modules, so a new plugin is erasable without any change here.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from infrar import plugins as _plugins
from infrar.errors import BUILTIN_OF
from infrar.plugins import Plugin

ERRORS_MODULE = "infrar.errors"


@dataclass(frozen=True)
class Function:
    """A public function of a plugin's API: erased to its adapter's method."""

    qualified: str
    plugin: Plugin

    @property
    def name(self) -> str:
        return self.qualified.rpartition(".")[2]

    @property
    def method(self) -> str:
        """The adapter method it erases to: its full path below the api (``catalog_list_tables``)."""
        return _plugins.method_name(self.plugin, self.qualified)


@dataclass(frozen=True)
class ErrorClass:
    """A class of infrar.errors: erased to the builtin it also derives from."""

    qualified: str
    builtin: str


@dataclass(frozen=True)
class TypeDef:
    """A value class or alias from a plugin's types module: copied into the erased module."""

    qualified: str
    module: str
    name: str


@dataclass(frozen=True)
class ModuleRef:
    """An infrar (or plugin) module: only reachable through its attributes."""

    qualified: str


Entity = Function | ErrorClass | TypeDef | ModuleRef


@lru_cache(maxsize=256)
def module_file(module: str) -> Path | None:
    """The source file of ``module`` (found without importing it), or None if not installed."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _public_definitions(path: Path) -> list[str]:
    """Public top-level classes, functions and assigned names of a types module.

    Read with the standard library's ``ast`` so the catalog (and ``infrar scan``) needs no LibCST.
    """
    names: list[str] = []
    for stmt in ast.parse(path.read_bytes(), filename=str(path)).body:
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(stmt.name)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            names.append(stmt.targets[0].id)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.append(stmt.target.id)
    return [n for n in names if not n.startswith("_")]


def _reexports(path: Path) -> dict[str, tuple[str, str]]:
    """Names a types module imports and re-exports (lists in ``__all__``): name -> (module, name).

    ``infrar/data/types.py`` re-exports the database plugin's ``Row``: a use of ``infrar.data.Row``
    copies that class, the same one ``infrar.database.Row`` copies.
    """
    imported: dict[str, tuple[str, str]] = {}
    for stmt in ast.parse(path.read_bytes(), filename=str(path)).body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level == 0:
            for alias in stmt.names:
                imported[alias.asname or alias.name] = (stmt.module, alias.name)
    exported = set(exported_names(path))
    return {name: imported[name] for name in sorted(exported & set(imported)) if not name.startswith("_")}


def exported_names(path: Path) -> list[str]:
    """The string literals of a module's top-level ``__all__ = [...]`` (empty without one)."""
    names: list[str] = []
    for stmt in ast.parse(path.read_bytes(), filename=str(path)).body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            assert isinstance(stmt, ast.Assign)
            elements = stmt.value.elts if isinstance(stmt.value, (ast.List, ast.Tuple)) else []
            names += [e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return names


def _bound(path: Path | None) -> set[str]:
    """Every name a module binds at its top level (definitions and imports)."""
    if path is None:
        return set()
    names = set(_public_definitions(path))
    for stmt in ast.parse(path.read_bytes(), filename=str(path)).body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).partition(".")[0] for a in stmt.names}
    return names


def _defining(module: str, name: str, seen: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """Where ``module.name`` is defined, following re-exports; None if it is not a copyable definition."""
    path = module_file(module)
    if path is None or module in seen:
        return None
    if name in _public_definitions(path):
        return module, name
    origin = _reexports(path).get(name)
    return None if origin is None else _defining(origin[0], origin[1], seen | {module})


class Catalog:
    """The erasable surface of a set of plugins."""

    def __init__(self, plugins: dict[str, Plugin] | None = None) -> None:
        self.plugins: dict[str, Plugin] = dict(plugins if plugins is not None else _plugins.registry())
        self.entities: dict[str, Entity] = {}
        self.roots: set[str] = {"infrar"}
        self.copy_roots: set[str] = {"infrar"}  # packages erase copies code from, never imports
        modules: set[str] = {"infrar", ERRORS_MODULE}
        for name, builtin in BUILTIN_OF.items():
            self.entities[f"{ERRORS_MODULE}.{name}"] = ErrorClass(f"{ERRORS_MODULE}.{name}", builtin)
        for plugin in sorted(self.plugins.values(), key=lambda p: p.name):
            self.roots.add(plugin.api.partition(".")[0])
            self.copy_roots.add(plugin.package.partition(".")[0])
            modules.add(plugin.api)
            for qualified in plugin.transformations:
                self.entities.setdefault(qualified, Function(qualified, plugin))
                modules.add(qualified.rpartition(".")[0])
            types_module = f"{plugin.package}.types"
            path = module_file(types_module)
            if path is not None:
                modules.add(types_module)
                # the API module offers only what it imports from its types module: a name it
                # does not bind is an ImportError at run time, so erase refuses it too
                api_names = _bound(module_file(plugin.api))
                found_in: dict[str, tuple[str, str]] = {n: (types_module, n) for n in _public_definitions(path)}
                for name, (module, original) in _reexports(path).items():
                    origin = _defining(module, original) if self.is_copy_source(module) else None
                    if origin is not None:
                        found_in.setdefault(name, origin)
                for name, (module, original) in found_in.items():
                    for prefix in (plugin.api, types_module):
                        if prefix == types_module or name in api_names:
                            self.entities.setdefault(f"{prefix}.{name}", TypeDef(f"{prefix}.{name}", module, original))
        for module in list(modules):
            parts = module.split(".")
            for i in range(1, len(parts) + 1):
                modules.add(".".join(parts[:i]))
        for module in modules:
            self.entities.setdefault(module, ModuleRef(module))

    def is_ours(self, qualified: str) -> bool:
        """Whether ``qualified`` names something inside infrar or an installed plugin's API."""
        return qualified.partition(".")[0] in self.roots

    def is_copy_source(self, module: str) -> bool:
        return module.partition(".")[0] in self.copy_roots

    def resolve(self, qualified: str) -> Entity | None:
        return self.entities.get(qualified)

    def has_entity_prefix(self, qualified: str) -> bool:
        """Whether a proper prefix of ``qualified`` is a function, error class or type."""
        parts = qualified.split(".")
        for i in range(len(parts) - 1, 0, -1):
            found = self.entities.get(".".join(parts[:i]))
            if found is not None and not isinstance(found, ModuleRef):
                return True
        return False

    def installed(self) -> str:
        return ", ".join(f"{p.name} {p.version} ({p.api})" for p in sorted(self.plugins.values(), key=lambda p: p.name))
