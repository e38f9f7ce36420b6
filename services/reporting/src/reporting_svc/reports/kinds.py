"""What each report kind fetches and writes. Rows go to the file page by page as they arrive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from reporting_svc.attendance import AttendanceClient, PeerRefused
from reporting_svc.csvfile import CsvWriter
from reporting_svc.reports.wording import columns, word

Progress = Callable[[float], None]


class Directory:
    """Employee number, name and department name by employee id, for lists whose rows carry only
    the id (punches). Loaded on first need, and only for the report's scope: a few MB even for
    10,000 employees, while the rows themselves are never held."""

    def __init__(self, client: AttendanceClient, *, employee_id: int | None = None,
                 department_id: int | None = None, site_id: int | None = None) -> None:
        self._client = client
        self._employee_id = employee_id
        self._scope = {"department_id": department_id, "site_id": site_id}
        self._people: dict[int, tuple[str, str, str]] | None = None
        self._departments: dict[int, str] = {}

    def _entry(self, employee: dict[str, Any]) -> tuple[str, str, str]:
        department = self._departments.get(employee.get("department_id") or -1, "")
        return str(employee.get("employee_no") or ""), _name(employee), department

    def _load(self) -> dict[int, tuple[str, str, str]]:
        self._departments = {int(d["id"]): str(d.get("name") or "")
                             for page in self._client.pages("/api/v1/departments", {})
                             for d in page.items}
        people: dict[int, tuple[str, str, str]] = {}
        if self._employee_id is None:
            for page in self._client.pages("/api/v1/employees", self._scope):
                for employee in page.items:
                    people[int(employee["id"])] = self._entry(employee)
        return people

    def person(self, employee_id: Any) -> tuple[str, str, str]:
        if self._people is None:
            self._people = self._load()
        if not isinstance(employee_id, int):
            return "", "", ""
        if employee_id not in self._people:
            # Not in the list (a single-employee export, or someone since deactivated).
            try:
                employee = self._client.get_json(f"/api/v1/employees/{employee_id}")
                self._people[employee_id] = self._entry(employee)
            except PeerRefused:
                self._people[employee_id] = ("", "", "")
        return self._people[employee_id]


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


def _department(item: dict[str, Any]) -> str:
    value = item.get("department", item.get("department_name"))
    if isinstance(value, dict):
        return str(value.get("name") or value.get("code") or "")
    return "" if value is None else str(value)


def _name(item: dict[str, Any]) -> str:
    return str(item.get("name") or item.get("employee_name") or "")


def _who(item: dict[str, Any], directory: Directory) -> tuple[str, str, str]:
    """The row's own employee fields; what the source leaves out (punch rows carry number and
    name but no department) comes from the directory."""
    if not (item.get("name") or item.get("employee_name")):
        return directory.person(item.get("employee_id"))
    if "department" in item or "department_name" in item:
        department = _department(item)
    else:
        department = directory.person(item.get("employee_id"))[2]
    return str(item.get("employee_no") or ""), _name(item), department


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d_%H-%M-%S")


def _local(value: Any, tz: ZoneInfo) -> datetime:
    """A source time in the report's timezone; a time without offset is UTC (how we store)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise PeerRefused(f"attendance sent an unreadable time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


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
    body = ctx.client.get_json(f"/internal/roll-calls/{roll_call_id}")
    department_id = ctx.params.get("department_id")
    if department_id is not None and body.get("department_id") != department_id:
        raise PeerRefused(f"roll call {roll_call_id} is not a roll call of department "
                          f"{department_id}")
    at = _local(body.get("at"), ctx.tz)
    out.header(columns(["Employee No", "Name", "Department", "Status", "Time"], ctx.language))
    groups = (("present", body.get("present") or []), ("absent", body.get("absent") or []))
    for status, people in groups:
        for person in sorted(people, key=lambda p: str(p.get("employee_no") or "")):
            time = at.strftime("%Y-%m-%d %H:%M:%S") if status == "present" else ""
            out.row([person.get("employee_no", ""), _name(person), _department(person),
                     word(status, ctx.language), time])
    ctx.progress(1.0)
    return f"RollCall_{_stamp(at)}.csv"


def _paged(ctx: Context, path: str, query: dict[str, Any],
           to_row: Callable[[dict[str, Any]], list[Any]]) -> None:
    written = 0
    for page in ctx.client.pages(path, query):
        for item in page.items:
            ctx.out.row(to_row(item))
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
    directory = Directory(ctx.client, **_scope(params))
    query = {"date": params["date"], **_scope(params)}
    _paged(ctx, "/api/v1/attendance/daily", query, lambda d: [
        d.get("employee_id"), *_who(d, directory), d.get("date", params["date"]),
        word(d.get("status", ""), ctx.language), word(d.get("final"), ctx.language),
        d.get("scheduled_minutes"), d.get("late_minutes"),
        d.get("early_leave_minutes"), d.get("worked_minutes"), d.get("overtime_minutes"),
        d.get("leave_minutes"), _by_type(d.get("leave_by_type")), d.get("business_trip_minutes"),
        d.get("missing_checkouts"), d.get("explanation", ""),
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


def _monthly_row(month: str, m: dict[str, Any], directory: Directory) -> list[Any]:
    values = [_by_type(m.get(key)) if key == "leave_hours_by_type" else m.get(key)
              for _, key in MONTHLY_FIELDS]
    return [m.get("employee_id"), *_who(m, directory), m.get("month", month), *values]


def monthly(ctx: Context) -> str:
    params = ctx.params
    ctx.out.header(columns(MONTHLY_COLUMNS, ctx.language))
    directory = Directory(ctx.client, **_scope(params))
    month = params["month"]
    query = {"month": month, **_scope(params)}
    _paged(ctx, "/api/v1/attendance/monthly", query,
           lambda m: _monthly_row(month, m, directory))
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
    directory = Directory(ctx.client, employee_id=params.get("employee_id"), **_scope(params))
    query = {"from": _bound(params["from"], ctx.tz, end=False),
             "to": _bound(params["to"], ctx.tz, end=True),
             "employee_id": params.get("employee_id"), **_scope(params),
             "liveness": params.get("liveness")}
    _paged(ctx, "/api/v1/punches", query, lambda p: [
        p.get("id", p.get("punch_id")), p.get("employee_id"), *_who(p, directory),
        # Local wall-clock time to the second: what a spreadsheet reader expects.
        _local(p.get("at"), ctx.tz).strftime("%Y-%m-%d %H:%M:%S"),
        word(p.get("kind") or "", ctx.language), word(p.get("source") or "", ctx.language),
        p.get("device_name") or p.get("device_id") or "", word(p.get("status") or "", ctx.language),
        word("yes" if p.get("liveness_checked") else "no", ctx.language),
    ])
    start, end = str(params["from"])[:10], str(params["to"])[:10]
    return f"Punches_{start}_{end}{_scope_suffix(params)}.csv"


BUILDERS: dict[str, Builder] = {
    "roll_call": roll_call, "daily": daily, "monthly": monthly, "punches": punches,
}
