"""Call-site rewriting: bind a call's arguments to the lifted function and, when that keeps
the program's meaning, substitute them into a single-expression body.

A body is inlined only if it is ``return <expr>`` (or a bare expression for a call that is
itself a statement), the call spells its arguments out (no ``*args``/``**kwargs``), and
every argument is a plain name or literal, so that when (and how often) the body evaluates
it cannot matter. Any other argument (an attribute, which may be a property; a call; a
walrus, which Python forbids inside a comprehension the body may hold) is evaluated by a
call of the emitted private function instead: once, left to right, before the body.
"""

from __future__ import annotations

import io
import tokenize

import libcst as cst

from infrar.erase.placement import is_docstring

_ATOMIC = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.FormattedString,
    cst.Integer, cst.Float, cst.Imaginary, cst.List, cst.Dict, cst.Set, cst.ListComp,
    cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Ellipsis,
)


def is_atomic(expr: cst.BaseExpression) -> bool:
    if getattr(expr, "lpar", None):
        return True
    return isinstance(expr, _ATOMIC)


def parenthesize(expr: cst.BaseExpression) -> cst.BaseExpression:
    if is_atomic(expr):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def is_simple(expr: cst.BaseExpression) -> bool:
    """Evaluating it twice, or not at all, or later, is the same as evaluating it once.

    An attribute is not: it may be a property that runs code (or raises).
    """
    if isinstance(expr, (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis)):
        return True
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return isinstance(expr.expression, (cst.Integer, cst.Float))
    if isinstance(expr, cst.ConcatenatedString):
        return is_simple(expr.left) and is_simple(expr.right)
    return False


def is_display(expr: cst.BaseExpression) -> bool:
    """A list, tuple or dict display of simple items (dict keys literals): building it runs no code.

    Evaluated later or not at all it is the same; evaluated twice it is two equal objects, so
    it is inlined only where its parameter occurs once (``attributes={"items": n}``).
    """
    if isinstance(expr, (cst.List, cst.Tuple)):
        return all(isinstance(item, cst.Element) and is_simple(item.value) for item in expr.elements)
    if isinstance(expr, cst.Dict):
        return all(isinstance(item, cst.DictElement) and is_simple(item.value)
                   and not isinstance(item.key, cst.Name) and is_simple(item.key) for item in expr.elements)
    return False


_REPEATING = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _has_comment(call: cst.Call) -> bool:
    text = cst.Module([]).code_for_node(call)
    if "#" not in text:
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(f"({text})").readline))
    except (tokenize.TokenError, SyntaxError):
        return True
    return any(token.type == tokenize.COMMENT for token in tokens)


def body_expression(fn: cst.FunctionDef, statement_call: bool) -> cst.BaseExpression | None:
    """The single expression a lifted function's body consists of, if inlinable."""
    body = list(fn.body.body) if isinstance(fn.body, cst.IndentedBlock) else []
    if body and is_docstring(body[0]):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return None
    small = body[0].body[0]
    if isinstance(small, cst.Return) and small.value is not None:
        expr: cst.BaseExpression = small.value
    elif isinstance(small, cst.Expr) and statement_call:
        expr = small.value
    else:
        return None
    if _contains(expr, (cst.Yield, cst.Await, cst.NamedExpr)):
        return None
    return expr


def _contains(node: cst.CSTNode, kinds: tuple[type[cst.CSTNode], ...]) -> bool:
    found = False

    class _Find(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            nonlocal found
            if isinstance(n, kinds):
                found = True
            return not found

    node.visit(_Find())
    return found


def bind(fn: cst.FunctionDef, call: cst.Call) -> dict[str, cst.BaseExpression] | None:
    """Parameter name -> argument expression (or default), or None if it cannot be bound statically."""
    params = fn.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT and not isinstance(params.star_arg, cst.ParamStar):
        return None
    if params.star_kwarg is not None:
        return None
    positional = [*params.posonly_params, *params.params]
    by_name = {p.name.value: p for p in (*positional, *params.kwonly_params)}
    posonly = {p.name.value for p in params.posonly_params}
    bound: dict[str, cst.BaseExpression] = {}
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if index >= len(positional):
                return None
            bound[positional[index].name.value] = arg.value
            index += 1
        else:
            name = arg.keyword.value
            if name not in by_name or name in bound or name in posonly:
                return None
            bound[name] = arg.value
    for name, param in by_name.items():
        if name not in bound:
            if param.default is None:
                return None
            bound[name] = param.default
    return bound


class _Occurrences(cst.CSTVisitor):
    """Name nodes that read a parameter, in source order; names bound by nested scopes."""

    def __init__(self, params: set[str]) -> None:
        self.params = params
        self.found: list[cst.Name] = []
        self.nested: set[str] = set()
        self.bare: set[int] = set()  # occurrences that are a whole argument: no parentheses needed

    def visit_Name(self, node: cst.Name) -> bool:
        if node.value in self.params:
            self.found.append(node)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        if isinstance(node.value, cst.Name) and not node.star:
            self.bare.add(id(node.value))
        node.value.visit(self)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        self.nested.add(node.name.value)
        return False

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        for name in names_in(node.target):
            self.nested.add(name)
        return True


def names_in(node: cst.CSTNode) -> set[str]:
    out: set[str] = set()

    class _All(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> bool:
            out.add(n.value)
            return False

    node.visit(_All())
    return out


def inline(
    fn: cst.FunctionDef, call: cst.Call, statement_call: bool, wrap: bool
) -> cst.BaseExpression | None:
    """The expression replacing ``call``, or None to call the private function instead."""
    if _has_comment(call):
        return None  # substituting arguments would drop the comments on their lines
    expr = body_expression(fn, statement_call)
    if expr is None:
        return None
    bound = bind(fn, call)
    if bound is None:
        return None
    seen = _Occurrences(set(bound))
    expr.visit(seen)
    arg_names: set[str] = set()
    for value in bound.values():
        arg_names |= names_in(value)
    if seen.nested & (arg_names | set(bound)):
        return None
    uses = [node.value for node in seen.found]
    once = not _contains(expr, _REPEATING)  # an occurrence in a lambda or comprehension may run many times
    if not all(is_simple(value) or (once and is_display(value) and uses.count(name) <= 1)
               for name, value in bound.items()):
        # the body would evaluate the argument after its own calls, or more than once, or not
        # at all: the function call keeps "once, left to right, before the body" exactly
        return None
    targets = {id(node): node.value for node in seen.found}
    values = bound
    bare = seen.bare

    class _Substitute(cst.CSTTransformer):
        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
            name = targets.get(id(original))
            if name is None:
                return updated
            return values[name] if id(original) in bare else parenthesize(values[name])

    result = expr.visit(_Substitute())
    assert isinstance(result, cst.BaseExpression)
    if call.lpar:
        return result.with_changes(lpar=call.lpar, rpar=call.rpar)
    return parenthesize(result) if wrap else result


def is_generator(fn: cst.FunctionDef) -> bool:
    found = False

    class _Yield(cst.CSTVisitor):
        def visit_Yield(self, node: cst.Yield) -> bool:
            nonlocal found
            found = True
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is fn

    fn.visit(_Yield())
    return found


def node_ids(node: cst.CSTNode) -> set[int]:
    """The ids of ``node`` and of every node in it."""
    found: set[int] = set()

    class _All(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            found.add(id(n))
            return True

    node.visit(_All())
    return found
