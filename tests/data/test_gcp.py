"""BigQuery specifics on bqemulator: DATETIME (no zone) comes back as an aware UTC datetime like every timestamp."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from infrar import data


@pytest.mark.usefixtures("bq_datasets")
def test_datetime_and_timestamp_come_back_aware() -> None:
    row = data.query("w", "SELECT DATETIME '2024-01-01 12:00:00' AS local_time, "
                          "TIMESTAMP '2024-01-01 12:00:00+02:00' AS instant, 'x' AS s")[0]
    assert row["local_time"] == datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    assert row["instant"] == datetime(2024, 1, 1, 10, tzinfo=timezone.utc)
    assert row["local_time"].tzinfo is not None and row["s"] == "x"
