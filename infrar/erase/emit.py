"""Erase one module: rewrite infrar uses, drop infrar imports, add the copied helpers once."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, ScopeProvider

from infrar.erase import fold, placement, report, verify
from infrar.erase.adapters import Code, Definition, External, Library
from infrar.erase.bindings import Bindings, Uses
from infrar.erase.catalog import Catalog
from infrar.erase.inline import inline, is_generator
from infrar.erase.literals import Site
from infrar.erase.names import Namer, UserNames, analyse, render
from infrar.erase.reach import closure, fixed_names, shared_imports
from infrar.erase.rebinding import builtin_import, builtins_read, rebound_builtins
from infrar.erase.report import Diagnostic
from infrar.erase.source_module import ContractError

_NO_PARENS = (cst.Expr, cst.Assign, cst.AnnAssign, cst.Return, cst.Arg)
Plan = tuple[cst.FunctionDef, object] | str  # (lifted function, call's parent) to inline, or a name
_Import = TypeVar("_Import", cst.Import, cst.ImportFrom)


@dataclass
class Result:
    code: bytes | None  # None: the module does not use infrar; copy it unchanged
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plugins: dict[str, str] = field(default_factory=dict)  # plugin name -> version
    requirements: set[str] = field(default_factory=set)
    emitted: list[Code] = field(default_factory=list)  # the definitions copied in (tree.py may share them)
    notes: list[Diagnostic] = field(default_factory=list)  # warnings: what erases, but the user should know


def syntax_error(filename: str, source: bytes, exc: cst.ParserSyntaxError) -> Diagnostic:
    """Python's own account of the error (the line an editor shows), else LibCST's."""
    line, col, message = exc.editor_line, exc.editor_column, str(exc.message).splitlines()[0]
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as err:
        line, col, message = err.lineno or line, err.offset or col, err.msg
    except ValueError:
        pass
    return Diagnostic(filename, line, col, report.SYNTAX, f"syntax error: {message}",
                      "fix the syntax; erase only reads valid Python")


def erase_module(source: bytes, provider: str, filename: str, catalog: Catalog, library: Library) -> Result:
    """Erase one module: the fast path (fast.py) when it can reproduce the result exactly, else
    the LibCST path, which also produces every diagnostic."""
    from infrar.erase.fast import erase_fast  # fast imports this module

    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as err:  # includes what only the compiler checks (a misplaced walrus ...)
        return Result(None, [Diagnostic(filename, err.lineno or 0, err.offset or 0, report.SYNTAX,
                                        f"syntax error: {err.msg}", "fix the syntax; erase only reads valid Python")])
    except ValueError:
        pass  # e.g. a NUL byte: the LibCST path reports it
    fast = erase_fast(source, provider, filename, catalog, library)
    if fast is not None and _compiles(fast, source, filename) is None:
        return fast
    slow = erase_slow(source, provider, filename, catalog, library)
    failure = _compiles(slow, source, filename)
    if failure is None:
        return slow
    return Result(None, [Diagnostic(
        filename, 0, 0, report.OUTPUT,
        f"erase produced code that would not compile ({failure}); nothing was written",
        "this is a bug in erase: please report it with this file; until then rewrite the "
        "expression the line names (e.g. move the infrar call out of the f-string into a variable)",
    )])


def _compiles(result: Result, source: bytes, filename: str) -> str | None:
    """Why the erased text would not compile on the oldest supported Python (verify.py).

    A program that already needs a newer Python is only held to the running one.
    """
    if result.code is None or result.diagnostics:
        return None
    found = verify.problem(result.code, filename)
    if found is None or verify.problem(source, filename) is None:
        return found  # the output is read first: the source is parsed again only when that fails
    try:
        compile(result.code, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return str(exc)
    return None


def erase_slow(source: bytes, provider: str, filename: str, catalog: Catalog, library: Library) -> Result:
    """The reference: LibCST's metadata over the whole module, one rewrite, a reprint."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return Result(None, [syntax_error(filename, source, exc)])
    wrapper = MetadataWrapper(module)
    bindings = Bindings(catalog, provider, filename)
    wrapper.visit(bindings)
    uses = bindings.uses
    if uses.empty:
        return Result(None)
    if uses.diagnostics:
        return Result(None, uses.diagnostics)
    try:
        return _Eraser(wrapper, uses, provider, filename, library, _constants(source, library.patched)).run()
    except _Failed as failed:
        return Result(None, [failed.diagnostic])


