"""Adapter source as erase sees it: module-level definitions, what each one reaches, lifting.

An adapter method is lifted into a plain function (``self`` dropped, ``self.other(...)``
becoming the lifted ``other``). Every module-level name a definition reaches is resolved
to one of four targets: a builtin, an external import (stdlib or the provider's SDK),
copied code (from the adapter module, its ``_clients`` modules, the domain's
``rules``/``types``, the ``infrar.errors`` classes: any module of infrar or of a plugin
package), or a module of those (only usable through its attributes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from infrar.erase.catalog import ERRORS_MODULE, Catalog, ErrorClass, TypeDef, module_file
from infrar.erase.source_module import ContractError, SourceModule, parsed
from infrar.errors import BUILTIN_OF


@dataclass(frozen=True)
class Builtin:
    name: str


@dataclass(frozen=True)
class External:
    """``import module`` (name None) or ``from module import name``."""

    module: str
    name: str | None
    preferred: str  # the name the import binds in the adapter's module
    error_class: bool = field(default=False, compare=False)  # an error class of the tree's shared module
    shared: bool = field(default=False, compare=False)  # a definition of the tree's shared module

    @property
    def dotted_tail(self) -> str:
        """For ``import a.b`` used as ``a.b``: ``.b``."""
        if self.name is None and self.preferred != self.module:
            return self.module[len(self.preferred):]
        return ""


@dataclass(frozen=True, order=True)
class Code:
    """A module-level definition (``name``) or an adapter method (``Class.method``)."""

    module: str
    name: str


@dataclass(frozen=True)
class Mod:
    module: str


Target = Builtin | External | Code | Mod


@dataclass
class Definition:
    """A definition ready to be copied: its node and what each of its references resolves to."""

    key: Code
    node: cst.CSTNode  # FunctionDef / ClassDef / SimpleStatementLine
    refs: dict[int, Target] = field(default_factory=dict)
    is_method: bool = False
    locals: set[str] = field(default_factory=set)  # names bound inside it (params, locals)
    variant: object = None  # what fold.py specialised it on (None: as written)
    # id(part) -> its targets: every module erased by a worker walks the same few definitions
    _targets: dict[int, list[Target]] = field(default_factory=dict, repr=False)

    def targets_in(self, node: cst.CSTNode) -> list[Target]:
        """Targets referenced inside ``node`` (a part of this definition), in source order."""
        cached = self._targets.get(id(node))  # node is part of self.node, so its id stays unique
        if cached is None:
            cached = self._targets[id(node)] = self._walk(node)
        return list(cached)

    def _walk(self, node: cst.CSTNode) -> list[Target]:
        found: list[Target] = []

        class _Walk(cst.CSTVisitor):
            def on_visit(self, n: cst.CSTNode) -> bool:
                target = refs.get(id(n))
                if target is not None:
                    found.append(target)
                    return False
                return True

        refs = self.refs
        node.visit(_Walk())
        return found

    @property
    def targets(self) -> list[Target]:
        return self.targets_in(self.node)


@dataclass(frozen=True)
class Shared:
    """The tree's private module (tree.py, shared.py) and the name of each definition in it."""

    module: str  # as the erased module imports it: "_cloud", "._cloud", ".._cloud" ...
    names: dict[Code, str] = field(hash=False)


