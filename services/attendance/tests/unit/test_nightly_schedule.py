from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from attendance_svc.results.nightly import seconds_until_next

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def test_later_today_in_the_site_zone() -> None:
    now = datetime(2026, 5, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
    assert seconds_until_next(time(0, 30), SHANGHAI, now) == 90 * 60


def test_already_past_means_tomorrow_and_never_zero() -> None:
    now = datetime(2026, 5, 1, 16, 30, tzinfo=UTC)  # exactly 00:30 in Shanghai
    assert seconds_until_next(time(0, 30), SHANGHAI, now) == 24 * 3600


def test_a_dst_night_is_23_hours_long() -> None:
    # Berlin springs forward on 2026-03-29: from 00:30 CET to 00:30 CEST is 23 hours.
    now = datetime(2026, 3, 27, 23, 30, tzinfo=UTC)  # 00:30 CET on the 28th
    assert seconds_until_next(time(0, 30), BERLIN, now) == 24 * 3600
    now = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 00:30 CET on the 29th
    assert seconds_until_next(time(0, 30), BERLIN, now) == 23 * 3600
