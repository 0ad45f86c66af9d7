"""Which names and attributes of a user's module refer to infrar, resolved by scope analysis.

LibCST's QualifiedNameProvider follows every import form (``import infrar.storage as st``,
``from infrar import storage``, imports inside functions) and respects local shadowing, so
``upload = 3`` in a function hides an imported ``upload`` there and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
)

from infrar.erase import report
from infrar.erase.catalog import ERRORS_MODULE, Catalog, ErrorClass, Function, ModuleRef, TypeDef
from infrar.erase.report import Diagnostic


@dataclass
class Uses:
    """Everything in one module that erase must rewrite, or cannot."""

    calls: list[tuple[cst.Call, Function]] = field(default_factory=list)
    replace: dict[int, ErrorClass | TypeDef] = field(default_factory=dict)  # id(node) -> entity
    types: list[ErrorClass | TypeDef] = field(default_factory=list)  # copied, in first-use order
    drop: set[int] = field(default_factory=set)  # ids of ImportAlias nodes to remove
    diagnostics: list[Diagnostic] = field(default_factory=list)
    positions: dict[int, tuple[int, int]] = field(default_factory=dict)  # id(call) -> (line, col)

    @property
    def empty(self) -> bool:
        return not (self.calls or self.replace or self.drop or self.diagnostics)


# Public infrar names that only make sense at run time, and what to do instead.
RUNTIME_ONLY = {
    "infrar.use_provider": "choose the provider when erasing instead: 'infrar erase --provider ...'; "
                           "remove the call",
}


def _dotted(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)


def _asname(alias: cst.ImportAlias) -> str | None:
    name = alias.asname.name if alias.asname is not None else None
    return name.value if isinstance(name, cst.Name) else None


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _names_in(node: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for element in node.elements for n in _names_in(element.value)]
    return []


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    text = _dotted(handler.type)
    return "ImportError" in text or "ModuleNotFoundError" in text or "Exception" in text


class Bindings(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider, ExpressionContextProvider)

    def __init__(self, catalog: Catalog, provider: str, filename: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.provider = provider
        self.filename = filename
        self.uses = Uses()
        self.scopes: list[str] = []  # "class" | "function", innermost last
        self.plain: set[str] = set()  # names bound by `import infrar` (no submodule)
        self.imported: set[str] = set()  # every module this file imports, and their parents
        self.optional: set[str] = set()  # names bound by an infrar import under try/except

    # -- scopes and refused binding forms ---------------------------------------------------
    def visit_Module(self, node: cst.Module) -> bool:
        found = self.imported

        class _Imports(cst.CSTVisitor):
            def visit_Import(self, imp: cst.Import) -> bool:
                for alias in imp.names:
                    found.update(_prefixes(_dotted(alias.name)))
                return False

            def visit_ImportFrom(self, imp: cst.ImportFrom) -> bool:
                if imp.module is not None and not imp.relative:
                    module = _dotted(imp.module)
                    found.update(_prefixes(module))
                    if not isinstance(imp.names, cst.ImportStar):
                        found.update(f"{module}.{_dotted(a.name)}" for a in imp.names)
                return False

        node.visit(_Imports())
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append("class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append("function")

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def _refuse_binding(self, node: cst.CSTNode, dotted: str) -> bool:
        """Refuse an infrar import in a class body (reached through ``self.``, which erase
        cannot follow); whether it was refused."""
        if self.scopes[-1:] != ["class"]:
            return False
        self._diag(node, report.BINDING,
                   f"{dotted} is imported in a class body, where its uses go through the instance "
                   "or class and erase cannot follow them",
                   "import it at the top of the module and call it by that name")
        return True

    def visit_Del(self, node: cst.Del) -> bool:
        for name in _names_in(node.target):
            if any(self.catalog.is_ours(q.name) for q in self.get_metadata(QualifiedNameProvider, name, set())):
                self._diag(name, report.BINDING,
                           f"'del {name.value}' deletes a name bound to infrar; erase removes that import, "
                           "so the erased 'del' would raise NameError",
                           f"remove 'del {name.value}' (the name is gone from the erased code anyway)")
        return False

    def visit_Try(self, node: cst.Try) -> bool:
        if not any(_catches_import_error(h) for h in node.handlers):
            return True
        for stmt in node.body.body:
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                if isinstance(small, (cst.Import, cst.ImportFrom)) and self._ours(small):
                    self._optional(small)
        return True

    def _ours(self, node: cst.Import | cst.ImportFrom) -> bool:
        if isinstance(node, cst.Import):
            return any(self.catalog.is_ours(_dotted(a.name)) for a in node.names)
        return node.module is not None and not node.relative and self.catalog.is_ours(_dotted(node.module))

    def _optional(self, node: cst.Import | cst.ImportFrom) -> None:
        names = [] if isinstance(node.names, cst.ImportStar) else node.names
        for alias in names:
            asname = alias.asname.name if alias.asname is not None else None
            bound = asname.value if isinstance(asname, cst.Name) else _dotted(alias.name).partition(".")[0]
            self.optional.add(bound)
        self._diag(node, report.BINDING,
                   "an optional import of infrar (under try/except ImportError): erased code has no "
                   "infrar to import, and the fallback makes each use mean two things",
                   "import it unconditionally (erase removes the import and rewrites every use), or "
                   "keep the fallback in a module erase does not rewrite")

    # -- diagnostics -------------------------------------------------------------------
    def _where(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node)
        return pos.start.line, pos.start.column + 1

    def _diag(self, node: cst.CSTNode, code: str, message: str, fix: str) -> None:
        line, col = self._where(node)
        self.uses.diagnostics.append(Diagnostic(self.filename, line, col, code, message, fix))

    def _unknown(self, node: cst.CSTNode, qualified: str) -> None:
        if qualified in RUNTIME_ONLY:
            self._diag(node, report.RUNTIME_ONLY,
                       f"{qualified} chooses the provider at run time; erased code is native to one "
                       "provider and has no infrar to call", RUNTIME_ONLY[qualified])
            return
        self._diag(
            node,
            report.UNKNOWN_NAME,
            f"{qualified} is not provided by any installed plugin, so it cannot be erased "
            f"(installed: {self.catalog.installed()})",
            "use a function listed under provides.transformations of a plugin, "
            "or install the plugin that provides it",
        )

    # -- imports -----------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if self.catalog.is_ours(dotted):
                if "." not in dotted:
                    self.plain.add(_asname(alias) or dotted)
                if self._refuse_binding(alias, dotted):
                    pass
                elif not isinstance(self.catalog.resolve(dotted), ModuleRef):
                    self._unknown(alias, dotted)
                self.uses.drop.add(id(alias))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if node.relative or node.module is None:
            return False
        module = _dotted(node.module)
        if not self.catalog.is_ours(module):
            return False
        if isinstance(node.names, cst.ImportStar):
            self._diag(
                node,
                report.STAR_IMPORT,
                f"'from {module} import *' hides which names the code uses, so it cannot be erased",
                f"import the names you use, e.g. 'from {module} import upload, download'",
            )
            return False
        for alias in node.names:
            qualified = f"{module}.{_dotted(alias.name)}"
            if self._refuse_binding(alias, qualified):
                pass
            elif self.catalog.resolve(qualified) is None:
                self._unknown(alias, qualified)
            self.uses.drop.add(id(alias))
        return False

    # -- references --------------------------------------------------------------------
    def visit_Name(self, node: cst.Name) -> bool:
        self._reference(node)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if self._reference(node):
            node.value.visit(self)
        return False

    def _reference(self, node: cst.Name | cst.Attribute) -> bool:
        """Handle ``node`` if it refers to infrar; return whether to look inside it."""
        if self.get_metadata(ExpressionContextProvider, node, None) is not ExpressionContext.LOAD:
            return True  # a definition or assignment target, not a use
        names = self.get_metadata(QualifiedNameProvider, node, set())
        ours = {q.name for q in names if self.catalog.is_ours(q.name)}
        if not ours:
            return True
        text = _dotted(node)
        if text.partition(".")[0] in self.optional:
            return False  # reported once, at the optional import
        if len(names) > 1:
            self._diag(
                node,
                report.AMBIGUOUS,
                f"'{text}' may be {' or '.join(sorted(q.name for q in names))} depending on the path "
                "taken at run time, so erase cannot tell which code to put here",
                f"bind '{text}' once, to one thing (no conditional or repeated imports of it)",
            )
            return False
        qualified = next(iter(ours))
        entity = self.catalog.resolve(qualified)
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if self._unimported(node, text, qualified, entity):
            return False
        if entity is None:
            if self.catalog.has_entity_prefix(qualified):
                return True
            self._unknown(node, qualified)
        elif isinstance(entity, Function):
            if isinstance(parent, cst.Call) and parent.func is node:
                self._call(parent, entity)
            else:
                self._diag(
                    node,
                    report.VALUE_USE,
                    f"{qualified} is used as a value, not called; erase replaces calls, "
                    "so a function passed around or stored cannot be erased",
                    f"call it where it is needed, e.g. wrap it: 'lambda *args: {text}(*args)'",
                )
        elif isinstance(entity, ModuleRef):
            self._module_value(node, parent, qualified, text)
        else:
            self.uses.replace[id(node)] = entity
            if entity not in self.uses.types:
                self.uses.types.append(entity)
        return False

    def _unimported(self, node: cst.CSTNode, text: str, qualified: str, entity: object) -> bool:
        """``import infrar`` imports no submodule: ``infrar.storage.x`` is an AttributeError at
        run time unless this file imports ``infrar.storage`` too. Refused, as Python would."""
        if text.partition(".")[0] not in self.plain:
            return False
        if isinstance(entity, ErrorClass):
            needed = ERRORS_MODULE
        elif isinstance(entity, ModuleRef):
            needed = entity.qualified
        else:
            needed = qualified.rpartition(".")[0]
        if "." not in needed or needed in self.imported:
            return False
        self._diag(node, report.BINDING,
                   f"'import {qualified.partition('.')[0]}' does not import {needed}, so '{text}' "
                   "raises AttributeError at run time",
                   f"import the module you use: 'import {needed}' (or 'from {needed.rpartition('.')[0]} "
                   f"import {needed.rpartition('.')[2]}')")
        return True

    def _module_value(self, node: cst.CSTNode, parent: object, qualified: str, text: str) -> None:
        grand = self.get_metadata(ParentNodeProvider, parent, None) if isinstance(parent, cst.Arg) else None
        if (
            isinstance(grand, cst.Call)
            and isinstance(grand.func, cst.Name)
            and grand.func.value in ("getattr", "hasattr", "setattr")
        ):
            self._diag(
                node,
                report.DYNAMIC,
                f"{grand.func.value}({text}, ...) chooses a name of {qualified} at run time; "
                "erase must know each call when it rewrites the code",
                f"name what you use, e.g. '{text}.{self._member(qualified)}', "
                "or branch explicitly between named uses",
            )
            return
        self._diag(
            node,
            report.VALUE_USE,
            f"module {qualified} is used as a value; erase only rewrites calls of its functions "
            "and uses of its error classes and types",
            f"use its members by name, e.g. '{text}.{self._member(qualified)}'",
        )

    def _member(self, module: str) -> str:
        """A member of ``module`` to show in a fix: a function as a call, else a class."""
        members = sorted(q for q, e in self.catalog.entities.items()
                         if q.rpartition(".")[0] == module and not isinstance(e, ModuleRef))
        if not members:
            return "<name>"
        first = next((m for m in members if isinstance(self.catalog.resolve(m), Function)), members[0])
        tail = first.rpartition(".")[2]
        return f"{tail}(...)" if isinstance(self.catalog.resolve(first), Function) else tail

    def _call(self, call: cst.Call, function: Function) -> None:
        plugin = function.plugin
        if plugin.lock_in and plugin.lock_in != self.provider:
            self._diag(
                call,
                report.LOCK_IN,
                f"{function.qualified} ties this code to {plugin.lock_in}: "
                f"it exists only there (plugin {plugin.name})",
                f"erase with --provider {plugin.lock_in} or remove the call",
            )
            return
        if self.provider not in plugin.adapters:
            offered = ", ".join(plugin.adapters) or "none"
            self._diag(
                call,
                report.NO_ADAPTER,
                f"{function.qualified} has no {self.provider} adapter "
                f"(plugin {plugin.name} {plugin.version} offers: {offered})",
                f"erase with --provider one of {offered}, or install a plugin version with a "
                f"{self.provider} adapter",
            )
            return
        self.uses.calls.append((call, function))
        self.uses.positions[id(call)] = self._where(call)
