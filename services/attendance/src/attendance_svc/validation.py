"""Small validators shared by the schemas."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_timezone(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r}") from exc
    return value


def check_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("not an e-mail address")
    return value