class Library:
    """Resolves and caches the definitions erase copies, for one catalog."""

    def __init__(self, catalog: Catalog, errors_module: str | None = None, shared: Shared | None = None,
                 fold: bool = True, patched: frozenset[str] = frozenset()) -> None:
        self.catalog = catalog
        # whether copies may be specialised on the program's literals (fold.py): not in the first
        # pass over a tree, whose copies may yet be shared by modules passing other values
        self.fold = fold
        # names some module of the tree may set on another (literals.patched_names): a module
        # constant of such a name is not taken for its literal
        self.patched = patched
        # None: the error classes are copied into the module; else the tree's private module
        # (tree.py) every erased module imports them from, so all raise and catch one class
        self.errors_module = errors_module
        # None: copied definitions go into the module; else it imports them from the tree's
        # private module, which holds them (and their clients) once for every module
        self.shared = shared
        self._sources: dict[str, SourceModule] = {}
        self._defs: dict[Code, Definition] = {}
        self.rendered: dict[object, tuple[cst.BaseStatement, str, bool]] = {}  # see fast._render
        # see fold.specialise: a folded definition, the calls it makes, the literals a check refused
        self.folds: dict[tuple[Code, object], tuple[Definition, list[Any], dict[Any, tuple[str, bool]]]] = {}

    def with_definitions(self, definitions: dict[Code, Definition]) -> Library:
        """This library with ``definitions`` in place of its own (fold.py's specialised ones)."""
        child = Library(self.catalog, self.errors_module, self.shared, self.fold, self.patched)
        child._sources = self._sources
        child._defs = {**self._defs, **definitions}
        child.rendered = self.rendered  # keyed by each definition's variant too
        child.folds = self.folds
        return child

    def source(self, module: str) -> SourceModule:
        found = self._sources.get(module)
        if found is None:
            found = self._sources[module] = parsed(module)
        return found

    def resolve_global(self, module: str, name: str) -> Target:
        if module == ERRORS_MODULE:
            if name in BUILTIN_OF and self.errors_module is not None:
                native = "ServiceError" if name == "InfrarError" else name  # names.native_error_name
                return External(self.errors_module, native, native, error_class=True)
            if name in BUILTIN_OF:
                return Code(ERRORS_MODULE, name)
            raise ContractError(f"{ERRORS_MODULE} has no class {name!r}")
        binding = self.source(module).globals.get(name)
        if binding is None:
            if module_file(f"{module}.{name}") is not None:
                return Mod(f"{module}.{name}")
            raise ContractError(f"{module} has no module-level definition {name!r} erase can copy")
        if binding.kind == "code":
            return Code(module, name)
        if binding.from_name is None:
            if self.catalog.is_copy_source(binding.module):
                return Mod(binding.module if binding.asname or "." not in name else name)
            return External(binding.module, None, binding.asname or binding.module.partition(".")[0])
        if self.catalog.is_copy_source(binding.module):
            return self.resolve_attr(Mod(binding.module), binding.from_name)
        return External(binding.module, binding.from_name, binding.asname or binding.from_name)

    def target_of(self, entity: ErrorClass | TypeDef) -> Code | External:
        """What a user's use of an error class or value type is rewritten to."""
        if isinstance(entity, ErrorClass):
            found = self.resolve_global(ERRORS_MODULE, entity.qualified.rpartition(".")[2])
            assert isinstance(found, (Code, External))
            return found
        return Code(entity.module, entity.name)

    def resolve_attr(self, mod: Mod, attr: str) -> Target:
        if mod.module != ERRORS_MODULE and module_file(f"{mod.module}.{attr}") is not None:
            return Mod(f"{mod.module}.{attr}")
        return self.resolve_global(mod.module, attr)

    def method(self, target: str, method: str) -> Code:
        """The key of ``method`` of the adapter class named by ``module:Class``."""
        module, _, cls = target.partition(":")
        source = self.source(module)
        if cls not in source.classes:
            raise ContractError(f"{module} defines no class {cls}")
        key = Code(module, f"{cls}.{method}")
        self.definition(key)
        return key

    def definition(self, key: Code) -> Definition:
        found = self._defs.get(key)
        if found is None:
            found = self._defs[key] = self._build(key)
        return found

    def _build(self, key: Code) -> Definition:
        source = self.source(key.module)
        cls_name, _, method_name = key.name.partition(".")
        self_param: str | None = None
        if method_name:
            node: cst.CSTNode | None = None
            for stmt in source.classes[cls_name].body.body:
                if isinstance(stmt, cst.FunctionDef) and stmt.name.value == method_name:
                    node = stmt
            if node is None or not isinstance(node, cst.FunctionDef):
                raise ContractError(f"{key.module}.{cls_name} has no method {method_name}()")
            if not node.params.params:
                raise ContractError(f"{key.module}.{key.name} takes no self; adapters are plain methods")
            self_param = node.params.params[0].name.value
        else:
            binding = source.globals[key.name]
            assert binding.stmt is not None
            node = binding.stmt
            # An erased twin (docs/adapters.md): `def <name>_erased` is copied as `name` instead,
            # for a function whose runtime text names infrar (a fix naming `infrar infra`).
            twin = source.globals.get(key.name + "_erased")
            if isinstance(node, cst.FunctionDef) and twin is not None and isinstance(twin.stmt, cst.FunctionDef):
                node = twin.stmt.with_changes(name=node.name)
        collector = _Collector(self, source, self_param, cls_name, key)
        node.visit(collector)
        return Definition(key, node, collector.refs, bool(method_name), collector.locals)


class _Collector(cst.CSTVisitor):
    def __init__(self, lib: Library, source: SourceModule, self_param: str | None, cls: str, key: Code):
        self.lib = lib
        self.source = source
        self.self_param = self_param
        self.cls = cls
        self.key = key
        self.refs: dict[int, Target] = {}
        self.locals: set[str] = set()

    def _where(self, what: str) -> ContractError:
        return ContractError(f"{self.source.name}.{self.key.name}: {what}")

    def _chain(self, node: cst.BaseExpression) -> Target | None:
        if id(node) in self.source.global_refs:
            return self.lib.resolve_global(self.source.name, self.source.global_refs[id(node)])
        if isinstance(node, cst.Attribute):
            inner = self._chain(node.value)
            if isinstance(inner, Mod):
                return self.lib.resolve_attr(inner, node.attr.value)
            if (
                inner is None
                and isinstance(node.value, cst.Name)
                and node.value.value == self.self_param
            ):
                return self._self_method(node.attr.value)
        return None

    def _self_method(self, name: str) -> Code:
        for stmt in self.source.classes[self.cls].body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
                return Code(self.source.name, f"{self.cls}.{name}")
        raise self._where(f"self.{name} is not a method of {self.cls}; adapters keep no instance state")

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        target = self._chain(node)
        if isinstance(target, Mod):
            raise self._where(f"module {target.module} is used as a value; call its functions instead")
        if target is not None:
            self.refs[id(node)] = target
        else:
            node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> bool:
        gname = self.source.global_refs.get(id(node))
        if gname is not None:
            target = self.lib.resolve_global(self.source.name, gname)
            if isinstance(target, Mod):
                raise self._where(f"module {target.module} is used as a value; call its functions instead")
            self.refs[id(node)] = target
        elif node.value == self.self_param:
            raise self._where(f"'{node.value}' is used other than to call a method; adapters keep no state")
        else:
            self.locals.add(node.value)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        self.locals.add(node.name.value)
        if node.annotation is not None:
            node.annotation.visit(self)
        if node.default is not None:
            node.default.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Global(self, node: cst.Global) -> bool:
        for item in node.names:
            binding = self.source.globals.get(item.name.value)
            if binding is not None and binding.kind == "code":
                self.refs[id(item.name)] = Code(self.source.name, item.name.value)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        node.params.visit(self)
        if node.returns is not None:
            node.returns.visit(self)
        node.body.visit(self)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        for arg in (*node.bases, *node.keywords):
            arg.visit(self)
        node.body.visit(self)
        return False
