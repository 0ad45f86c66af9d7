"""5-field cron schedules: one parser for every provider, matching for local, AWS's 6-field form.

``minute hour day-of-month month day-of-week``, each ``*``, a number, a range ``a-b``, a list
``a,b``, a step ``*/n`` or ``a-b/n``; months and weekdays also by name (JAN, MON); weekday 0 and
7 are Sunday. A bad string is InvalidArgument naming the field. Restricting both the day of
month and the day of week is refused on every provider: cron ORs them, and AWS cannot say that.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from infrar.errors import InvalidArgument

# (name, lowest, highest) of each field, in order.
FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
_NAMES = {
    "month": {m: i for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)},
    "day of week": {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))},
}


class Cron(NamedTuple):
    """A parsed schedule: the allowed values of each field, and which fields were ``*``."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    any_day: bool
    any_weekday: bool


def _bad(text: str, field: str, part: str, low: int, high: int) -> InvalidArgument:
    return InvalidArgument(
        f"cron schedule {text!r}: the {field} field {part!r} is invalid; use *, a number {low}-{high}, "
        "a range a-b, a list a,b or a step */n (fields: minute hour day-of-month month day-of-week)"
    )


def _value(token: str, field: str, text: str, low: int, high: int) -> int:
    named = _NAMES.get(field, {}).get(token.upper())
    if named is not None:
        return named
    if not token.isdigit() or not low <= int(token) <= high:
        raise _bad(text, field, token, low, high)
    return int(token)


def _part(part: str, field: str, text: str, low: int, high: int) -> set[int]:
    span, slash, step_text = part.partition("/")
    if slash and (not step_text.isdigit() or int(step_text) == 0):
        raise _bad(text, field, part, low, high)
    step = int(step_text) if slash else 1
    if span == "*":
        first, last = low, high
    elif "-" in span:
        start, _, end = span.partition("-")
        first, last = _value(start, field, text, low, high), _value(end, field, text, low, high)
        if first > last:
            raise _bad(text, field, part, low, high)
    else:
        first = _value(span, field, text, low, high)
        last = high if slash else first
    return set(range(first, last + 1, step))


def _field(raw: str, field: str, text: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in raw.split(","):
        if not part:
            raise _bad(text, field, raw, low, high)
        values |= _part(part, field, text, low, high)
    return frozenset(values)


def parse(schedule: object) -> Cron:
    """``schedule`` parsed, else InvalidArgument naming the wrong field."""
    if not isinstance(schedule, str):
        raise InvalidArgument(f"schedule must be a 5-field cron string like '0 2 * * *', got {schedule!r}")
    raw = schedule.split()
    if len(raw) != 5:
        raise InvalidArgument(
            f"cron schedule {schedule!r} has {len(raw)} field(s); write 5: minute hour day-of-month month "
            "day-of-week, e.g. '0 2 * * *' for 02:00 every day"
        )
    sets = [_field(part, name, schedule, low, high) for part, (name, low, high) in zip(raw, FIELDS, strict=True)]
    weekdays = frozenset(day % 7 for day in sets[4])
    if raw[2] != "*" and raw[4] != "*":
        raise InvalidArgument(
            f"cron schedule {schedule!r} restricts both the day of month and the day of week; restrict "
            "one of them and leave the other '*' (AWS schedules cannot combine them)"
        )
    return Cron(" ".join(raw), sets[0], sets[1], sets[2], sets[3], weekdays, raw[2] == "*", raw[4] == "*")


def matches(cron: Cron, moment: datetime) -> bool:
    """Whether the minute ``moment`` falls in is one the schedule names."""
    weekday = (moment.weekday() + 1) % 7  # Python: Monday 0; cron: Sunday 0
    return (moment.minute in cron.minutes and moment.hour in cron.hours and moment.month in cron.months
            and moment.day in cron.days and weekday in cron.weekdays)


def _compact(values: frozenset[int], low: int, high: int, shift: int = 0) -> str:
    """``values`` as AWS cron text: ``*`` for all, else ranges and numbers joined by commas."""
    if values == frozenset(range(low, high + 1)):
        return "*"
    ordered = sorted(v + shift for v in values)
    runs: list[list[int]] = []
    for value in ordered:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return ",".join(f"{run[0]}-{run[-1]}" if len(run) > 2 else ",".join(map(str, run)) for run in runs)


def to_aws(cron: Cron) -> str:
    """The 6-field AWS form ``cron(min hour dom month dow year)``.

    AWS numbers weekdays 1 (Sunday) to 7 (Saturday) and wants ``?`` in whichever of day of
    month and day of week is not restricted.
    """
    minutes = _compact(cron.minutes, 0, 59)
    hours = _compact(cron.hours, 0, 23)
    months = _compact(cron.months, 1, 12)
    if cron.any_weekday:
        day, weekday = _compact(cron.days, 1, 31), "?"
    else:
        day, weekday = "?", _compact(cron.weekdays, 0, 6, shift=1)
    return f"cron({minutes} {hours} {day} {months} {weekday} *)"
