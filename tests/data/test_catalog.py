"""The catalog on every provider that has one running here: tables over files infrar.storage wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infrar import storage
from infrar.data import Column, catalog
from infrar.errors import AlreadyExists, NotFound

COLUMNS = {"day": "DATE", "amount": "DECIMAL(10,2)", "n": "INT64", "label": "STRING", "ok": "BOOL",
           "ratio": "FLOAT64", "at": "TIMESTAMP"}
SCHEMA = [Column(name, kind, True) for name, kind in COLUMNS.items()]
CSV = b"day,amount,n,label,ok,ratio,at\n2024-01-01,10.50,1,a,true,0.5,2024-01-01T00:00:00Z\n"


def test_create_list_schema_drop(catalog_provider: tuple[str, str]) -> None:
    provider, bucket = catalog_provider
    storage.write_bytes(bucket, "orders/2024/a.csv", CSV)
    catalog.create_table("shop", "orders", COLUMNS, (bucket, "orders/"))
    catalog.create_table("shop", "empty", {"x": "STRING"}, (bucket, "nothing-here/"), format="json")
    assert catalog.list_tables("shop") == ["empty", "orders"]
    expected = list(SCHEMA)
    if provider == "gcp":  # bqemulator forgets a NUMERIC's declared precision (BigQuery keeps it): its default
        expected[1] = Column("amount", "DECIMAL(38,9)", True)
    assert catalog.get_schema("shop.orders") == expected
    with pytest.raises(AlreadyExists, match=r"shop\.orders"):
        catalog.create_table("shop", "orders", COLUMNS, (bucket, "orders/"))
    catalog.drop_table("shop", "orders")
    assert catalog.list_tables("shop") == ["empty"]
    assert storage.exists(bucket, "orders/2024/a.csv")  # dropping a table never deletes its files
    with pytest.raises(NotFound, match=r"shop\.orders"):
        catalog.drop_table("shop", "orders")
    with pytest.raises(NotFound, match=r"shop\.orders"):
        catalog.get_schema("shop.orders")


def test_an_unknown_database_lists_nothing_or_is_not_found(catalog_provider: tuple[str, str]) -> None:
    try:
        assert catalog.list_tables("nowhere_db") == []
    except NotFound as exc:
        assert "nowhere_db" in str(exc)


@pytest.mark.usefixtures("infrar_local")
class TestLocalTablesReadTheFiles:
    """On local the tables are queried for real (DuckDB over the bucket's files)."""

    def test_csv_json_parquet(self, tmp_path: Path) -> None:
        import duckdb

        from infrar import data

        storage.write_bytes("files", "csv/part-1.csv", CSV)
        storage.write_bytes("files", "csv/_SUCCESS", b"")  # marker files are not data, as on Athena
        line = {"day": "2024-01-02", "amount": "3.25", "n": 2, "label": "b", "ok": False, "ratio": 1.5,
                "at": "2024-01-02T00:00:00Z"}
        storage.write_bytes("files", "json/x.json", (json.dumps(line) + "\n").encode())
        frame = duckdb.sql("SELECT DATE '2024-01-03' AS day, 7.00::DECIMAL(10,2) AS amount, 3 AS n, 'c' AS label, "
                           "true AS ok, 2.5 AS ratio, TIMESTAMPTZ '2024-01-03 00:00:00+00' AS at")
        frame.write_parquet(str(tmp_path / "p.parquet"))  # written by DuckDB, stored through infrar.storage
        storage.upload("files", tmp_path / "p.parquet", "parquet/p.parquet")
        for kind in ("csv", "json", "parquet"):
            catalog.create_table("w", kind, COLUMNS, ("files", f"{kind}/"), format=kind)
        rows = data.query("w", "SELECT label, amount, n FROM csv UNION ALL SELECT label, amount, n FROM json "
                               "UNION ALL SELECT label, amount, n FROM parquet ORDER BY label")
        assert [tuple(r.values()) for r in rows] == [("a", pytest.approx(10.5), 1), ("b", pytest.approx(3.25), 2),
                                                    ("c", pytest.approx(7), 3)]

    def test_files_written_later_are_seen(self) -> None:
        from infrar import data

        catalog.create_table("w", "events", {"x": "INT64"}, ("later", "events/"), header=False)
        assert data.query("w", "SELECT count(*) AS c FROM events")[0]["c"] == 0
        storage.write_bytes("later", "events/1.csv", b"1\n2\n")
        assert data.query("w", "SELECT sum(x) AS s FROM events")[0]["s"] == 3


def test_a_table_is_over_the_bucket_infra_deployed_for_the_programs_name(
        catalog_provider: tuple[str, str], monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """The program names its bucket "landing"; infrar infra deployed it as another name (BUCKET_NAME_LANDING):
    the table reads the files infrar.storage wrote there, on every cloud (local has no deployed names)."""
    provider, bucket = catalog_provider
    if provider == "local":
        bucket = "landing"
    monkeypatch.setenv("BUCKET_NAME_LANDING", bucket)
    storage.write_bytes("landing", "orders/a.csv", CSV)
    sent: list[Any] = []
    if provider == "gcp":  # bqemulator drops a table's external configuration: read what the adapter sends it
        from infrar.providers.gcp._clients import bigquery

        client = bigquery.client()
        create = client.create_table

        def recorded(table: Any) -> Any:
            sent.append(table)
            return create(table)

        monkeypatch.setattr(client, "create_table", recorded)
    catalog.create_table("shop", "landed", COLUMNS, ("landing", "orders/"))
    try:
        if provider == "aws":
            from tests.data.conftest import aws_client

            glue = aws_client("glue", request.getfixturevalue("aws_data")[0])
            location = glue.get_table(DatabaseName="shop", Name="landed")["Table"]["StorageDescriptor"]["Location"]
            assert location == f"s3://{bucket}/orders/"
        elif provider == "gcp":
            from tests.data.conftest import bq_client

            assert [t.external_data_configuration.source_uris for t in sent] == [[f"gs://{bucket}/orders/*"]]
            assert bq_client().get_table(f"{bq_client().project}.shop.landed").table_id == "landed"
        else:
            from infrar import data

            assert data.query("shop", "SELECT label FROM landed")[0]["label"] == "a"
    finally:
        catalog.drop_table("shop", "landed")
