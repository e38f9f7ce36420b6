"""What each report kind fetches and writes. Rows go to the file page by page as they arrive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from reporting_svc.attendance import AttendanceClient, PeerRefused
from reporting_svc.csvfile import CsvWriter

Progress = Callable[[float], None]
Builder = Callable[[dict[str, Any], AttendanceClient, CsvWriter, Progress], str]


def _department(item: dict[str, Any]) -> str:
    value = item.get("department", item.get("department_name"))
    if isinstance(value, dict):
        return str(value.get("name") or value.get("code") or "")
    return "" if value is None else str(value)


def _name(item: dict[str, Any]) -> str:
    return str(item.get("name") or item.get("employee_name") or "")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d_%H-%M-%S")


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise PeerRefused(f"attendance sent an unreadable time: {value!r}") from exc


def _scope_suffix(params: dict[str, Any]) -> str:
    department = params.get("department_id")
    return f"_dept{department}" if department else ""


def roll_call(params: dict[str, Any], client: AttendanceClient, out: CsvWriter,
              progress: Progress) -> str:
    """The seed's format: one row per employee, present or absent, with the roll call's time."""
    body = client.get_json(f"/internal/roll-calls/{int(params['roll_call_id'])}")
    at = _parse_time(body.get("at"))
    out.header(["Employee No", "Name", "Department", "Status", "Time"])
    groups = (("present", body.get("present") or []), ("absent", body.get("absent") or []))
    for status, people in groups:
        for person in sorted(people, key=lambda p: str(p.get("employee_no") or "")):
            time = at.strftime("%Y-%m-%d %H:%M:%S") if status == "present" else ""
            out.row([person.get("employee_no", ""), _name(person), _department(person),
                     status, time])
    progress(1.0)
    return f"RollCall_{_stamp(at)}.csv"


def _paged(client: AttendanceClient, path: str, query: dict[str, Any], out: CsvWriter,
           progress: Progress, to_row: Callable[[dict[str, Any]], list[Any]]) -> None:
    written = 0
    for page in client.pages(path, query):
        for item in page.items:
            out.row(to_row(item))
        written += len(page.items)
        if page.total:
            progress(written / page.total)


DAILY_COLUMNS = ["Employee ID", "Employee No", "Name", "Department", "Date", "Status",
                 "Late (min)", "Early leave (min)", "Worked (min)", "Overtime (min)",
                 "Leave (min)", "Explanation"]


def daily(params: dict[str, Any], client: AttendanceClient, out: CsvWriter,
          progress: Progress) -> str:
    out.header(DAILY_COLUMNS)
    query = {"date": params["date"], "department_id": params.get("department_id")}
    _paged(client, "/api/v1/attendance/daily", query, out, progress, lambda d: [
        d.get("employee_id"), d.get("employee_no", ""), _name(d), _department(d),
        d.get("date", params["date"]), d.get("status", ""), d.get("late_minutes"),
        d.get("early_leave_minutes"), d.get("worked_minutes"), d.get("overtime_minutes"),
        d.get("leave_minutes"), d.get("explanation", ""),
    ])
    return f"Daily_{params['date']}{_scope_suffix(params)}.csv"


MONTHLY_COLUMNS = ["Employee ID", "Employee No", "Name", "Department", "Month", "Days present",
                   "Days absent", "Late count", "Early leave count", "Leave hours",
                   "Leave hours by type", "Business trip days", "Overtime hours", "Worked hours",
                   "Missing check-outs"]


def _leave(value: Any) -> tuple[Any, str]:
    """RULES.md counts leave hours by type: the total and the breakdown, if given as a mapping."""
    if isinstance(value, dict):
        total = sum(v for v in value.values() if isinstance(v, int | float))
        return round(total, 2), "; ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return value, ""


def _monthly_row(month: str, m: dict[str, Any]) -> list[Any]:
    leave_total, leave_by_type = _leave(m.get("leave_hours"))
    if "leave_hours_by_type" in m:
        _, leave_by_type = _leave(m["leave_hours_by_type"])
    return [
        m.get("employee_id"), m.get("employee_no", ""), _name(m), _department(m),
        m.get("month", month), m.get("days_present"), m.get("days_absent"), m.get("late_count"),
        m.get("early_leave_count"), leave_total, leave_by_type, m.get("business_trip_days"),
        m.get("overtime_hours"), m.get("worked_hours"),
        m.get("missing_checkouts", m.get("missing_checkout_count")),
    ]


def monthly(params: dict[str, Any], client: AttendanceClient, out: CsvWriter,
            progress: Progress) -> str:
    out.header(MONTHLY_COLUMNS)
    month = params["month"]
    query = {"month": month, "department_id": params.get("department_id")}
    _paged(client, "/api/v1/attendance/monthly", query, out, progress,
           lambda m: _monthly_row(month, m))
    return f"Monthly_{month}{_scope_suffix(params)}.csv"


PUNCH_COLUMNS = ["Punch ID", "Employee ID", "Employee No", "Name", "Time", "Kind", "Source",
                 "Device", "Status"]


def punches(params: dict[str, Any], client: AttendanceClient, out: CsvWriter,
            progress: Progress) -> str:
    out.header(PUNCH_COLUMNS)
    query = {"from": params["from"], "to": params["to"], "employee_id": params.get("employee_id"),
             "department_id": params.get("department_id")}
    _paged(client, "/api/v1/punches", query, out, progress, lambda p: [
        p.get("id", p.get("punch_id")), p.get("employee_id"), p.get("employee_no", ""), _name(p),
        p.get("at"), p.get("kind", ""), p.get("source", ""), p.get("device_id", ""),
        p.get("status", ""),
    ])
    start, end = str(params["from"])[:10], str(params["to"])[:10]
    return f"Punches_{start}_{end}{_scope_suffix(params)}.csv"


BUILDERS: dict[str, Builder] = {
    "roll_call": roll_call, "daily": daily, "monthly": monthly, "punches": punches,
}
