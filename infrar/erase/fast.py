"""The fast path of erase_module: analyse with ``ast`` (scan.py), then splice text.

The LibCST path reprints the whole module after resolving LibCST's metadata over it; here
the replacement text of each use is spliced into the original bytes at the ``ast`` spans, so
untouched bytes stay identical without reprinting them. Helpers are rendered with LibCST
once per process (they depend only on the adapters and the names chosen for them), and call
sites are inlined on a LibCST parse of the call alone. Whatever this path cannot reproduce
byte for byte returns None, and emit runs the LibCST path instead.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from infrar.erase import fold, layout
from infrar.erase.adapters import Code, External, Library
from infrar.erase.catalog import Catalog
from infrar.erase.emit import Result, refused_literals
from infrar.erase.inline import inline, is_generator
from infrar.erase.names import Namer, render
from infrar.erase.reach import closure, fixed_names, shared_imports
from infrar.erase.rebinding import rebound_builtins
from infrar.erase.scan import NESTED, STATEMENT, Scan, Unsupported, scan
from infrar.erase.source_module import ContractError

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=]", re.MULTILINE)
_Rendered = tuple[cst.BaseStatement, str, bool]  # node, its text, whether it is a generator


def erase_fast(source: bytes, provider: str, filename: str, catalog: Catalog, library: Library) -> Result | None:
    """The erased module, or None if only the LibCST path can erase it exactly."""
    if b"\r" in source or not source.endswith(b"\n") or source.startswith(b"\xef\xbb\xbf"):
        return None
    if _COOKIE.search(b"\n".join(source.split(b"\n", 2)[:2])):
        return None
    try:
        tree = ast.parse(source, filename)
        found = scan(tree, catalog)
    except (SyntaxError, ValueError, Unsupported):
        return None
    if not (found.calls or found.replace or found.drop):
        return Result(None)
    try:
        return _erase(source, tree, found, provider, filename, library)
    except (ContractError, Unsupported):
        return None


def _pos(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _erase(source: bytes, tree: ast.Module, found: Scan, provider: str, filename: str,
           library: Library) -> Result:
    text = layout.Text(source)
    indent = layout.default_indent(tree, text)
    if indent != "    ":
        raise Unsupported("helpers would be indented like the user's code")
    result = Result(None)
    calls = sorted(found.calls, key=lambda c: _pos(c[0].func))
    methods: list[Code] = []
    for _call, function, _context, _parent in calls:
        plugin = function.plugin
        if (plugin.lock_in and plugin.lock_in != provider) or provider not in plugin.adapters:
            raise Unsupported("diagnostic")
        methods.append(library.method(plugin.adapters[provider], function.method))
        result.plugins[plugin.name] = plugin.version
        result.requirements.update(plugin.requirements.get(provider, ()))
    replace = sorted(found.replace, key=lambda r: _pos(r[0]))
    used = list(dict.fromkeys(library.target_of(entity) for _node, entity in replace))
    type_codes = [t for t in used if isinstance(t, Code)]  # error classes and value types
    user_externals = [t for t in used if isinstance(t, External)]  # the tree's error classes
    named = {name: value for name, value in fold.constants(tree).items() if name not in library.patched}
    sites = [fold.site(library.definition(code), _parse_call(text.slice(*text.span(call))), named=named)
             for (call, _function, _context, _parent), code in zip(calls, methods, strict=True)]
    library, refused = fold.specialise(library, sites, [*methods, *type_codes])
    positions = [_where(source, call) for call, _function, _context, _parent in calls]
    result.notes = refused_literals(filename, positions, sites, refused)
    all_codes, all_externals = closure(library, [*methods, *type_codes])
    all_externals += user_externals
    definitions = {code: library.definition(code) for code in all_codes}
    if rebound_builtins(found.user, definitions.values()):
        raise Unsupported("the module binds a builtin the copied code reads")  # emit reads it through builtins
    namer = Namer(found.user, all_codes, all_externals, definitions.values(), fixed_names(library))
    rendered = {code: _render(library, code, namer) for code in all_codes}

    edits: list[layout.Edit] = []
    roots: list[Code] = list(type_codes)
    inlined_externals: list[External] = []
    for (call, _function, context, parent), code in zip(calls, methods, strict=True):
        fn, _code_text, generator = rendered[code]
        assert isinstance(fn, cst.FunctionDef)
        start, end = text.span(call)
        if text.span(call.func)[0] != start or not text.slice(start, end).endswith(")"):
            raise Unsupported("parenthesised function")
        _check_span(text, call.func)
        plan = None
        if context == STATEMENT or not generator:
            plan = inline(fn, _parse_call(text.slice(start, end)), context == STATEMENT, context == NESTED)
        if plan is None:
            edits.append(layout.Edit(*text.span(call.func), namer.name(code)))
            roots.append(code)
            continue
        if text.parenthesised(start, end, _owner(text, call, parent)):
            raise Unsupported("parenthesised call")
        edits.append(layout.Edit(start, end, "", _Inliner(fn, context)))
        original = definitions[code].node
        assert isinstance(original, cst.FunctionDef)
        targets = definitions[code].targets_in(original.body)
        roots.extend(t for t in targets if isinstance(t, Code))
        inlined_externals.extend(t for t in targets if isinstance(t, External))
    for node, entity in replace:
        _check_span(text, node)
        edits.append(layout.Edit(*text.span(node), namer.name(library.target_of(entity))))
    emitted, externals = closure(library, roots)
    result.emitted = emitted
    imported = shared_imports(library, emitted, roots)
    if imported is not None:
        emitted, externals = [], imported
    imports = namer.import_lines([*externals, *inlined_externals, *user_externals])
    helpers = [(rendered[c][0], rendered[c][1]) for c in emitted]
    drop = layout.with_type_checking_blocks(tree, found.drop)
    removed = layout.removals(tree, text, drop)
    edits.extend(removed.edits)
    edits.extend(layout.insertion(tree, text, drop, removed, imports, helpers, found.user))
    result.code = layout.apply(text, edits).encode("utf-8")
    return result


def _where(source: bytes, node: ast.expr) -> tuple[int, int]:
    """Line and 1-based column of ``node`` in characters, as LibCST gives them (ast counts UTF-8 bytes)."""
    line = source.split(b"\n", node.lineno)[node.lineno - 1]
    return node.lineno, len(line[:node.col_offset].decode("utf-8", "replace")) + 1


def _check_span(text: layout.Text, node: ast.expr) -> None:
    """A name or dotted name's span must spell it: splicing at a wrong offset would corrupt code."""
    spelled = ast.unparse(node)
    if "".join(text.slice(*text.span(node)).split()) != spelled:
        raise Unsupported("a span that does not spell its node")


