from __future__ import annotations

from datetime import date

from attendance_svc.scheduling.calendar import WorkCalendar, _Assignment
from attendance_svc.scheduling.models import Shift
from attendance_svc.scheduling.service import DEFAULT_SHIFT_FIELDS

JAN = date(2026, 1, 15)


def _shift(shift_id: int, name: str, tz: str | None = None, default: bool = False) -> Shift:
    fields = {**DEFAULT_SHIFT_FIELDS, "periods": [{"start": "08:00", "end": "12:00"}],
              "timezone": tz}
    return Shift(id=shift_id, name=name, is_default=default, **fields)


def _calendar(**kwargs: object) -> WorkCalendar:
    shifts = {1: _shift(1, "Office", default=True), 2: _shift(2, "Dept", "Asia/Tokyo"),
              3: _shift(3, "Own"), 4: _shift(4, "Newer own")}
    defaults: dict[str, object] = {
        "shifts": shifts, "default_shift_id": 1, "by_employee": {}, "by_department": {},
        "holidays": {}, "default_timezone": "Europe/Paris"}
    defaults.update(kwargs)
    return WorkCalendar(**defaults)  # type: ignore[arg-type]


def test_employee_assignment_wins_over_department_then_default() -> None:
    calendar = _calendar(by_employee={7: [_Assignment(3, date(2026, 1, 1), date(2026, 1, 31), 5)]},
                         by_department={9: [_Assignment(2, date(2025, 1, 1), None, 1)]})
    assert calendar.shift_id_for(7, 9, JAN) == 3
    assert calendar.shift_id_for(7, 9, date(2026, 2, 1)) == 2  # own one ended
    assert calendar.shift_id_for(8, 9, JAN) == 2
    assert calendar.shift_id_for(8, None, JAN) == 1
    assert _calendar(default_shift_id=None).shift_id_for(8, None, JAN) is None


def test_the_latest_overlapping_assignment_wins() -> None:
    calendar = _calendar(by_employee={7: [_Assignment(3, date(2026, 1, 1), None, 5),
                                          _Assignment(4, date(2026, 1, 10), None, 2)]})
    assert calendar.shift_id_for(7, None, date(2026, 1, 5)) == 3
    assert calendar.shift_id_for(7, None, JAN) == 4


def test_timezone_precedence() -> None:
    calendar = _calendar()
    assert calendar.timezone_for("America/New_York", 2).key == "America/New_York"
    assert calendar.timezone_for(None, 2).key == "Asia/Tokyo"
    assert calendar.timezone_for(None, 1).key == "Europe/Paris"
    spec = calendar.spec_for(1, None, JAN)[1]
    assert spec is not None and spec.name == "Office" and spec.workdays == frozenset(range(1, 6))
