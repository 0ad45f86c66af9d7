"""The 5-field cron parser (the field named in every error), local matching, and AWS's 6-field form."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from infrar.data import cron
from infrar.errors import InvalidArgument


@pytest.mark.parametrize(("schedule", "field"), [
    ("60 2 * * *", "minute"),
    ("0 24 * * *", "hour"),
    ("0 2 0 * *", "day of month"),
    ("0 2 32 * *", "day of month"),
    ("0 2 * 13 *", "month"),
    ("0 2 * FOO *", "month"),
    ("0 2 * * 8", "day of week"),
    ("0 2 * * MON-", "day of week"),
    ("*/0 2 * * *", "minute"),
    ("5-1 2 * * *", "minute"),
    ("0 2,,3 * * *", "hour"),
    ("x 2 * * *", "minute"),
])
def test_a_bad_field_is_named(schedule: str, field: str) -> None:
    with pytest.raises(InvalidArgument, match=f"the {field} field"):
        cron.parse(schedule)


@pytest.mark.parametrize("schedule", ["0 2 * *", "0 2 * * * *", "", 5])
def test_wrong_shape_says_five_fields(schedule: object) -> None:
    with pytest.raises(InvalidArgument, match="5"):
        cron.parse(schedule)


def test_both_day_fields_restricted_is_refused_everywhere() -> None:
    with pytest.raises(InvalidArgument, match="both the day of month and the day of week"):
        cron.parse("0 2 1 * MON")


@pytest.mark.parametrize(("schedule", "aws"), [
    ("0 2 * * *", "cron(0 2 * * ? *)"),
    ("*/15 * * * *", "cron(0,15,30,45 * * * ? *)"),
    ("30 6 * * 1-5", "cron(30 6 ? * 2-6 *)"),          # Mon-Fri: unix 1-5, AWS 2-6
    ("0 0 * * 0", "cron(0 0 ? * 1 *)"),                # Sunday is 0 in cron, 1 on AWS
    ("0 0 * * 7", "cron(0 0 ? * 1 *)"),                # and 7 in cron too
    ("0 0 * * SAT,SUN", "cron(0 0 ? * 1,7 *)"),
    ("0 0 * * 5-7", "cron(0 0 ? * 1,6,7 *)"),          # Fri-Sun wraps round AWS's week
    ("0 12 1,15 * *", "cron(0 12 1,15 * ? *)"),
    ("0 3 1 JAN-MAR *", "cron(0 3 1 1-3 ? *)"),
    ("0-5 1-2 * * *", "cron(0-5 1,2 * * ? *)"),
])
def test_aws_form(schedule: str, aws: str) -> None:
    assert cron.to_aws(cron.parse(schedule)) == aws


def test_matching_uses_sunday_zero() -> None:
    plan = cron.parse("30 6 * * 0")
    sunday = datetime(2024, 6, 2, 6, 30, 59, tzinfo=timezone.utc)
    assert sunday.strftime("%A") == "Sunday"
    assert cron.matches(plan, sunday)
    assert not cron.matches(plan, sunday.replace(day=3))
    assert not cron.matches(plan, sunday.replace(minute=31))
