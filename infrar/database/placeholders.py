"""``?`` placeholders on every backend: count them, and translate them for ``%s`` drivers.

A ``?`` is a placeholder only outside string literals ('...'), quoted identifiers ("..."),
comments (-- and /* */) and dollar-quoted bodies ($tag$...$tag$). psycopg2 formats with
``%``, so a literal ``%`` outside those is doubled when translating. Values are never put
into the SQL: the driver binds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from infrar.database.rules import check_many, check_params, check_sql
from infrar.errors import InvalidArgument

# Statements prepared by ``prepare`` are kept, the oldest dropped beyond this: an app runs
# the same few statements again and again, and a hit is one dict lookup.
_PREPARED_MAX = 512

# One token per match: a span that can hold a '?' which is not a placeholder, or one character.
_TOKEN = re.compile(
    r"""
    '(?:[^']|'')*'?            # string literal, '' is an escaped quote
  | "(?:[^"]|"")*"?            # quoted identifier
  | --[^\n]*                   # line comment
  | /\*.*?(?:\*/|\Z)           # block comment (PostgreSQL nests them; one level suffices for '?')
  | \$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$.*?(?:\$(?P=tag)?\$|\Z)  # dollar-quoted body
  | [^'"\-/$?%]+               # plain text
  | .                          # any other single character
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(sql: str) -> list[str]:
    """``sql`` split so that each quoted span, comment and ``?`` is one token."""
    return [match.group(0) for match in _TOKEN.finditer(sql)]


@lru_cache(maxsize=512)  # an app runs the same few statements again and again
def count(sql: str) -> int:
    """The number of ``?`` placeholders in ``sql``."""
    return sum(1 for token in tokens(sql) if token == "?")


@lru_cache(maxsize=512)
def to_format(sql: str) -> str:
    """``sql`` with each placeholder ``?`` as ``%s`` and each literal ``%`` outside quotes as ``%%``.

    psycopg2 interprets ``%`` everywhere in the statement when parameters are given, so a ``%``
    inside a string literal is doubled too; only placeholders become ``%s``.
    """
    out: list[str] = []
    for token in tokens(sql):
        if token == "?":
            out.append("%s")
        else:
            out.append(token.replace("%", "%%"))
    return "".join(out)


def check_count(sql: str, params: Sequence[object], database: str) -> None:
    """InvalidArgument unless ``params`` has exactly one value per placeholder, naming both counts."""
    expected = count(sql)
    if expected != len(params):
        raise count_mismatch(expected, len(params), database)


def count_mismatch(expected: int, given: int, database: str) -> InvalidArgument:
    """The error for ``given`` parameters where the SQL has ``expected`` placeholders."""
    return InvalidArgument(
        f"the SQL for database {database!r} has {expected} '?' placeholder(s) but "
        f"{given} parameter(s) were given; pass one value per '?'"
    )


def statement(sql: str, params: Sequence[Any] | None, database: str, translate: Callable[[str], str],
              cache: dict[str, tuple[str, int]]) -> tuple[str, Sequence[Any]]:
    """``(translate(sql), params)`` for the driver, both checked: one value per placeholder.

    ``cache`` (one per driver module) keeps each statement's translation and placeholder count,
    so a statement the app ran before costs one dict lookup.
    """
    try:
        text, expected = cache[sql]
    except (KeyError, TypeError):  # TypeError: not even hashable, which check_sql reports
        text, expected = _prepare(sql, database, translate, cache)
    values = params if type(params) is tuple or type(params) is list else tuple(check_params(params, database))
    if len(values) != expected:
        raise count_mismatch(expected, len(values), database)
    return text, values


def each_checked(sql: str, seq_of_params: Iterable[Sequence[Any]], database: str) -> Iterator[Sequence[Any]]:
    """The parameter sequences of ``seq_of_params``, each checked to hold one value per placeholder.

    One generator and two type checks per row: execute_many's rows go through here by the million.
    """
    check_many(seq_of_params, database)  # the container itself: an iterable, not a str or a mapping
    expected = count(sql)
    for values in seq_of_params:
        if type(values) is not tuple and type(values) is not list:
            values = check_params(values, database)
        if len(values) != expected:
            raise count_mismatch(expected, len(values), database)
        yield values


def _prepare(sql: object, database: str, translate: Callable[[str], str],
             cache: dict[str, tuple[str, int]]) -> tuple[str, int]:
    text = check_sql(sql, database)
    if len(cache) >= _PREPARED_MAX:
        cache.pop(next(iter(cache), ""), None)  # the oldest; another thread may have taken it
    found = cache[text] = (translate(text), count(text))
    return found


@lru_cache(maxsize=512)
def to_numbered(sql: str) -> str:
    """``sql`` with the n-th placeholder ``?`` as ``$n`` (PostgreSQL's own form; ``%`` stays as it is)."""
    out: list[str] = []
    number = 0
    for token in tokens(sql):
        if token == "?":
            number += 1
            out.append(f"${number}")
        else:
            out.append(token)
    return "".join(out)
