"""A small evaluator of the HCL expressions the database modules' outputs are made of.

Enough of HCL to compute, from a module's own .tf files, the values a workload is given and
the names the module creates: string templates, ``var.``/``local.`` references, resource
attributes set in the module (others, known only after apply, evaluate to ``<type.attr>``),
``replace``/``upper``/``lower``/``trimprefix``/``trimsuffix``/``tostring``, object constructors
and ``{for k, v in m : k => ...}``. The tests then feed those values to the adapters' own code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import hcl2

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "replace": lambda s, old, new: str(s).replace(old, new),
    "upper": lambda s: str(s).upper(),
    "lower": lambda s: str(s).lower(),
    "trimprefix": lambda s, p: str(s).removeprefix(p),
    "trimsuffix": lambda s, p: str(s).removesuffix(p),
    "tostring": str,
    "flatten": lambda items: [x for item in items for x in (item if isinstance(item, list) else [item])],
}
_TOKEN = re.compile(r'\s*(=>|[(){}\[\],:=]|[A-Za-z_][A-Za-z0-9_.\-]*|\d+|")')


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


class Module:
    """The locals, resources and outputs of one module directory's .tf texts."""

    def __init__(self, files: Mapping[str, str], variables: Mapping[str, Any]) -> None:
        self.variables = dict(variables)
        self.locals: dict[str, str] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, Any] = {}
        for name, text in files.items():
            if not name.endswith(".tf"):
                continue
            parsed = hcl2.loads(text)
            for block in parsed.get("locals", []):
                self.locals.update({k: v for k, v in block.items() if not k.startswith("__")})
            for block in parsed.get("resource", []):
                for kind, named in block.items():
                    for label, body in named.items():
                        self.resources[f"{_unquote(kind)}.{_unquote(label)}"] = body
            for block in parsed.get("output", []):
                self.outputs.update({_unquote(k): v["value"] for k, v in block.items()})

    def output(self, name: str) -> Any:
        return self.value(self.outputs[name], {})

    def attribute(self, resource: str, attribute: str) -> Any:
        return self.value(self.resources[resource][attribute], {})

    def value(self, raw: Any, scope: Mapping[str, Any]) -> Any:
        """A value as hcl2 gives it (a template string, a dict, a list) evaluated."""
        if isinstance(raw, dict):
            return {str(self.value(_key(k), scope)): self.value(v, scope) for k, v in raw.items()
                    if not k.startswith("__")}
        if isinstance(raw, list):
            return [self.value(v, scope) for v in raw]
        if not isinstance(raw, str):
            return raw
        if raw.startswith("${") and raw.endswith("}") and _closing(raw, 1) == len(raw) - 1:
            return _Parser(self, raw[2:-1], scope).whole()
        return self.template(_unquote(raw), scope)

    def template(self, text: str, scope: Mapping[str, Any]) -> str:
        out, at = [], 0
        while (start := text.find("${", at)) >= 0:
            end = _closing(text, start + 1)
            out.append(text[at:start] + str(_Parser(self, text[start + 2:end], scope).whole()))
            at = end + 1
        return "".join(out) + text[at:]

    def reference(self, name: str, scope: Mapping[str, Any]) -> Any:
        head, _, rest = name.partition(".")
        if head in scope:
            return scope[head]
        if head == "var":
            return self.variables[rest]
        if head == "local":
            return self.value(self.locals[rest], {})
        if head == "data":  # a data source: known at plan time, not here
            return f"<{name.split('.')[1]}.{name.split('.', 3)[3]}>"
        kind, label, attribute = name.split(".", 2)
        body = self.resources.get(f"{kind}.{label}", {})
        return self.value(body[attribute], {}) if attribute in body else f"<{kind}.{attribute}>"


def _key(key: str) -> str:
    """An object key as hcl2 writes it: ``(expr)`` keys come as ``${(expr)}``."""
    return key if key.startswith(("${", '"')) else f'"{key}"'


def _closing(text: str, at: int, pair: str = "{}") -> int:
    """Index of the bracket closing the one at ``at``, skipping quoted strings."""
    depth, quoted, i = 0, False, at
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quoted = False
            elif text.startswith("${", i):
                i = _closing(text, i + 1)
        elif ch == '"':
            quoted = True
        elif ch == pair[0]:
            depth += 1
        elif ch == pair[1]:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced braces in {text!r}")


class _Parser:
    def __init__(self, module: Module, text: str, scope: Mapping[str, Any]) -> None:
        self.module, self.text, self.scope, self.at = module, text, scope, 0

    def whole(self) -> Any:
        value = self.expression()
        assert not self.text[self.at:].strip(), f"unparsed: {self.text[self.at:]!r}"
        return value

    def peek(self) -> str:
        match = _TOKEN.match(self.text, self.at)
        return match.group(1) if match else ""

    def take(self, expected: str | None = None) -> str:
        match = _TOKEN.match(self.text, self.at)
        assert match, f"cannot read {self.text[self.at:]!r}"
        token = match.group(1)
        assert expected is None or token == expected, f"expected {expected!r}, got {token!r} in {self.text!r}"
        self.at = match.end()
        return token

    def expression(self) -> Any:
        token = self.take()
        if token == '"':
            end = self.at
            while self.text[end] != '"':
                if self.text.startswith("${", end):
                    end = _closing(self.text, end + 1) + 1
                else:
                    end += 2 if self.text[end] == "\\" else 1
            literal = self.text[self.at:end]
            self.at = end + 1
            return self.module.template(literal.replace('\\"', '"'), self.scope)
        if token == "(":
            value = self.expression()
            self.take(")")
            return value
        if token == "{":
            return self.object()
        if token == "[":
            return self.sequence()
        if token.isdigit():
            return int(token)
        if self.peek() == "(":
            self.take("(")
            args = []
            while self.peek() != ")":
                args.append(self.expression())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return _FUNCTIONS[token](*args)
        return self.module.reference(token, self.scope)

    def object(self) -> Any:
        if self.peek() == "for":
            return self.for_object(_closing(self.text, self.at - 1))
        found: dict[str, Any] = {}
        while self.peek() != "}":
            key = self.expression() if self.peek() in ('"', "(") else self.take()
            self.take("=")
            found[str(key)] = self.expression()
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return found

    def sequence(self) -> list[Any]:
        if self.peek() == "for":
            return list(self.for_object(_closing(self.text, self.at - 1, "[]"), keyed=False).values())
        found = []
        while self.peek() != "]":
            found.append(self.expression())
            if self.peek() == ",":
                self.take(",")
        self.take("]")
        return found

    def for_object(self, end: int, keyed: bool = True) -> dict[str, Any]:
        """``{for v in c : ...}`` (v: each value) or ``{for k, v in c : ...}`` (k: key or index)."""
        self.take("for")
        names = [self.take()]
        if self.peek() == ",":
            self.take(",")
            names.append(self.take())
        self.take("in")
        source = self.expression()
        self.take(":")
        body_at = self.at
        items = source.items() if isinstance(source, dict) else enumerate(source)
        result: dict[str, Any] = {}
        for key, item in items:
            self.at = body_at
            bound = {names[0]: key, names[1]: item} if len(names) > 1 else {names[0]: item}
            saved, self.scope = self.scope, {**self.scope, **bound}
            left = self.expression()
            if keyed:
                self.take("=>")
                result[str(left)] = self.expression()
            else:
                result[str(len(result))] = left
            self.scope = saved
        self.at = end + 1
        return result