def _constants(source: bytes, patched: frozenset[str]) -> dict[str, object]:
    try:
        found = fold.constants(ast.parse(source))
    except (SyntaxError, ValueError):  # what only LibCST reads: nothing is known of its names
        return {}
    return {name: value for name, value in found.items() if name not in patched}


class _Failed(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic


class _Eraser:
    def __init__(self, wrapper: MetadataWrapper, uses: Uses, provider: str, filename: str,
                 library: Library, constants: dict[str, object]) -> None:
        self.constants = constants  # the program's names bound once to a literal (fold.py)
        self.wrapper = wrapper
        self.uses = uses
        self.provider = provider
        self.filename = filename
        self.library = library
        self.parents = wrapper.resolve(ParentNodeProvider)

    def _contract(self, exc: ContractError, line: int = 0, col: int = 0) -> _Failed:
        return _Failed(Diagnostic(
            self.filename, line, col, report.ADAPTER_CONTRACT,
            f"the {self.provider} adapter cannot be erased: {exc}",
            "fix the adapter so it follows docs/adapters.md (this is a bug in the adapter, not your code)",
        ))

    def _closure(self, roots: list[Code]) -> tuple[list[Code], list[External]]:
        try:
            return closure(self.library, roots)
        except ContractError as exc:
            raise self._contract(exc) from exc

    def _in_fstring(self, node: cst.CSTNode) -> bool:
        """Inlined bodies carry their own quotes, which Python < 3.12 rejects inside an f-string."""
        parent = self.parents.get(node)
        while parent is not None:
            if isinstance(parent, cst.FormattedString):
                return True
            parent = self.parents.get(parent)
        return False

    def run(self) -> Result:
        result = Result(None)
        methods: dict[int, Code] = {}
        for call, function in self.uses.calls:
            target = function.plugin.adapters[self.provider]
            try:
                methods[id(call)] = self.library.method(target, function.method)
            except ContractError as exc:
                raise self._contract(exc, *self.uses.positions[id(call)]) from exc
            result.plugins[function.plugin.name] = function.plugin.version
            result.requirements.update(function.plugin.requirements.get(self.provider, ()))
        targets = [self.library.target_of(t) for t in self.uses.types]
        types = [t for t in targets if isinstance(t, Code)]
        user_externals = [t for t in targets if isinstance(t, External)]
        sites = [fold.site(self.library.definition(methods[id(call)]), call, named=self.constants)
                 for call, _function in self.uses.calls]
        try:
            self.library, refused = fold.specialise(self.library, sites, [*methods.values(), *types])
        except ContractError as exc:
            raise self._contract(exc) from exc
        positions = [self.uses.positions[id(call)] for call, _function in self.uses.calls]
        result.notes = refused_literals(self.filename, positions, sites, refused)
        all_codes, all_externals = self._closure([*methods.values(), *types])
        all_externals += user_externals
        definitions = {code: self.library.definition(code) for code in all_codes}
        scopes = self.wrapper.resolve(ScopeProvider)
        user = analyse(self.wrapper.module, dict(scopes), self.uses.drop)
        rebound = rebound_builtins(user, definitions.values())
        namer = Namer(user, all_codes, all_externals, definitions.values(), fixed_names(self.library),
                      rebound=rebound)
        rendered = {code: render(definitions[code], namer) for code in all_codes}

        # Rewrite the calls; what an inlined body reaches becomes a root of what is emitted.
        plans: dict[int, Plan] = {}
        roots: list[Code] = list(types)
        for call, _function in self.uses.calls:
            code = methods[id(call)]
            fn = rendered[code]
            assert isinstance(fn, cst.FunctionDef)
            parent = self.parents.get(call)
            plan = None
            if (isinstance(parent, cst.Expr) or not is_generator(fn)) and not self._in_fstring(call):
                plan = _inline_plan(fn, call, parent)
            if plan is None:
                plans[id(call)] = namer.name(code)
                roots.append(code)
            else:
                plans[id(call)] = (fn, parent)
                original = definitions[code].node
                assert isinstance(original, cst.FunctionDef)
                roots.extend(t for t in definitions[code].targets_in(original.body) if isinstance(t, Code))
        emitted, externals = self._closure(roots)
        result.emitted = emitted
        imported = shared_imports(self.library, emitted, roots)
        if imported is not None:
            emitted, externals = [], imported
        # inlined bodies reach externals directly, not only through emitted definitions
        externals = _externals_of(emitted, definitions, methods, plans, [*externals, *user_externals])
        if rebound:
            copied = [definitions[code] for code in emitted]
            copied += [definitions[code] for call_id, code in methods.items() if not isinstance(plans[call_id], str)]
            externals += [builtin_import(name) for name in sorted(rebound & builtins_read(copied))]
        rewriter = _Rewriter(self.uses, plans, namer, self.library)
        module = self.wrapper.module.visit(rewriter)
        module = _insert(module, namer.import_lines(externals), [rendered[c] for c in emitted], user)
        result.code = module.bytes
        return result




def refused_literals(filename: str, positions: list[tuple[int, int]], sites: list[Site],
                     refused: list[fold.Refusals]) -> list[Diagnostic]:
    """A warning at each call passing a literal that the copied code's check refuses at erase time."""
    return [Diagnostic(filename, *positions[index], report.LITERAL_CHECK,
                       f"{name}={value!r} fails the check the copied code runs on it ({why}); the erased "
                       "program raises this at run time here, as the runtime program does",
                       "pass a valid value (or leave it, if the error is what the program expects)", "warning")
            for index, name, value, why in fold.refused_at(sites, refused)]


def _inline_plan(fn: cst.FunctionDef, call: cst.Call, parent: object) -> cst.BaseExpression | None:
    return inline(fn, call, isinstance(parent, cst.Expr), not isinstance(parent, _NO_PARENS))


def _externals_of(emitted: list[Code], definitions: dict[Code, Definition], methods: dict[int, Code],
                  plans: dict[int, Plan], closure_externals: list[External]) -> list[External]:
    found = list(closure_externals)
    for call_id, code in methods.items():
        if not isinstance(plans[call_id], str):
            original = definitions[code].node
            assert isinstance(original, cst.FunctionDef)
            found.extend(t for t in definitions[code].targets_in(original.body) if isinstance(t, External))
    return found


class _Rewriter(cst.CSTTransformer):
    def __init__(self, uses: Uses, plans: dict[int, Plan], namer: Namer, library: Library) -> None:
        super().__init__()
        self.library = library
        self.uses = uses
        self.plans = plans
        self.namer = namer
        self.removed: dict[int, cst.CSTNode] = {}  # holds the nodes so their ids stay unique

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        plan = self.plans.get(id(original))
        if plan is None:
            return updated
        if isinstance(plan, str):
            return updated.with_changes(func=cst.Name(plan))
        # decided on the original arguments; built from the rewritten ones (same shape)
        fn, parent = plan
        expr = _inline_plan(fn, updated, parent)
        assert expr is not None
        return expr

    def _replace(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        entity = self.uses.replace.get(id(original))
        if entity is None:
            return updated
        return cst.Name(self.namer.name(self.library.target_of(entity)), lpar=updated.lpar, rpar=updated.rpar)

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self._replace(original, updated)

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        return self._replace(original, updated)

    def _prune(self, original: _Import, updated: _Import) -> _Import | cst.RemovalSentinel:
        """The import without the aliases erase drops; removed if none is left."""
        if isinstance(original.names, cst.ImportStar) or isinstance(updated.names, cst.ImportStar):
            return updated
        keep = [new for old, new in zip(original.names, updated.names, strict=True) if id(old) not in self.uses.drop]
        if len(keep) == len(original.names):
            return updated
        if not keep:
            return cst.RemoveFromParent()
        if not (isinstance(updated, cst.ImportFrom) and updated.lpar):
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=keep)

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import | cst.RemovalSentinel:
        return self._prune(original, updated)

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        return self._prune(original, updated)

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if not updated.body and original.body:
            self.removed[id(updated)] = updated
        return updated

    def leave_If(self, original: cst.If, updated: cst.If) -> cst.If:
        # an ``if TYPE_CHECKING:`` block that held only infrar imports goes (not ``pass``)
        test = original.test
        name = test.value if isinstance(test, cst.Name) else test.attr.value if isinstance(test, cst.Attribute) else ""
        if name == "TYPE_CHECKING" and original.orelse is None and not getattr(updated.body, "body", True):
            self.removed[id(updated)] = updated
        return updated

    def _body(self, body: list[cst.BaseStatement]) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        out: list[cst.BaseStatement] = []
        carry: list[cst.EmptyLine] = []
        for stmt in body:
            if id(stmt) in self.removed:
                carry.extend(line for line in _leading(stmt) if line.comment is not None)
                continue
            lines = _leading(stmt)
            if not out and len(out) != len(body) and stmt is not body[0]:
                # the block now starts here: no blank lines above its first statement
                while lines and lines[0].comment is None:
                    lines.pop(0)
            if carry or lines != _leading(stmt):
                stmt = stmt.with_changes(leading_lines=[*carry, *lines])
                carry = []
            out.append(stmt)
        return out, carry

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        body, carry = self._body(list(updated.body))
        return updated.with_changes(body=body, footer=[*carry, *updated.footer])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        body, carry = self._body(list(updated.body))
        return updated.with_changes(body=body, footer=[*carry, *updated.footer])


def _spelled(stmt: placement.Statement) -> str | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return cst.Module([]).code_for_node(stmt.body[0])
    return None


def _insert(module: cst.Module, imports: list[str], helpers: list[cst.BaseStatement],
            user: UserNames) -> cst.Module:
    """Add ``imports`` (merged into the user's own where placement.merge can) and ``helpers``
    where placement puts them."""
    body: list[cst.BaseStatement] = list(module.body)
    imports, merged = placement.merge(body, imports, user, _spelled)
    for index, text in merged.items():
        line, new = body[index], cst.parse_statement(text + "\n")
        assert isinstance(line, cst.SimpleStatementLine) and isinstance(new, cst.SimpleStatementLine)
        body[index] = line.with_changes(body=new.body)
    where = placement.place(body, imports, [isinstance(h, cst.SimpleStatementLine) for h in helpers])
    if where.empty:
        return module.with_changes(body=body) if merged else module
    added: list[cst.BaseStatement] = [
        cst.parse_statement(line + "\n").with_changes(leading_lines=_blank(count)) for count, line in where.imports
    ]
    added += [helper.with_changes(leading_lines=[*_blank(count), *_leading(helper)])
              for count, helper in zip(where.helpers, helpers, strict=True)]
    if where.at < len(body):
        nxt = body[where.at]
        blank = 0
        for empty in _leading(nxt):
            if empty.comment is not None:
                break
            blank += 1
        if where.pad(blank):
            body[where.at] = nxt.with_changes(leading_lines=[*_blank(where.pad(blank)), *_leading(nxt)])
    body[where.at:where.at] = added
    return module.with_changes(body=body)


def _blank(count: int) -> list[cst.EmptyLine]:
    return [cst.EmptyLine() for _ in range(count)]


def _leading(stmt: cst.BaseStatement) -> list[cst.EmptyLine]:
    return list(getattr(stmt, "leading_lines", ()))