def _owner(text: layout.Text, call: ast.Call, parent: ast.AST | None) -> int:
    """The offset of the opening parenthesis of the call ``call`` is the first argument of."""
    if not isinstance(parent, ast.Call) or not parent.args or parent.args[0] is not call:
        return -1
    at = text.span(parent.func)[1]
    while text.data[at] in b" \t\f\\\n":
        at += 1
    return at


def _parse_call(code: str) -> cst.Call:
    expr = cst.parse_expression(code)
    if not isinstance(expr, cst.Call) or expr.lpar:
        raise Unsupported("not a plain call")
    return expr


class _Inliner:
    """The text replacing an inlined call, built from the call's text after inner rewrites."""

    def __init__(self, fn: cst.FunctionDef, context: str) -> None:
        self.fn = fn
        self.context = context

    def __call__(self, updated: str) -> str:
        expr = inline(self.fn, _parse_call(updated), self.context == STATEMENT, self.context == NESTED)
        if expr is None:
            raise Unsupported("inlining depends on the rewritten arguments")
        return cst.Module([]).code_for_node(expr)


def _render(library: Library, code: Code, namer: Namer) -> _Rendered:
    """render(), cached per process: it depends only on the names the namer chose."""
    definition = library.definition(code)
    key = (code, definition.variant, namer.name(code), tuple(namer.name(t) for t in definition.refs.values()))
    cache: dict[object, _Rendered] = library.rendered
    found = cache.get(key)
    if found is None:
        node = render(definition, namer)
        generator = isinstance(node, cst.FunctionDef) and is_generator(node)
        found = cache[key] = (node, cst.Module([]).code_for_node(node), generator)
    return found
