"""The ``?`` rules: which marks are placeholders, and the ``%s`` translation for psycopg2."""

from __future__ import annotations

import pytest

from infrar.database.placeholders import check_count, count, to_format, to_numbered
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


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ?, ? FROM t WHERE a = ?", "SELECT $1, $2 FROM t WHERE a = $3"),
        ("SELECT '?' || ?", "SELECT '?' || $1"),
        ("SELECT /* ? */ ? -- ?\n, ?", "SELECT /* ? */ $1 -- ?\n, $2"),
        ("SELECT $fn$ ? $fn$, ?", "SELECT $fn$ ? $fn$, $1"),
        ("SELECT 50 % 7, a[1:2], x::text, ?", "SELECT 50 % 7, a[1:2], x::text, $1"),
    ],
)
def test_numbered_translation_for_pg8000_leaves_percent_and_colons(sql: str, expected: str) -> None:
    assert to_numbered(sql) == expected


def test_local_ddl_names_the_scale_so_sqlite_keeps_it() -> None:
    from infrar.providers.local.database import _scaled

    assert _scaled("CREATE TABLE t (a NUMERIC(12, 2), b decimal(5), c NUMERIC, d TEXT DEFAULT 'NUMERIC(1,1)')") == (
        "CREATE TABLE t (a NUMERIC_S2(12, 2), b NUMERIC_S0(5, 0), c NUMERIC, d TEXT DEFAULT 'NUMERIC(1,1)')")
    assert _scaled("SELECT CAST(x AS NUMERIC(12, 2))") == "SELECT CAST(x AS NUMERIC(12, 2))"
