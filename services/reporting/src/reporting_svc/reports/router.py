"""/api/v1/reports: request a report, follow it, download it, list one's history."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, send_file
from pydantic import ValidationError

from faceclock_common.bounds import OFFSET_MAX, ROW_ID_MAX
from faceclock_common.contracts import RollCallRead
from faceclock_common.errors import ApiError, try_later
from faceclock_common.flask import authenticated, current_principal, require_roles
from faceclock_common.i18n import negotiate
from faceclock_common.security import Principal
from reporting_svc import deps
from reporting_svc.attendance import PeerError, PeerRefused
from reporting_svc.reports import service
from reporting_svc.reports.models import DONE, FAILED, Report
from reporting_svc.reports.schemas import ReportCreate, ReportPage, ReportRead
from reporting_svc.reports.tasks import enqueue
from reporting_svc.xlsxfile import XLSX_MEDIA_TYPE, csv_to_xlsx

blueprint = Blueprint("reports", __name__, url_prefix="/api/v1/reports")

# Who may request which kind (admin: every kind). Managers are held to their department and
# employees to their own punches in _scope_params.
KIND_ROLES: dict[str, frozenset[str]] = {
    "roll_call": frozenset({"hr", "manager", "kiosk", "service"}),
    "daily": frozenset({"hr", "manager", "service"}),
    "monthly": frozenset({"hr", "manager", "service"}),
    "punches": frozenset({"hr", "manager", "employee", "service"}),
}
# Roles that read every report, not only their own.
READ_ALL_ROLES = frozenset({"admin", "hr"})
MAX_LIMIT = 200
# A caller at their limit of reports in progress: most reports take seconds, so look again soon.
REPORT_RETRY_AFTER_SECONDS = 10


def to_read(report: Report) -> dict[str, Any]:
    read = ReportRead(
        id=report.id, kind=report.kind, status=report.status, progress=round(report.progress, 4),
        file_name=report.file_name, error=report.error if report.status == FAILED else None,
        params=report.params, rows=report.rows, size_bytes=report.size_bytes,
        attempts=report.attempts, created_at=report.created_at, started_at=report.started_at,
        finished_at=report.finished_at, expired=report.file_deleted_at is not None,
    )
    return read.model_dump(mode="json")


def _forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def _scope_params(principal: Principal, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Object-level rules: what a manager or an employee may ask a report about."""
    if principal.has_any({"admin", "hr", "service"}):
        return params
    if "manager" in principal.roles and kind in ("daily", "monthly", "punches", "roll_call"):
        if principal.department_id is None:
            raise _forbidden("Your account is not linked to a department.")
        if params.get("department_id", principal.department_id) != principal.department_id:
            raise _forbidden("Managers may request reports on their own department only.")
        return {**params, "department_id": principal.department_id}
    if "employee" in principal.roles and kind == "punches":
        if principal.employee_id is None:
            raise _forbidden("Your account is not linked to an employee.")
        if params.get("department_id") is not None or params.get(
                "employee_id", principal.employee_id) != principal.employee_id:
            raise _forbidden("Employees may export their own punches only.")
        return {**params, "employee_id": principal.employee_id}
    return params


def _check_own_roll_call(principal: Principal, roll_call_id: int) -> None:
    """A kiosk exports the roll calls it took, not anyone else's (HR's organisation-wide one)."""
    try:
        with deps.runtime().attendance() as client:
            roll_call = RollCallRead.model_validate(
                client.get_json(f"/internal/roll-calls/{roll_call_id}"))
    except (PeerRefused, ValidationError):
        roll_call = None
    except PeerError as exc:
        raise ApiError(503, "attendance_unavailable",
                       "The attendance service is unavailable right now; try again shortly.") from exc
    if roll_call is None or roll_call.actor != principal.subject:
        raise ApiError(404, "roll_call_not_found", "No such roll call of this kiosk.")


def _json_body() -> dict[str, Any]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "bad_request", "The JSON body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    return body


