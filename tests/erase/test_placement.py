"""placement: one set of rules for where both erase paths put imports and helpers.

The fast path reads a module with ``ast``, the LibCST path with LibCST; the predicates must
give the same answer for both trees, or the two paths would place the same lines differently.
"""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from infrar.erase import placement
from infrar.erase.scan import Unsupported

STATEMENTS = {
    '"""doc"""': (False, True),
    "b'bytes doc'": (False, True),
    '"one" "two"': (False, True),
    "import os": (True, False),
    "import os, sys": (True, False),
    "from a.b import c as d": (True, False),
    "x = 1": (False, False),
    "print('hi')": (False, False),
    "def f():\n    '''not a module docstring'''": (False, False),
}


@pytest.mark.parametrize("source", STATEMENTS)
def test_both_trees_see_the_same_statement(source: str) -> None:
    expected = STATEMENTS[source]
    tree = ast.parse(source).body[0]
    node = cst.parse_module(source + "\n").body[0]
    assert (placement.is_import(tree), placement.is_docstring(tree)) == expected
    assert (placement.is_import(node), placement.is_docstring(node)) == expected


def test_an_f_string_first_statement_is_left_to_libcst() -> None:
    with pytest.raises(Unsupported):
        placement.is_docstring(ast.parse('"a" f"{b}"').body[0])


def test_is_stdlib() -> None:
    assert placement.is_stdlib("import os.path")
    assert placement.is_stdlib("from __future__ import annotations")
    assert not placement.is_stdlib("import boto3")
    assert not placement.is_stdlib("from botocore.exceptions import ClientError")


def _body(source: str) -> list[ast.stmt]:
    return ast.parse(source).body


def test_imports_after_the_docstring_and_imports_stdlib_first_then_helpers() -> None:
    body = _body('"""doc"""\nimport os\nx = 1\n')
    where = placement.place(body, ["import boto3", "import json"], [True, False])
    assert where.at == 2
    # json joins the stdlib block right after `import os`; boto3 starts its own group
    assert where.imports == ((0, "import json"), (1, "import boto3"))
    assert where.helpers == (2, 2)  # a constant, then a function: PEP 8's two blank lines
    assert where.pad(0) == 2 and where.pad(3) == 0


def test_after_a_docstring_alone_imports_get_a_blank_line() -> None:
    where = placement.place(_body('"""doc"""\nx = 1\n'), ["import json"], [])
    assert where.at == 1
    assert where.imports == ((1, "import json"),)
    assert where.need == 1


def test_consecutive_constants_stay_together_and_nothing_to_add_is_empty() -> None:
    where = placement.place(_body("x = 1\n"), [], [True, True, False, True])
    assert where.at == 0
    assert where.helpers == (0, 0, 2, 2)
    assert placement.place(_body("import os\n"), [], []).empty


def test_merge_folds_from_lines_into_the_users_plain_import_only() -> None:
    from infrar.erase.names import UserNames

    source = "from a import b, c\nfrom d import e as f\nfrom g import h\nx = 1\nfrom k import m\n"
    body = _body(source)
    user = UserNames(imported={"b": {("from", "a", "b")}, "c": {("from", "a", "c")}, "h": {("from", "g", "h")},
                               "m": {("from", "k", "m")}}, other={"h"})
    lines = source.splitlines()
    added = ["import a", "from a import B, z", "from d import q", "from g import y", "from k import n"]
    left, merged = placement.merge(body, added, user, lambda s: lines[s.lineno - 1])
    # sorted stays sorted; an alias (d), a rebound name (g) and a later import (k) are not merged
    assert merged == {0: "from a import b, B, c, z"}
    assert left == ["import a", "from d import q", "from g import y", "from k import n"]
    long = ["from a import " + ", ".join(f"name{i}" for i in range(20))]
    assert placement.merge(body, long, user, lambda s: lines[s.lineno - 1]) == (long, {})
