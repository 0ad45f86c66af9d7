"""Every file erase writes must compile on the oldest Python infrar supports.

``ast.parse(..., feature_version=...)`` is best effort: on Python 3.12+ it accepts f-strings
that reuse their own quote inside a replacement field (PEP 701), which 3.10 and 3.11 reject,
so those are checked here by reading each f-string's text. ``compile`` of the tree then runs
the checks the parser leaves to the compiler (a walrus in a comprehension's iterable, a
``return`` outside a function ...).
"""

from __future__ import annotations

import ast
import sys

OLDEST = (3, 10)  # pyproject.toml requires-python


def problem(code: bytes, filename: str) -> str | None:
    """Why ``code`` would not compile on Python OLDEST, or None if it compiles."""
    try:
        text = code.decode("utf-8")
        tree = ast.parse(text, filename, feature_version=OLDEST)
        compile(tree, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, SyntaxError) and exc.lineno else ""
        return f"{where}{exc.msg if isinstance(exc, SyntaxError) else exc}"
    if sys.version_info >= (3, 12):
        return _fstrings(tree, text)
    return None


def _fstrings(tree: ast.Module, text: str) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            segment = ast.get_source_segment(text, node)
            reason = legacy_fstring_problem(segment) if segment else None
            if reason:
                return f"line {node.lineno}: {reason} (valid only from Python 3.12)"
    return None


def legacy_fstring_problem(literal: str) -> str | None:
    """Why the f-string (or implicitly concatenated strings) ``literal`` is invalid before 3.12."""
    at = 0
    while at < len(literal):
        char = literal[at]
        if char in "'\"":
            at, reason = _one(literal, at, "f" in _prefix(literal, at).lower())
            if reason:
                return reason
        else:
            at += 1
    return None


def _one(literal: str, at: int, is_f: bool) -> tuple[int, str | None]:
    """Read one string literal starting at its opening quote; return the offset after it."""
    quote = literal[at] * 3 if literal.startswith(literal[at] * 3, at) else literal[at]
    at += len(quote)
    raw = "r" in _prefix(literal, at - len(quote)).lower()
    depth = 0
    while at < len(literal):
        if depth == 0:
            if literal.startswith(quote, at):
                return at + len(quote), None
            if literal[at] == "\\" and not raw:
                at += 2
                continue
            if is_f and literal.startswith("{{", at):
                at += 2
                continue
            if is_f and literal[at] == "{":
                depth = 1
            at += 1
            continue
        char = literal[at]
        if literal.startswith(quote, at):
            return at, "an f-string replacement field reuses the f-string's own quote"
        if char == "\\":
            return at, "a backslash inside an f-string replacement field"
        if char == "#":
            return at, "a comment inside an f-string replacement field"
        if char in "'\"":
            at, reason = _inner(literal, at, quote)
            if reason:
                return at, reason
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        at += 1
    return at, None


def _prefix(literal: str, quote_at: int) -> str:
    start = quote_at
    while start > 0 and literal[start - 1].isalpha():
        start -= 1
    return literal[start:quote_at]


def _inner(literal: str, at: int, outer: str) -> tuple[int, str | None]:
    """A string inside a replacement field: before 3.12 it cannot contain the outer quote."""
    quote = literal[at] * 3 if literal.startswith(literal[at] * 3, at) else literal[at]
    end = literal.find(quote, at + len(quote))
    if end < 0:
        return len(literal), None
    body = literal[at + len(quote):end]
    if outer in body:
        return end, "an f-string replacement field reuses the f-string's own quote"
    if "\\" in body:
        return end, "a backslash inside an f-string replacement field"
    return end + len(quote), None
