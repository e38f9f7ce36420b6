"""Pure parts: cell escaping, CSV dialect, parameter validation, settings rules, kinds' rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from faceclock_common.settings import UnsafeConfiguration
from reporting_svc.attendance import Page, PeerRefused
from reporting_svc.config import Settings
from reporting_svc.csvfile import CsvWriter, safe_cell
from reporting_svc.reports import kinds
from reporting_svc.reports.schemas import PunchesParams, ReportCreate
from reporting_svc.reports.tasks import previous_month


@pytest.mark.parametrize(("value", "expected"), [
    ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
    ("+33 1 23", "'+33 1 23"),
    ("-2+3", "'-2+3"),
    ("@cmd", "'@cmd"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("Ann", "Ann"),
    ("a=b", "a=b"),
    ("", ""),
    (None, ""),
    (-5, -5),
    (1.5, 1.5),
    (True, "yes"),
])
def test_cells_that_would_be_formulas_are_escaped(value: Any, expected: Any) -> None:
    assert safe_cell(value) == expected


def test_rows_are_rfc4180() -> None:
    stream = io.StringIO(newline="")
    writer = CsvWriter(stream)
    writer.header(["a", "b"])
    writer.row(['say "hi"', "x,y"])
    writer.row(["line\nbreak", 3])
    assert writer.rows == 2
    text = stream.getvalue()
    assert text == '"a","b"\r\n"say ""hi""","x,y"\r\n"line\nbreak",3\r\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["a", "b"], ['say "hi"', "x,y"], ["line\nbreak", "3"]]


def test_params_are_checked_per_kind_and_normalised() -> None:
    punches = ReportCreate(kind="punches", params={"from": "2026-11-01", "to": "2026-11-02T10:00:00+08:00"})
    assert punches.validated_params() == {"from": "2026-11-01", "to": "2026-11-02T10:00:00+08:00"}
    daily = ReportCreate(kind="daily", params={"date": "2026-11-20", "department_id": 4})
    assert daily.validated_params() == {"date": "2026-11-20", "department_id": 4}
    for kind, params in [("roll_call", {"roll_call_id": 0}), ("daily", {}),
                         ("monthly", {"month": "26-10"}), ("daily", {"date": "2026-11-20",
                                                                     "department_id": -1})]:
        with pytest.raises(ValidationError):
            ReportCreate(kind=kind, params=params).validated_params()  # type: ignore[arg-type]


def test_settings_keep_the_reliability_limits_ordered() -> None:
    with pytest.raises(ValidationError, match="visibility_timeout"):
        Settings(hard_time_limit_seconds=100, soft_time_limit_seconds=50,
                 visibility_timeout_seconds=100)
    with pytest.raises(ValidationError, match="soft_time_limit"):
        Settings(hard_time_limit_seconds=100, soft_time_limit_seconds=100)
    with pytest.raises(ValidationError, match="five fields"):
        Settings(monthly_schedule_cron="0 2 1 *")
    assert Settings().visibility_timeout_seconds > Settings().hard_time_limit_seconds
    # Reports page through attendance at its largest page (ATTENDANCE_MAX_PAGE_SIZE): fewer,
    # larger pages are what makes a 50,000-employee month fast.
    assert Settings().page_size == 1000
    with pytest.raises(ValidationError, match="page_size"):
        Settings(page_size=1001)


def test_production_refuses_a_placeholder_client_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACECLOCK_ENV", "production")
    with pytest.raises(UnsafeConfiguration):
        Settings(client_secret="changeme").check_production_safety()
    Settings(client_secret="a-real-secret-of-enough-length").check_production_safety()
    assert Settings().embeds_beat is False
    monkeypatch.setenv("FACECLOCK_ENV", "development")
    assert Settings().embeds_beat is True
    assert Settings(worker_beat=False).embeds_beat is False


def test_previous_month() -> None:
    assert previous_month(date(2026, 1, 1)) == "2025-12"
    assert previous_month(date(2026, 3, 31)) == "2026-02"


class _Client:
    """An in-memory stand-in for AttendanceClient: the report's list in pages, or one body."""

    def __init__(self, items: list[dict[str, Any]], body: Any = None, page_size: int = 2) -> None:
        self.items, self.body, self.page_size = items, body, page_size
        self.paths: list[tuple[str, dict[str, Any]]] = []

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        self.paths.append((path, params or {}))
        return self.body

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[Page]:
        self.paths.append((path, params))
        for start in range(0, len(self.items), self.page_size):
            yield Page(self.items[start:start + self.page_size], len(self.items))


def _punch(**fields: Any) -> dict[str, Any]:
    """A punch list row as attendance's PunchListItem gives it."""
    return {"employee_id": 4, "employee_no": "E4", "name": "Dee", "department": "Lab",
            "at": "2026-11-01T00:30:00Z", "kind": "in", "source": "device", "device_id": None,
            "status": None, "correction_id": None, "approved_by": None, "created_by": "kiosk:1",
            "created_at": "2026-11-01T00:30:00Z", **fields}


