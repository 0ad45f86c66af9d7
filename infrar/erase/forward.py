"""Call through a copied function that only forwards its arguments: once folded,
``def _error(exc, bucket, key=None): return _translate_error(exc, bucket, key)`` says nothing its
callers' ``_translate_error(exc, bucket)`` would not, so they call that and it is not copied.

Only where the two have the same parameters (names and literal defaults, in order, none ``*``
or ``**``), so that any call of one, positional or by keyword, means the same to the other."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from infrar.erase.adapters import Code, Definition, Library, Target
from infrar.erase.literals import UNKNOWN, literal
from infrar.erase.reach import closure


def skip(library: Library, roots: Iterable[Code]) -> Library:
    """``library`` with each call of a forwarding function pointing at what it forwards to."""
    order, _externals = closure(library, list(roots))
    targets = {code: target for code in order if (target := _forwards_to(library, code)) is not None}
    if not targets:
        return library
    changed: dict[Code, Definition] = {}
    for code in order:
        definition = library.definition(code)
        if any(target in targets for target in definition.refs.values()):
            refs = {key: _final(target, targets) for key, target in definition.refs.items()}
            changed[code] = Definition(definition.key, definition.node, refs, definition.is_method,
                                       definition.locals, variant=definition.variant)
    return library.with_definitions(changed)


def _final(target: Target, targets: dict[Code, Code]) -> Target:
    seen: set[Code] = set()
    while isinstance(target, Code) and target in targets and target not in seen:
        seen.add(target)
        target = targets[target]
    return target


def _forwards_to(library: Library, code: Code) -> Code | None:
    """What ``code`` forwards every argument to, as it got them, if that is all it does."""
    definition = library.definition(code)
    fn = definition.node
    if definition.is_method or not isinstance(fn, cst.FunctionDef) or fn.decorators or fn.asynchronous:
        return None
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()
    if body and _docstring(body[0]):
        body = body[1:]
    returned = body[0].body[0] if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) else None
    call = returned.value if isinstance(returned, cst.Return) else None
    if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
        return None
    target = definition.refs.get(id(call.func))
    if not isinstance(target, Code) or target == code:
        return None
    callee = library.definition(target)
    if callee.is_method or not isinstance(callee.node, cst.FunctionDef) or callee.node.asynchronous:
        return None
    if not (_plain(fn.params) and _plain(callee.node.params)):
        return None
    names = [param.name.value for param in fn.params.params]
    if [arg.value.value if isinstance(arg.value, cst.Name) and not arg.keyword and not arg.star else None
            for arg in call.args] != names:
        return None
    # the same parameters: then a call of either, or either passed as a callback, means the same
    mine = [_param(param) for param in fn.params.params]
    theirs = [_param(param) for param in callee.node.params.params]
    return target if None not in mine and mine == theirs else None


def _plain(params: cst.Parameters) -> bool:
    """Parameters that are all positional-or-keyword (no ``/``, ``*`` or ``**``)."""
    return not (params.posonly_params or params.kwonly_params or params.star_kwarg
                or not isinstance(params.star_arg, cst.MaybeSentinel))


def _docstring(stmt: cst.BaseStatement) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _param(param: cst.Param) -> tuple[str, type, object] | None:
    """A parameter's name and its default (a literal); None where the default is anything else."""
    if param.default is None:
        return param.name.value, type(None), _NO_DEFAULT
    value = literal(param.default)
    return None if value is UNKNOWN else (param.name.value, type(value), value)


_NO_DEFAULT = object()
