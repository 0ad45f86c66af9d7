"""Argument rules: one message on every provider (checked here once, through the local adapter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar import data
from infrar.data import catalog, rules
from infrar.errors import InvalidArgument


@pytest.mark.parametrize(("raw", "portable"), [
    ("string", "STRING"), ("INT64", "INT64"), ("float64", "FLOAT64"), ("BOOL", "BOOL"), ("DATE", "DATE"),
    ("TIMESTAMP", "TIMESTAMP"), ("decimal(10, 2)", "DECIMAL(10,2)"), ("DECIMAL(38,38)", "DECIMAL(38,38)"),
])
def test_portable_types(raw: str, portable: str) -> None:
    assert rules.portable_type(raw, "c") == portable


@pytest.mark.parametrize("raw", ["TEXT", "DECIMAL(39,2)", "DECIMAL(5,6)", "DECIMAL(0,0)", 3, None])
def test_other_types_are_refused(raw: object) -> None:
    with pytest.raises(InvalidArgument, match="column 'c'"):
        rules.portable_type(raw, "c")


@pytest.mark.parametrize(("portable", "engine", "spelled"), [
    ("DECIMAL(10,2)", "bigquery", "NUMERIC(10,2)"), ("DECIMAL(10,2)", "glue", "decimal(10,2)"),
    ("STRING", "glue", "string"), ("TIMESTAMP", "duckdb", "TIMESTAMPTZ"), ("INT64", "synapse", "BIGINT"),
])
def test_engine_spelling(portable: str, engine: str, spelled: str) -> None:
    assert rules.engine_type(portable, engine) == spelled


def test_location_prefix_is_a_folder() -> None:
    assert rules.check_location(("b", "orders"), "t") == ("b", "orders/")
    assert rules.check_location(("b", "/orders/"), "t") == ("b", "orders/")
    assert rules.check_location(("b", ""), "t") == ("b", "")


@pytest.mark.usefixtures("infrar_local")
@pytest.mark.parametrize(("call", "message"), [
    (lambda: data.query("Bad-Name", "SELECT 1"), "warehouse name 'Bad-Name'"),
    (lambda: data.query("w", ""), "non-empty"),
    (lambda: data.query("w", "SELECT ?", []), "1 '\\?' placeholder"),
    (lambda: data.query("w", "SELECT ?", "a"), "list or tuple"),
    (lambda: catalog.get_schema("orders"), "database.table"),
    (lambda: catalog.create_table("w", "t", {}, ("b", "")), "non-empty dict"),
    (lambda: catalog.create_table("w", "t", {"a": "TEXT"}, ("b", "")), "column 'a' has type 'TEXT'"),
    (lambda: catalog.create_table("w", "t", {"a": "STRING"}, "s3://b/x"), "\\(bucket, prefix\\)"),
    (lambda: catalog.create_table("w", "t", {"a": "STRING"}, ("b", ""), format="xml"), "format"),
    (lambda: data.run_job("bad name", __file__), "job name"),
    (lambda: data.run_job("j", "s3://bucket/x.py"), "URL"),
    (lambda: data.run_job("j", "/nonexistent/x.py"), "no file"),
    (lambda: data.run_job("j", __file__, args={"a": 1}), "dict of str to str"),
    (lambda: data.run_job("j", __file__, schedule="0 25 * * *"), "the hour field"),
])
def test_bad_input_is_invalid_argument(call: object, message: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match=message):
        call()  # type: ignore[operator]