def _run(builder: Any, params: dict[str, Any], client: _Client) -> tuple[str, list[list[str]],
                                                                         list[float]]:
    stream = io.StringIO(newline="")
    progress: list[float] = []
    context = kinds.Context(params=params, client=client, out=CsvWriter(stream),  # type: ignore[arg-type]
                            progress=progress.append, tz=ZoneInfo("Asia/Shanghai"))
    name = builder(context)
    return name, list(csv.reader(io.StringIO(stream.getvalue(), newline=""))), progress


def test_monthly_rows_and_progress() -> None:
    items = [{"employee_id": i, "employee_no": f"E{i}", "name": f"N{i}", "department": "D",
              "department_id": 1, "month": "2026-10", "days_present": 20, "days_absent": 1,
              "half_days": 0, "late_count": 0, "early_leave_count": 0, "leave_days": 0,
              "leave_hours": 4, "leave_hours_by_type": {"sick": 4}, "business_trip_days": 0,
              "holidays": 0, "overtime_hours": 0, "worked_hours": 160, "missing_checkouts": 0,
              "days_counted": 21}
             for i in range(5)]
    name, rows, progress = _run(kinds.monthly, {"month": "2026-10"}, _Client(items))
    assert name == "Monthly_2026-10.csv"
    assert len(rows) == 6 and rows[1][:5] == ["0", "E0", "N0", "D", "2026-10"]
    assert rows[1][11:13] == ["4.0", "sick: 4.0"]
    assert progress == [0.4, 0.8, 1.0]


def test_a_row_that_breaks_the_contract_fails_the_report_naming_the_field() -> None:
    """Issue 16: no guessing at field names attendance never sends; a row without a count the
    contract promises fails the report with the field named."""
    item = {"employee_id": 1, "employee_no": "E1", "name": "N1", "department": "D",
            "department_id": 1, "month": "2026-10", "days_present": 20}
    with pytest.raises(PeerRefused, match="breaks its contract: days_absent"):
        _run(kinds.monthly, {"month": "2026-10"}, _Client([item]))


def test_roll_call_without_a_readable_time_fails_clearly() -> None:
    body = {"id": 1, "at": "soon", "department_id": None, "actor": "1", "present": [],
            "absent": [], "unknown_faces": 0}
    with pytest.raises(PeerRefused, match="roll call 1 that breaks its contract: at"):
        _run(kinds.roll_call, {"roll_call_id": 1}, _Client([], body=body))


def test_roll_call_times_are_shown_in_the_report_timezone() -> None:
    body = {"id": 1, "at": "2026-11-21T01:30:05+00:00", "department_id": None, "actor": "1",
            "unknown_faces": 0, "absent": [], "present": [
                {"employee_id": 1, "employee_no": "E1", "name": "A", "department": None}]}
    name, rows, progress = _run(kinds.roll_call, {"roll_call_id": 1}, _Client([], body=body))
    assert name == "RollCall_2026-11-21_09-30-05.csv"
    assert rows[1] == ["E1", "A", "", "present", "2026-11-21 09:30:05"]
    assert progress == [1.0]


def test_punch_dates_become_whole_days_in_the_report_timezone() -> None:
    client = _Client([_punch(id=1)])
    name, rows, _ = _run(kinds.punches, {"from": "2026-11-01", "to": "2026-11-02"}, client)
    assert name == "Punches_2026-11-01_2026-11-02.csv"
    query = next(q for path, q in client.paths if path == "/api/v1/punches")
    assert query["from"] == "2026-11-01T00:00:00+08:00"
    assert query["to"] == "2026-11-03T00:00:00+08:00"
    assert rows[1] == ["1", "4", "E4", "Dee", "Lab", "2026-11-01 08:30:00", "in", "device",
                       "", "", "no"]


def test_punches_can_be_limited_to_liveness_checked_ones() -> None:
    client = _Client([_punch(id=2, source="live", device_id="door", liveness_checked=True)])
    params = {"from": "2026-11-01", "to": "2026-11-02", "liveness": "checked"}
    _, rows, _ = _run(kinds.punches, params, client)
    query = next(q for path, q in client.paths if path == "/api/v1/punches")
    assert query["liveness"] == "checked"
    assert rows[0][-1] == "Liveness checked" and rows[1][-1] == "yes"
    with pytest.raises(ValidationError):
        PunchesParams.model_validate({**params, "liveness": "sometimes"})


def test_cells_with_a_semicolon_stay_whole_in_semicolon_locales() -> None:
    """Issue 17 item 15: a spreadsheet whose list separator is `;` must not split a cell there
    and run the rest as a formula: every text cell is quoted, so `;` inside stays data."""
    stream = io.StringIO(newline="")
    writer = CsvWriter(stream)
    writer.row(["Smith;=HYPERLINK(\"http://x\")", "=1+1", 42, -3])
    text = stream.getvalue()
    assert text == '"Smith;=HYPERLINK(""http://x"")","\'=1+1",42,-3\r\n'
    for delimiter in (",", ";"):
        cells = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@")) and c != "-3"], cells
