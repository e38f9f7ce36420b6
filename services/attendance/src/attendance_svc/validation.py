"""Small validators shared by the schemas."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from annotated_types import Interval
from pydantic import AfterValidator, AwareDatetime

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 64:
        raise ValueError("unknown timezone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown timezone {value!r}") from exc
    return value


def check_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("not an e-mail address")
    return value


# Row ids: bounded so an absurd number is a 422, not a driver overflow (SQLite) or an
# out-of-range error (MySQL INT) surfacing as a 500.
Id = Annotated[int, Interval(ge=1, le=2**31 - 1)]


def check_day(value: date) -> date:
    """Dates outside 1900-2200 are mistakes, and near the ends of the calendar the zone
    arithmetic the rules do would overflow."""
    if not 1900 <= value.year <= 2200:
        raise ValueError("date must be between the years 1900 and 2200")
    return value


def check_moment(value: datetime) -> datetime:
    check_day(value.date())
    return value


Day = Annotated[date, AfterValidator(check_day)]
Moment = Annotated[AwareDatetime, AfterValidator(check_moment)]
