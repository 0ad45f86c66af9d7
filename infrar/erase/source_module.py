"""An adapter's module as erase reads it: its syntax tree, what each module-level name is bound
to, and which global each name in it refers to; parsed once per process (adapters.py)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from infrar.erase.catalog import module_file

__all__ = ["ContractError", "SourceModule", "parsed"]


class ContractError(Exception):
    """An adapter breaks the contract of docs/adapters.md in a way erase cannot follow."""


@dataclass
class _Binding:
    kind: str  # "code" | "import"
    stmt: cst.CSTNode | None = None
    module: str = ""
    from_name: str | None = None
    asname: str | None = None


class SourceModule:
    """One parsed module of infrar or a plugin, with its module-level bindings."""

    def __init__(self, name: str) -> None:
        path = module_file(name)
        if path is None:
            raise ContractError(f"module {name} is not installed")
        self.name = name
        self.is_package = path.name == "__init__.py"
        self.tree = cst.parse_module(path.read_bytes())
        scopes = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(ScopeProvider)
        self.globals: dict[str, _Binding] = {}
        self.classes: dict[str, cst.ClassDef] = {}
        for stmt in self.tree.body:
            self._bind(stmt)
        self.global_refs: dict[int, str] = {}
        scope = scopes[self.tree]
        if scope is not None:
            for assignment in scope.assignments:
                for access in assignment.references:
                    if isinstance(access.node, (cst.Name, cst.Attribute)):
                        self.global_refs[id(access.node)] = assignment.name
                node = getattr(assignment, "node", None)
                if isinstance(node, cst.Name):  # `X = ...`, also under `global X`
                    self.global_refs[id(node)] = assignment.name

    def _absolute(self, node: cst.ImportFrom) -> str:
        module = cst.Module([]).code_for_node(node.module) if node.module is not None else ""
        if not node.relative:
            return module
        parts = self.name.split(".")
        keep = len(parts) - len(node.relative) + (1 if self.is_package else 0)
        base = ".".join(parts[:keep])
        return f"{base}.{module}" if module else base

    def _bind(self, stmt: cst.CSTNode) -> None:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            self.globals[stmt.name.value] = _Binding("code", stmt)
            if isinstance(stmt, cst.ClassDef):
                self.classes[stmt.name.value] = stmt
            return
        if not isinstance(stmt, cst.SimpleStatementLine):
            return
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name):
                    self.globals[target.value] = _Binding("code", stmt)
            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                if small.value is not None:
                    self.globals[small.target.value] = _Binding("code", stmt)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = cst.Module([]).code_for_node(alias.name)
                    asname = _asname(alias)
                    self.globals[asname or dotted] = _Binding("import", module=dotted, asname=asname)
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                module = self._absolute(small)
                for alias in small.names:
                    name = cst.Module([]).code_for_node(alias.name)
                    asname = _asname(alias)
                    self.globals[asname or name] = _Binding(
                        "import", module=module, from_name=name, asname=asname
                    )


_PARSED: dict[tuple[str, str, int], SourceModule] = {}


def parsed(module: str) -> SourceModule:
    """``module`` parsed once per process while its file is unchanged: reading an adapter's scopes
    costs a quarter of a second, and a tree's erase builds a library per pass (tree.py)."""
    path = module_file(module)
    if path is None:
        raise ContractError(f"module {module} is not installed")
    key = (module, str(path), path.stat().st_mtime_ns)
    found = _PARSED.get(key)
    if found is None:
        found = _PARSED[key] = SourceModule(module)
    return found


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None
