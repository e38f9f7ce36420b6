"""What each report kind fetches and writes. Rows go to the file page by page as they arrive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from faceclock_common.contracts import DailyRead, MonthlyRead, PunchListItem, RollCallRead
from faceclock_common.errors import validation_details
from reporting_svc.attendance import AttendanceClient, PeerRefused
from reporting_svc.csvfile import CsvWriter
from reporting_svc.reports.wording import columns, word

Progress = Callable[[float], None]
Row = TypeVar("Row", bound=BaseModel)


@dataclass
class Context:
    params: dict[str, Any]
    client: AttendanceClient
    out: CsvWriter
    progress: Progress
    tz: ZoneInfo

    @property
    def language(self) -> str:
        return str(self.params.get("language", "en"))


Builder = Callable[[Context], str]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d_%H-%M-%S")


def _read(model: type[Row], item: Any, what: str) -> Row:
    """One of attendance's answers as the contract (faceclock_common.contracts) promises it; one
    that breaks the promise fails the report with the first problem named, never a guess."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        sentence, details = validation_details(exc.errors())
        field = details[0]["field"] or "the answer"
        raise PeerRefused(f"attendance sent {what} that breaks its contract: {field}: "
                          f"{sentence}") from exc


def _scope(params: dict[str, Any]) -> dict[str, Any]:
    """The department and site a report is narrowed to, as attendance's lists take them."""
    return {"department_id": params.get("department_id"), "site_id": params.get("site_id")}


def _scope_suffix(params: dict[str, Any]) -> str:
    department, site = params.get("department_id"), params.get("site_id")
    return (f"_site{site}" if site else "") + (f"_dept{department}" if department else "")


def roll_call(ctx: Context) -> str:
    """The seed's format: one row per employee, present or absent, with the roll call's time."""
    out = ctx.out
    roll_call_id = int(ctx.params["roll_call_id"])
    roll = _read(RollCallRead, ctx.client.get_json(f"/internal/roll-calls/{roll_call_id}"),
                 f"roll call {roll_call_id}")
    department_id = ctx.params.get("department_id")
    if department_id is not None and roll.department_id != department_id:
        raise PeerRefused(f"roll call {roll_call_id} is not a roll call of department "
                          f"{department_id}")
    at = roll.at.astimezone(ctx.tz)
    out.header(columns(["Employee No", "Name", "Department", "Status", "Time"], ctx.language))
    for status, people in (("present", roll.present), ("absent", roll.absent)):
        for person in sorted(people, key=lambda p: p.employee_no):
            time = at.strftime("%Y-%m-%d %H:%M:%S") if status == "present" else ""
            out.row([person.employee_no, person.name, person.department or "",
                     word(status, ctx.language), time])
    ctx.progress(1.0)
    return f"RollCall_{_stamp(at)}.csv"


def _paged(ctx: Context, path: str, query: dict[str, Any], model: type[Row],
           to_row: Callable[[Row], list[Any]]) -> None:
    written = 0
    for page in ctx.client.pages(path, query):
        for item in page.items:
            ctx.out.row(to_row(_read(model, item, f"a row of {path}")))
        written += len(page.items)
        if page.total:
            ctx.progress(written / page.total)


DAILY_COLUMNS = ["Employee ID", "Employee No", "Name", "Department", "Date", "Status", "Final",
                 "Scheduled (min)", "Late (min)", "Early leave (min)", "Worked (min)",
                 "Overtime (min)", "Leave (min)", "Leave by type (min)", "Business trip (min)",
                 "Missing check-outs", "Explanation"]


