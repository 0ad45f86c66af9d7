"""Names for what erase adds to a module, chosen so they never collide with the user's.

Copied definitions become private (``_check_bucket``, ``_upload``); value types keep their
names (``ObjectInfo``); imports keep theirs and reuse the user's own identical import.
A name already used by the user's module or by a copied body gets another one.
"""

from __future__ import annotations

import builtins
import importlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ImportAssignment

from infrar.erase.adapters import Builtin, Code, Definition, External, Target
from infrar.erase.catalog import ERRORS_MODULE
from infrar.erase.rebinding import builtin_import, builtin_reads

# The erased program's root error class: infrar.errors.InfrarError, under a name of its own.
ROOT_ERROR = "ServiceError"
_ROOT_DOC = '"""Root of the errors this program\'s cloud calls raise."""'


def native_error_name(name: str) -> str:
    """The name an infrar.errors class has in erased code."""
    return ROOT_ERROR if name == "InfrarError" else name

Identity = tuple[str, str, str | None]  # ("mod", module, None) | ("from", module, name)


def identity_of(ext: External) -> Identity:
    if ext.name is not None:
        return ("from", ext.module, ext.name)
    if ext.preferred == ext.module.partition(".")[0]:
        return ("mod", ext.preferred, None)
    return ("mod", ext.module, None)


@dataclass
class UserNames:
    """How the user's module already uses names."""

    seen: set[str] = field(default_factory=set)  # every Name anywhere
    imported: dict[str, set[Identity]] = field(default_factory=dict)
    other: set[str] = field(default_factory=set)  # bound somewhere other than by an import
    top_imports: dict[str, Identity] = field(default_factory=dict)
    starred: set[str] = field(default_factory=set)  # what ``from m import *`` binds (stdlib modules)
    star: bool = False  # a ``from m import *`` of a module not read (not stdlib): it may bind any name

    def compatible(self, name: str, ident: Identity) -> bool:
        return self.imported.get(name) == {ident} and name not in self.other

    def shadowing(self, names: Iterable[str]) -> set[str]:
        """Which of the builtins ``names`` the user's module binds anywhere (any star import may bind
        any of them): copied code must not read the user's ``open`` or ``type`` where it meant the
        builtin, nor may an inlined body read a local of the function it lands in."""
        if self.star:
            return set(names)
        return set(names) & (self.other | set(self.imported) | self.starred)

    def star_import(self, module: str | None, level: int) -> None:
        """Note ``from module import *``: a standard library module's public names are read
        (importing it is safe); any other module may bind any name."""
        public = None if level or module is None else _star_names(module)
        if public is None:
            self.star = True
        else:
            self.starred |= public


def _star_names(module: str) -> set[str] | None:
    if module.partition(".")[0] not in sys.stdlib_module_names:
        return None
    try:
        found = importlib.import_module(module)
    except Exception:  # an unimportable module may bind anything
        return None
    names = getattr(found, "__all__", None)
    return set(names) if names is not None else {name for name in vars(found) if not name.startswith("_")}


