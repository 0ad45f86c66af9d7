"""The ``?`` rules: which marks are placeholders, and the ``%s`` translation for psycopg2."""

from __future__ import annotations

import pytest

from infrar.database.placeholders import check_count, count, to_format
from infrar.errors import InvalidArgument


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ?", "SELECT %s"),
        ("SELECT ?, ? FROM t WHERE a = ?", "SELECT %s, %s FROM t WHERE a = %s"),
        ("SELECT '?' , ?", "SELECT '?' , %s"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', %s"),
        ('SELECT "col?" FROM t WHERE x = ?', 'SELECT "col?" FROM t WHERE x = %s'),
        ("SELECT ? -- why?\n, ?", "SELECT %s -- why?\n, %s"),
        ("SELECT /* a ? b */ ?", "SELECT /* a ? b */ %s"),
        ("SELECT $$ ? $$, ?", "SELECT $$ ? $$, %s"),
        ("SELECT $fn$ it's ? $fn$, ?", "SELECT $fn$ it's ? $fn$, %s"),
        ("SELECT 50 % 7, ?", "SELECT 50 %% 7, %s"),
        ("SELECT * FROM t WHERE a LIKE 'x%' AND b = ?", "SELECT * FROM t WHERE a LIKE 'x%%' AND b = %s"),
        ("SELECT %s", "SELECT %%s"),
        ("SELECT $1, ?", "SELECT $1, %s"),
        ("SELECT a-b, ?", "SELECT a-b, %s"),
        ("SELECT 6/3, ?", "SELECT 6/3, %s"),
    ],
)
def test_translation_marks_only_placeholders(sql: str, expected: str) -> None:
    assert to_format(sql) == expected
    assert count(sql) == expected.count("%s") - expected.count("%%s")


def test_unterminated_literal_hides_the_rest() -> None:
    # The server will reject it; the translation must not turn its contents into placeholders.
    assert to_format("SELECT 'open ?") == "SELECT 'open ?"
    assert count("SELECT 'open ?") == 0


def test_wrong_parameter_count_names_both_counts() -> None:
    with pytest.raises(InvalidArgument, match=r"2 '\?' placeholder\(s\) but 3 parameter\(s\)"):
        check_count("SELECT ?, ?", (1, 2, 3), "shop")
    check_count("SELECT ?, ?", (1, 2), "shop")