@blueprint.post("")
@require_roles("hr", "manager", "employee", "kiosk", "service")
def create_report() -> tuple[Response, int]:
    principal = current_principal()
    wanted = ReportCreate.model_validate(_json_body())
    if not principal.has_any(KIND_ROLES[wanted.kind] | {"admin"}):
        raise _forbidden(f"Your role may not request {wanted.kind} reports.")
    params = _scope_params(principal, wanted.kind, wanted.validated_params())
    if wanted.kind == "roll_call" and "kiosk" in principal.roles and not principal.has_any(
            {"admin", "hr", "manager", "service"}):
        _check_own_roll_call(principal, int(params["roll_call_id"]))
    language = negotiate(request.headers.get("Accept-Language"))
    if language != "en":
        params = {**params, "language": language}  # the worker writes the file in it later
    session = deps.db_session()
    limit = deps.runtime().settings.max_active_per_owner
    report = service.admit_report(session, limit=limit, kind=wanted.kind, params=params,
                                  owner_subject=principal.subject,
                                  request_id=g.get("request_id", "-"))
    if report is None:
        raise try_later(429, "too_many_reports",
                        f"You already have {limit} reports waiting or running; "
                        "wait for them to finish.", REPORT_RETRY_AFTER_SECONDS)
    session.commit()
    enqueue(deps.celery_app(), deps.runtime(), report.id)
    return jsonify(id=report.id, status=report.status), 202


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ApiError(422, "validation_error", f"{name}: must be an integer from {low} to {high}")
    return value


@blueprint.get("")
@authenticated
def list_reports() -> Response:
    """The caller's history, newest first; admin and hr may ask for everyone's (?scope=all)."""
    principal = current_principal()
    scope = request.args.get("scope", "mine")
    if scope not in ("mine", "all"):
        raise ApiError(422, "validation_error", "scope: must be mine or all")
    if scope == "all" and not principal.has_any(READ_ALL_ROLES):
        raise _forbidden("Only admin and hr may list every report.")
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0, OFFSET_MAX)
    items, total = service.list_reports(
        deps.db_session(), owner_subject=None if scope == "all" else principal.subject,
        limit=limit, offset=offset)
    page = ReportPage(items=[ReportRead.model_validate(to_read(r)) for r in items], total=total)
    return jsonify(page.model_dump(mode="json"))


def _visible_report(report_id: int) -> Report:
    """The report if the caller may see it; 404 otherwise, so ids of others' reports leak nothing."""
    principal = current_principal()
    report = service.get_report(deps.db_session(), report_id=report_id)
    if report is None or not (principal.has_any(READ_ALL_ROLES)
                              or report.owner_subject == principal.subject):
        raise ApiError(404, "report_not_found", "No such report.")
    return report


@blueprint.get(f"/<int(max={ROW_ID_MAX}):report_id>")
@authenticated
def get_report(report_id: int) -> Response:
    return jsonify(to_read(_visible_report(report_id)))


@blueprint.get(f"/<int(max={ROW_ID_MAX}):report_id>/download")
@authenticated
def download_report(report_id: int) -> Response:
    report = _visible_report(report_id)
    if report.status != DONE or report.file_name is None:
        raise ApiError(409, "report_not_ready", f"The report is {report.status}, not done.",
                       report_status=report.status)
    path = service.file_path(deps.runtime().settings.files_dir, report.id)
    if report.file_deleted_at is not None or not path.is_file():
        raise ApiError(410, "report_expired", "The report's file was deleted after its retention "
                       "period; request the report again.")
    wanted = request.args.get("format", "csv")
    if wanted == "xlsx":
        name = report.file_name.removesuffix(".csv") + ".xlsx"
        return send_file(io.BytesIO(csv_to_xlsx(path, report.kind)), mimetype=XLSX_MEDIA_TYPE,
                         as_attachment=True, download_name=name, max_age=0)
    if wanted != "csv":
        raise ApiError(422, "validation_error", "format: must be csv or xlsx.")
    # Flask adds "; charset=utf-8" to text types itself.
    return send_file(path, mimetype="text/csv", as_attachment=True,
                     download_name=report.file_name, max_age=0)