def analyse(module: cst.Module, scopes: dict[cst.CSTNode, object], dropped: set[int]) -> UserNames:
    names = UserNames()

    class _Seen(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> bool:
            names.seen.add(node.value)
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            # ``from datetime import ...`` neither binds nor reads ``datetime``: only its names count
            if isinstance(node.names, cst.ImportStar):
                module = cst.Module([]).code_for_node(node.module) if node.module is not None else None
                names.star_import(module, len(node.relative))
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    alias.visit(self)
            return False

    module.visit(_Seen())
    top = {
        id(small)
        for stmt in module.body
        if isinstance(stmt, cst.SimpleStatementLine)
        for small in stmt.body
    }
    freed: set[str] = set()  # bound only by infrar imports, which erase removes with every use
    for scope in {s for s in scopes.values() if s is not None}:
        for assignment in getattr(scope, "assignments", ()):
            node = assignment.node
            if not isinstance(assignment, ImportAssignment) or not isinstance(node, (cst.Import, cst.ImportFrom)):
                names.other.add(assignment.name.partition(".")[0])
                continue
            if _is_dropped(node, assignment.name, dropped):
                freed.add(assignment.name.partition(".")[0])
                continue
            found = _import_binding(node, assignment.name, dropped)
            if found is None:
                names.other.add(assignment.name.partition(".")[0])
                continue
            bound, ident = found
            names.imported.setdefault(bound, set()).add(ident)
            if id(node) in top:
                names.top_imports[bound] = ident
    names.seen -= freed - names.other - set(names.imported)
    return names


def _is_dropped(node: cst.Import | cst.ImportFrom, assigned: str, dropped: set[int]) -> bool:
    if isinstance(node.names, cst.ImportStar):
        return False
    code = cst.Module([]).code_for_node
    for alias in node.names:
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        if (asname or code(alias.name)) == assigned:
            return id(alias) in dropped
    return False


def _import_binding(
    node: cst.Import | cst.ImportFrom, assigned: str, dropped: set[int]
) -> tuple[str, Identity] | None:
    if isinstance(node.names, cst.ImportStar):
        return None
    code = cst.Module([]).code_for_node
    for alias in node.names:
        if id(alias) in dropped:
            continue
        dotted = code(alias.name)
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        if (asname or dotted) != assigned:
            continue
        if isinstance(node, cst.Import):
            if asname:
                return asname, ("mod", dotted, None)
            root = dotted.partition(".")[0]
            return root, ("mod", root, None)
        if node.relative or node.module is None:
            return None
        return asname or dotted, ("from", code(node.module), dotted)
    return None


class Namer:
    """The name each copied definition or import gets in one erased module."""

    def __init__(self, user: UserNames, codes: Iterable[Code], externals: Iterable[External],
                 definitions: Iterable[Definition], fixed: dict[Code, str] | None = None,
                 reserved: Iterable[str] = (), public: bool = False, rebound: Iterable[str] = ()) -> None:
        """``fixed``: names decided for the whole tree (its shared module's); ``reserved``: names
        the definitions must avoid but imports need not (every module's names, for the shared
        module, whose definitions all modules import); ``public``: definitions keep their own
        names (``write_bytes``, ``check_key``), as a module's own functions do."""
        self.user = user
        self.public = public
        self.fixed = fixed or {}
        self.taken: set[str] = set(user.seen) | set(dir(builtins)) | set(self.fixed.values())
        for definition in definitions:
            self.taken |= definition.locals
        self.names: dict[object, str] = {}
        self.reused: set[Identity] = set()
        self.rebound = {name: builtin_import(name) for name in rebound}
        for ext in sorted({*externals, *self.rebound.values()}, key=lambda e: (identity_of(e), e.preferred)):
            self._external(ext)
        self.taken |= set(reserved)
        for code in sorted(set(codes), key=lambda c: (not c.module.endswith(".types"), c.module, c.name)):
            self._code(code)

    def _claim(self, key: object, candidates: Iterable[str]) -> str:
        options = list(candidates)
        for candidate in options:
            if candidate not in self.taken:
                break
        else:
            base, n = options[-1], 2
            while f"{base}_{n}" in self.taken:
                n += 1
            candidate = f"{base}_{n}"
        self.taken.add(candidate)
        self.names[key] = candidate
        return candidate

    def _external(self, ext: External) -> None:
        ident = identity_of(ext)
        if ident in self.names:
            return
        if self.user.compatible(ext.preferred, ident):
            self.names[ident] = ext.preferred
            if self.user.top_imports.get(ext.preferred) == ident:
                self.reused.add(ident)
            self.taken.add(ext.preferred)
            return
        if ext.error_class and self._unbound(ident, ext.preferred):
            return
        self._claim(ident, [ext.preferred, f"_{ext.preferred}"])

    def _unbound(self, key: object, preferred: str) -> bool:
        """Claim ``preferred`` for an error class or a type if the user's module only spells it as an
        attribute (``errors.NotFound``) or binds it by an import erase removes: it binds
        nothing here, and type(exc).__name__ should stay the same."""
        unbound = self.user.seen - self.user.other - set(self.user.imported)
        if preferred in unbound and preferred not in self.taken - unbound:  # builtins, copied locals ...
            self.taken.add(preferred)
            self.names[key] = preferred
            return True
        return False

    def _code(self, code: Code) -> None:
        if code in self.fixed:
            self.names[code] = self.fixed[code]
            return
        method = code.name.partition(".")[2]
        if code.module == ERRORS_MODULE:
            preferred = native_error_name(code.name)
            if not self._unbound(code, preferred):
                self._claim(code, [preferred, f"_{preferred}"])
            return
        if method:
            preferred = method if self.public else f"_{method}"
        elif code.module.endswith(".types") or code.name.startswith("_") or self.public:
            preferred = code.name
        else:
            preferred = f"_{code.name}"
        if code.module.endswith(".types") and self._unbound(code, preferred):
            return  # a type keeps its own name (and so its __name__ and repr) wherever it can
        self._claim(code, [preferred, _qualified(code.module, preferred, self.public)])

    def name(self, target: Target) -> str:
        if isinstance(target, Builtin):
            found = self.rebound.get(target.name)
            return target.name if found is None else self.names[identity_of(found)]
        if isinstance(target, External):
            return self.names[identity_of(target)]
        return self.names[target]

    def expr(self, target: Target) -> cst.BaseExpression:
        name = self.name(target)
        if isinstance(target, External) and name == target.preferred and target.dotted_tail:
            return cst.parse_expression(name + target.dotted_tail)
        return cst.Name(name)

    def import_lines(self, externals: Iterable[External]) -> list[str]:
        """``import``/``from`` lines for the externals not already imported by the user."""
        plain: set[str] = set()
        froms: dict[str, set[str]] = {}
        for ext in set(externals):
            ident = identity_of(ext)
            if ident in self.reused or ext.module == "__future__":
                continue
            name = ext.preferred if ext.shared else self.names[ident]
            if ext.name is not None:
                froms.setdefault(ext.module, set()).add(ext.name if name == ext.name else f"{ext.name} as {name}")
            elif name == ext.preferred:
                plain.add(f"import {ext.module}")
            else:
                plain.add(f"import {ext.module} as {name}")
        return sorted(plain) + [_from_line(module, names) for module, names in sorted(froms.items())]


def _qualified(module: str, preferred: str, public: bool) -> str:
    """``preferred`` with its module's name in it, for a name already taken: ``_scripts_bundle``,
    ``_SCRIPTS_NAMES`` for a constant (never ``scripts__NAMES``); private unless ``public`` keeps
    a public name public."""
    short = module.rpartition(".")[2].strip("_")
    bare = preferred.lstrip("_")
    lead = "" if public and not preferred.startswith("_") else "_"
    return f"{lead}{short.upper() if bare.isupper() else short}_{bare}"


def _from_line(module: str, names: set[str]) -> str:
    ordered = sorted(names, key=str.lower)
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= 99:
        return line
    inner = "".join(f"    {name},\n" for name in ordered)
    return f"from {module} import (\n{inner})"


def render(definition: Definition, namer: Namer) -> cst.BaseStatement:
    """The definition as it is written into the erased module."""
    refs: dict[int, Target] = dict(definition.refs)
    if namer.rebound:
        refs.update((key, Builtin(name)) for key, name in builtin_reads(definition).items() if name in namer.rebound)

    class _Rename(cst.CSTTransformer):
        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
            target = refs.get(id(original))
            return updated if target is None else _keep_parens(namer.expr(target), updated)

        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
            target = refs.get(id(original))
            return updated if target is None else _keep_parens(namer.expr(target), updated)

    renamed = definition.node.visit(_Rename())
    assert isinstance(renamed, cst.CSTNode)
    node = renamed.visit(_Tidy())
    comments = [line for line in getattr(node, "leading_lines", ()) if line.comment is not None]
    if isinstance(node, cst.FunctionDef):
        node = node.with_changes(name=cst.Name(namer.name(definition.key)), leading_lines=comments)
        if definition.is_method:
            params = node.params.with_changes(params=node.params.params[1:])
            node = node.with_changes(params=params, leading_lines=[])
    elif isinstance(node, cst.ClassDef):
        node = node.with_changes(name=cst.Name(namer.name(definition.key)), leading_lines=comments)
        if definition.key == Code(ERRORS_MODULE, "InfrarError"):
            node = node.with_changes(body=cst.IndentedBlock([cst.parse_statement(_ROOT_DOC)]))
    elif isinstance(node, cst.SimpleStatementLine):
        node = node.with_changes(leading_lines=comments)
    assert isinstance(node, cst.BaseStatement)
    return node


class _Tidy(cst.CSTTransformer):
    """What a copied definition carries for infrar's maintainers, not for the program's reader:
    function docstrings (the program's own code documents why it calls the cloud) and comments
    that name infrar. Docstrings of classes stay: they say what an error or value is."""

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        body = updated.body
        if isinstance(body, cst.IndentedBlock) and len(body.body) > 1 and _is_docstring(body.body[0]):
            rest = list(body.body[1:])
            first = rest[0]
            rest[0] = first.with_changes(leading_lines=[line for line in _leading_of(first) if line.comment])
            return updated.with_changes(body=body.with_changes(body=rest))
        return updated

    def leave_EmptyLine(
        self, original: cst.EmptyLine, updated: cst.EmptyLine
    ) -> cst.EmptyLine | cst.RemovalSentinel:
        return cst.RemoveFromParent() if _names_infrar(updated.comment) else updated

    def leave_TrailingWhitespace(
        self, original: cst.TrailingWhitespace, updated: cst.TrailingWhitespace
    ) -> cst.TrailingWhitespace:
        if not _names_infrar(updated.comment):
            return updated
        return updated.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)


def _names_infrar(comment: cst.Comment | None) -> bool:
    return comment is not None and "infrar" in comment.value.lower()


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _leading_of(stmt: cst.BaseStatement) -> list[cst.EmptyLine]:
    return list(getattr(stmt, "leading_lines", ()))


def _keep_parens(new: cst.BaseExpression, old: cst.BaseExpression) -> cst.BaseExpression:
    if old.lpar:
        return new.with_changes(lpar=old.lpar, rpar=old.rpar)
    return new