def _by_type(value: Any) -> str:
    """A per-type breakdown ({"annual": 8, "sick": 4}) in one readable cell."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return ""


def daily(ctx: Context) -> str:
    params = ctx.params
    ctx.out.header(columns(DAILY_COLUMNS, ctx.language))
    query = {"date": params["date"], **_scope(params)}
    _paged(ctx, "/api/v1/attendance/daily", query, DailyRead, lambda d: [
        d.employee_id, d.employee_no, d.name, d.department or "", d.date.isoformat(),
        word(d.status, ctx.language), word(d.final, ctx.language),
        d.scheduled_minutes, d.late_minutes, d.early_leave_minutes, d.worked_minutes,
        d.overtime_minutes, d.leave_minutes, _by_type(d.leave_by_type), d.business_trip_minutes,
        d.missing_checkouts, d.explanation,
    ])
    return f"Daily_{params['date']}{_scope_suffix(params)}.csv"


# The month's counts of RULES.md, as attendance's /attendance/monthly gives them.
MONTHLY_FIELDS = [
    ("Days present", "days_present"), ("Days absent", "days_absent"), ("Half days", "half_days"),
    ("Late count", "late_count"), ("Early leave count", "early_leave_count"),
    ("Leave days", "leave_days"), ("Leave hours", "leave_hours"),
    ("Leave hours by type", "leave_hours_by_type"), ("Business trip days", "business_trip_days"),
    ("Holidays", "holidays"), ("Overtime hours", "overtime_hours"),
    ("Worked hours", "worked_hours"), ("Missing check-outs", "missing_checkouts"),
    ("Days counted", "days_counted"),
]
MONTHLY_COLUMNS = ["Employee ID", "Employee No", "Name", "Department", "Month",
                   *(title for title, _ in MONTHLY_FIELDS)]


def _monthly_row(m: MonthlyRead) -> list[Any]:
    values = [_by_type(m.leave_hours_by_type) if key == "leave_hours_by_type" else getattr(m, key)
              for _, key in MONTHLY_FIELDS]
    return [m.employee_id, m.employee_no, m.name, m.department or "", m.month, *values]


def monthly(ctx: Context) -> str:
    params = ctx.params
    ctx.out.header(columns(MONTHLY_COLUMNS, ctx.language))
    month = params["month"]
    query = {"month": month, **_scope(params)}
    _paged(ctx, "/api/v1/attendance/monthly", query, MonthlyRead, _monthly_row)
    return f"Monthly_{month}{_scope_suffix(params)}.csv"


PUNCH_COLUMNS = ["Punch ID", "Employee ID", "Employee No", "Name", "Department", "Time", "Kind",
                 "Source", "Device", "Status", "Liveness checked"]


def _bound(value: str, tz: ZoneInfo, *, end: bool) -> str:
    """A `from`/`to` parameter as the aware time attendance wants; a date covers the whole day
    in the report's timezone (`to` is exclusive there)."""
    if "T" in value:
        return value
    day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
    return datetime.combine(day, time(0), tzinfo=tz).isoformat()


def punches(ctx: Context) -> str:
    params = ctx.params
    ctx.out.header(columns(PUNCH_COLUMNS, ctx.language))
    query = {"from": _bound(params["from"], ctx.tz, end=False),
             "to": _bound(params["to"], ctx.tz, end=True),
             "employee_id": params.get("employee_id"), **_scope(params),
             "liveness": params.get("liveness")}
    _paged(ctx, "/api/v1/punches", query, PunchListItem, lambda p: [
        p.id, p.employee_id, p.employee_no, p.name, p.department or "",
        # Local wall-clock time to the second: what a spreadsheet reader expects.
        p.at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M:%S"),
        word(p.kind or "", ctx.language), word(p.source, ctx.language),
        p.device_name or p.device_id or "", word(p.status or "", ctx.language),
        word("yes" if p.liveness_checked else "no", ctx.language),
    ])
    start, end = str(params["from"])[:10], str(params["to"])[:10]
    return f"Punches_{start}_{end}{_scope_suffix(params)}.csv"


BUILDERS: dict[str, Builder] = {
    "roll_call": roll_call, "daily": daily, "monthly": monthly, "punches": punches,
}
