"""Small validators shared by the schemas."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from annotated_types import Interval
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from faceclock_common.bounds import ROW_ID_MAX

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DATE_START = re.compile(r"^\d{4}-\d{2}-\d{2}")


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


Id = Annotated[int, Interval(ge=1, le=ROW_ID_MAX)]


def check_day(value: date) -> date:
    """Dates outside 1900-2200 are mistakes, and near the ends of the calendar the zone
    arithmetic the rules do would overflow."""
    if not 1900 <= value.year <= 2200:
        raise ValueError("date must be between the years 1900 and 2200")
    return value


def check_moment(value: datetime) -> datetime:
    check_day(value.date())
    return value


def iso_text_only(value: object) -> object:
    """Pydantic would read 0 or "1700000000" as seconds since 1970 (a correction dated 1970):
    dates and times come as ISO 8601 text only."""
    if isinstance(value, date):  # datetime too: values built in code, not parsed
        return value
    if isinstance(value, str) and _ISO_DATE_START.match(value.strip()):
        return value
    raise ValueError("expected an ISO 8601 date (YYYY-MM-DD) or date-time, not a number")


Day = Annotated[date, BeforeValidator(iso_text_only), AfterValidator(check_day)]
Moment = Annotated[AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(check_moment)]
