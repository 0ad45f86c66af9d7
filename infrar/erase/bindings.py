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
from infrar.erase.catalog import Catalog, ErrorClass, Function, ModuleRef, TypeDef
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


def _dotted(node: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(node)


class Bindings(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider, ExpressionContextProvider)

    def __init__(self, catalog: Catalog, provider: str, filename: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.provider = provider
        self.filename = filename
        self.uses = Uses()

    # -- diagnostics -------------------------------------------------------------------
    def _where(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node)
        return pos.start.line, pos.start.column + 1

    def _diag(self, node: cst.CSTNode, code: str, message: str, fix: str) -> None:
        line, col = self._where(node)
        self.uses.diagnostics.append(Diagnostic(self.filename, line, col, code, message, fix))

    def _unknown(self, node: cst.CSTNode, qualified: str) -> None:
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
                if not isinstance(self.catalog.resolve(dotted), ModuleRef):
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
            if self.catalog.resolve(qualified) is None:
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
                f"call the function by name, e.g. '{text}.upload(...)', "
                "or branch explicitly between named calls",
            )
            return
        self._diag(
            node,
            report.VALUE_USE,
            f"module {qualified} is used as a value; erase only rewrites calls of its functions "
            "and uses of its error classes and types",
            f"use its members by name, e.g. '{text}.upload(...)'",
        )

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
