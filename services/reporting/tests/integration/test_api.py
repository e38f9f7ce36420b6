"""The HTTP side, in process against a real database: rules, validation, history, downloads."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from faceclock_common.db import session_scope
from faceclock_common.flask import access_rule_of
from faceclock_dev.testing import TokenMint
from reporting_svc.__main__ import migrate
from reporting_svc.config import Settings
from reporting_svc.db import utcnow
from reporting_svc.main import create_app
from reporting_svc.reports import service
from reporting_svc.reports.models import DONE, Report
from reporting_svc.reports.tasks import purge


@pytest.fixture
def app(database_url: str, peer: Any, make_env: Callable[..., dict[str, str]],
        apply_env: Callable[[dict[str, str]], None]) -> Iterator[Flask]:
    apply_env(make_env(peer, REPORTING_DATABASE_URL=database_url))
    settings = Settings()
    migrate(settings)
    flask_app = create_app(settings)
    yield flask_app
    flask_app.extensions["reporting"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _auth(mint: TokenMint, *roles: str, **kwargs: Any) -> dict[str, str]:
    return mint.headers(*roles, **kwargs)


def _finish(app: Flask, report_id: int, content: str, name: str = "Monthly_2026-10.csv") -> Path:
    """Mark a report done the way a worker does, with a file on disk."""
    runtime = app.extensions["reporting"]
    path = service.file_path(runtime.settings.files_dir, report_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8-sig")
    with session_scope(runtime.sessions) as session:
        attempt = service.claim(session, report_id=report_id, stale_after=timedelta(seconds=60))
        assert attempt == 1
        assert service.finish(session, report_id=report_id, attempt=attempt, file_name=name,
                              rows=1, size_bytes=path.stat().st_size)
    return path


def test_every_route_declares_an_access_rule(app: Flask) -> None:
    rules: list[Rule] = list(app.url_map.iter_rules())
    assert len(rules) >= 6
    missing = [r.rule for r in rules if access_rule_of(app.view_functions[r.endpoint]) is None]
    assert missing == []
    public = {r.rule for r in rules if access_rule_of(app.view_functions[r.endpoint]) == "public"}
    assert public == {"/healthz", "/readyz", "/api/v1/openapi.json"}


def test_a_view_without_rule_is_refused(app: Flask, client: FlaskClient) -> None:
    app.add_url_rule("/api/v1/unguarded", "unguarded", lambda: "secret")
    response = client.get("/api/v1/unguarded")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_health_and_json_errors(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong_method = client.delete("/api/v1/reports")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"
    assert ready.headers["X-Request-ID"]


def test_tokens_are_required_and_checked(client: FlaskClient, token_mint: TokenMint) -> None:
    assert client.get("/api/v1/reports").status_code == 401
    bad = client.get("/api/v1/reports", headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"
    expired = client.get("/api/v1/reports",
                         headers=_auth(token_mint, "hr", ttl=-3600))
    assert expired.status_code == 401
    other_key = TokenMint()
    foreign = client.get("/api/v1/reports", headers=other_key.headers("admin"))
    assert foreign.status_code == 401


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"kind": "yearly", "params": {}}, 422, "validation_error"),
    ({"kind": "monthly", "params": {"month": "2026-13"}}, 422, "validation_error"),
    ({"kind": "monthly", "params": {"month": "2026-10", "extra": 1}}, 422, "validation_error"),
    ({"kind": "roll_call", "params": {}}, 422, "validation_error"),
    ({"kind": "roll_call", "params": {"roll_call_id": "x"}}, 422, "validation_error"),
    ({"kind": "daily", "params": {"date": "yesterday"}}, 422, "validation_error"),
    ({"kind": "punches", "params": {"from": "2026-11-02", "to": "2026-11-01"}}, 422,
     "validation_error"),
    ({"kind": "punches", "params": {"from": "2024-01-01", "to": "2026-11-01"}}, 422,
     "validation_error"),
    (["not", "an", "object"], 400, "bad_request"),
])
def test_bad_requests_get_clear_errors(client: FlaskClient, token_mint: TokenMint, body: Any,
                                       status: int, code: str) -> None:
    response = client.post("/api/v1/reports", json=body, headers=_auth(token_mint, "hr"))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code


def test_a_non_json_body_is_400(client: FlaskClient, token_mint: TokenMint) -> None:
    response = client.post("/api/v1/reports", data="kind=daily",
                           headers={**_auth(token_mint, "hr"),
                                    "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


def test_request_is_accepted_queued_and_readable(client: FlaskClient, peer: Any,
                                                 token_mint: TokenMint) -> None:
    peer.add_roll_call(12, "kiosk:7")
    headers = _auth(token_mint, "kiosk", sub="kiosk:7")
    response = client.post("/api/v1/reports", headers=headers,
                           json={"kind": "roll_call", "params": {"roll_call_id": 12}})
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "queued" and body["id"] > 0
    read = client.get(f"/api/v1/reports/{body['id']}", headers=headers).get_json()
    assert read["kind"] == "roll_call" and read["status"] == "queued"
    assert read["progress"] == 0 and read["file_name"] is None
    assert read["params"] == {"roll_call_id": 12}
    not_ready = client.get(f"/api/v1/reports/{body['id']}/download", headers=headers)
    assert not_ready.status_code == 409
    assert not_ready.get_json()["error"]["code"] == "report_not_ready"


@pytest.mark.parametrize(("roles", "kind", "params", "status"), [
    (("kiosk",), "daily", {"date": "2026-11-20"}, 403),
    (("kiosk",), "punches", {"from": "2026-11-01", "to": "2026-11-20"}, 403),
    (("employee",), "monthly", {"month": "2026-10"}, 403),
    (("employee",), "roll_call", {"roll_call_id": 1}, 403),
    (("hr",), "monthly", {"month": "2026-10"}, 202),
    (("admin",), "punches", {"from": "2026-11-01", "to": "2026-11-20"}, 202),
    (("manager",), "roll_call", {"roll_call_id": 3}, 202),
])
def test_who_may_request_which_kind(client: FlaskClient, token_mint: TokenMint,
                                    roles: tuple[str, ...], kind: str, params: dict[str, Any],
                                    status: int) -> None:
    response = client.post("/api/v1/reports", json={"kind": kind, "params": params},
                           headers=_auth(token_mint, *roles, employee_id=5, department_id=2))
    assert response.status_code == status, response.get_json()


def test_managers_are_held_to_their_department(client: FlaskClient,
                                               token_mint: TokenMint) -> None:
    manager = _auth(token_mint, "manager", sub="40", department_id=2)
    other = client.post("/api/v1/reports", headers=manager,
                        json={"kind": "daily", "params": {"date": "2026-11-20",
                                                          "department_id": 3}})
    assert other.status_code == 403
    own = client.post("/api/v1/reports", headers=manager,
                      json={"kind": "monthly", "params": {"month": "2026-10"}})
    assert own.status_code == 202
    read = client.get(f"/api/v1/reports/{own.get_json()['id']}", headers=manager).get_json()
    assert read["params"] == {"month": "2026-10", "department_id": 2}
    roll_call = client.post("/api/v1/reports", headers=manager,
                            json={"kind": "roll_call", "params": {"roll_call_id": 8}})
    read = client.get(f"/api/v1/reports/{roll_call.get_json()['id']}", headers=manager).get_json()
    assert read["params"] == {"roll_call_id": 8, "department_id": 2}
    unlinked = client.post("/api/v1/reports", headers=_auth(token_mint, "manager", sub="41"),
                           json={"kind": "monthly", "params": {"month": "2026-10"}})
    assert unlinked.status_code == 403


def test_employees_export_only_their_own_punches(client: FlaskClient,
                                                 token_mint: TokenMint) -> None:
    employee = _auth(token_mint, "employee", sub="50", employee_id=9)
    other = client.post("/api/v1/reports", headers=employee, json={
        "kind": "punches", "params": {"from": "2026-11-01", "to": "2026-11-20",
                                      "employee_id": 10}})
    assert other.status_code == 403
    own = client.post("/api/v1/reports", headers=employee, json={
        "kind": "punches", "params": {"from": "2026-11-01", "to": "2026-11-20"}})
    assert own.status_code == 202
    read = client.get(f"/api/v1/reports/{own.get_json()['id']}", headers=employee).get_json()
    assert read["params"] == {"from": "2026-11-01", "to": "2026-11-20", "employee_id": 9}


def test_history_is_per_user_newest_first_and_paginated(client: FlaskClient,
                                                        token_mint: TokenMint) -> None:
    alice = _auth(token_mint, "hr", sub="1")
    bob = _auth(token_mint, "employee", sub="2", employee_id=2)
    ids = [client.post("/api/v1/reports", headers=alice, json={
        "kind": "monthly", "params": {"month": f"2026-0{m}"}}).get_json()["id"]
        for m in range(1, 6)]
    bob_id = client.post("/api/v1/reports", headers=bob, json={
        "kind": "punches", "params": {"from": "2026-11-01", "to": "2026-11-02"}}).get_json()["id"]
    page = client.get("/api/v1/reports?limit=2&offset=1", headers=alice).get_json()
    assert page["total"] == 5
    assert [item["id"] for item in page["items"]] == [ids[3], ids[2]]
    mine = client.get("/api/v1/reports", headers=bob).get_json()
    assert [item["id"] for item in mine["items"]] == [bob_id]
    everyone = client.get("/api/v1/reports?scope=all", headers=alice).get_json()
    assert everyone["total"] == 6 and everyone["items"][0]["id"] == bob_id
    assert client.get("/api/v1/reports?scope=all", headers=bob).status_code == 403
    for query in ("limit=0", "limit=201", "offset=-1", "limit=abc", "scope=them"):
        response = client.get(f"/api/v1/reports?{query}", headers=alice)
        assert response.status_code == 422, query


def test_others_reports_are_404_except_for_hr(app: Flask, client: FlaskClient,
                                              token_mint: TokenMint) -> None:
    owner = _auth(token_mint, "employee", sub="7", employee_id=7)
    stranger = _auth(token_mint, "employee", sub="8", employee_id=8)
    report_id = client.post("/api/v1/reports", headers=owner, json={
        "kind": "punches", "params": {"from": "2026-11-01", "to": "2026-11-02"}}).get_json()["id"]
    _finish(app, report_id, "a,b\r\n1,2\r\n", "Punches_2026-11-01_2026-11-02.csv")
    for path in (f"/api/v1/reports/{report_id}", f"/api/v1/reports/{report_id}/download"):
        response = client.get(path, headers=stranger)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "report_not_found"
        assert client.get(path, headers=_auth(token_mint, "hr", sub="99")).status_code == 200
        assert client.get(path, headers=owner).status_code == 200
    assert client.get("/api/v1/reports/999999", headers=owner).status_code == 404
    for odd in ("99999999999999999999999", "-1", "abc", "1.5"):
        response = client.get(f"/api/v1/reports/{odd}/download", headers=owner)
        assert response.status_code == 404, odd
        assert response.get_json()["error"]["code"] == "not_found"


def test_download_is_csv_with_the_file_name(app: Flask, client: FlaskClient,
                                            token_mint: TokenMint) -> None:
    headers = _auth(token_mint, "hr")
    report_id = client.post("/api/v1/reports", headers=headers, json={
        "kind": "monthly", "params": {"month": "2026-10"}}).get_json()["id"]
    _finish(app, report_id, "Name\r\n张伟\r\n")
    response = client.get(f"/api/v1/reports/{report_id}/download", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename=Monthly_2026-10.csv'
    assert response.data == "\ufeffName\r\n张伟\r\n".encode()
    read = client.get(f"/api/v1/reports/{report_id}", headers=headers).get_json()
    assert read["status"] == "done" and read["progress"] == 1 and read["rows"] == 1


def test_download_as_xlsx_keeps_numbers_names_and_the_formula_guard(
        app: Flask, client: FlaskClient, token_mint: TokenMint) -> None:
    """The same report as an .xlsx (what HR opens in Excel): titles, Chinese names, numbers as
    numbers, a would-be formula still plain text."""
    from io import BytesIO

    from openpyxl import load_workbook

    headers = _auth(token_mint, "hr")
    report_id = client.post("/api/v1/reports", headers=headers, json={
        "kind": "monthly", "params": {"month": "2026-10"}}).get_json()["id"]
    _finish(app, report_id, '"工号","姓名","工作小时"\r\n"E001","张伟",160\r\n'
                            '"E002","\'=1+2",7.5\r\n')
    response = client.get(f"/api/v1/reports/{report_id}/download?format=xlsx", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    assert "Monthly_2026-10.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("工号", "姓名", "工作小时"), ("E001", "张伟", 160), ("E002", "'=1+2", 7.5)]
    assert sheet["A1"].font.bold and sheet["B3"].data_type == "s"
    odd = client.get(f"/api/v1/reports/{report_id}/download?format=pdf", headers=headers)
    assert odd.status_code == 422


def test_retention_deletes_old_files_and_download_says_gone(app: Flask, client: FlaskClient,
                                                            token_mint: TokenMint) -> None:
    headers = _auth(token_mint, "hr")
    old_id, new_id = (client.post("/api/v1/reports", headers=headers, json={
        "kind": "monthly", "params": {"month": "2026-10"}}).get_json()["id"] for _ in range(2))
    old_path, new_path = _finish(app, old_id, "x\r\n"), _finish(app, new_id, "y\r\n")
    runtime = app.extensions["reporting"]
    with session_scope(runtime.sessions) as session:
        report = session.get(Report, old_id)
        assert report is not None and report.status == DONE
        report.finished_at = utcnow() - timedelta(days=runtime.settings.retention_days + 1)
    assert purge(runtime) == 1
    assert not old_path.exists() and new_path.exists()
    gone = client.get(f"/api/v1/reports/{old_id}/download", headers=headers)
    assert gone.status_code == 410
    assert gone.get_json()["error"]["code"] == "report_expired"
    assert client.get(f"/api/v1/reports/{old_id}", headers=headers).get_json()["expired"] is True
    assert client.get(f"/api/v1/reports/{new_id}/download", headers=headers).status_code == 200
    assert purge(runtime) == 0


def test_a_broker_that_is_down_loses_no_report(database_url: str, peer: Any,
                                               make_env: Callable[..., dict[str, str]],
                                               apply_env: Callable[[dict[str, str]], None],
                                               token_mint: TokenMint) -> None:
    from faceclock_dev.testing import free_port

    apply_env(make_env(peer, broker_url=f"redis://127.0.0.1:{free_port()}/0",
                       REPORTING_DATABASE_URL=database_url))
    settings = Settings()
    migrate(settings)
    down = create_app(settings)
    client = down.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert set(ready.get_json()["failing"]) == {"broker"}
    response = client.post("/api/v1/reports", headers=_auth(token_mint, "hr"),
                           json={"kind": "monthly", "params": {"month": "2026-10"}})
    assert response.status_code == 202
    runtime = down.extensions["reporting"]
    with session_scope(runtime.sessions) as session:
        report = session.get(Report, response.get_json()["id"])
        assert report is not None and report.status == "queued"
    runtime.engine.dispose()


def test_one_caller_cannot_flood_the_workers(peer: Any, make_env: Callable[..., dict[str, str]],
                                             apply_env: Callable[[dict[str, str]], None],
                                             sqlite_url: str, token_mint: TokenMint) -> None:
    apply_env(make_env(peer, REPORTING_DATABASE_URL=sqlite_url,
                       REPORTING_MAX_ACTIVE_PER_OWNER="2"))
    settings = Settings()
    migrate(settings)
    flask_app = create_app(settings)
    client = flask_app.test_client()
    body = {"kind": "monthly", "params": {"month": "2026-10"}}
    busy = _auth(token_mint, "hr", sub="5")
    assert [client.post("/api/v1/reports", headers=busy, json=body).status_code
            for _ in range(3)] == [202, 202, 429]
    refused = client.post("/api/v1/reports", headers=busy, json=body)
    assert refused.get_json()["error"]["code"] == "too_many_reports"
    # Like every 429: when to come back, in the header and in the body.
    assert refused.headers["Retry-After"] == "10"
    assert refused.get_json()["error"]["retry_after_seconds"] == 10
    other = client.post("/api/v1/reports", headers=_auth(token_mint, "hr", sub="6"), json=body)
    assert other.status_code == 202
    flask_app.extensions["reporting"].engine.dispose()


@pytest.mark.parametrize("body", [
    {"kind": "monthly", "params": None},
    {"kind": None},
    {},
    {"kind": "monthly", "params": ["2026-10"]},
    {"kind": "daily", "params": {"date": "2026-02-30"}},
    {"kind": "punches", "params": {"from": "2026-11-01T08:00:00", "to": "2026-11-02"}},
    {"kind": "roll_call", "params": {"roll_call_id": 1e30}},
    {"kind": "roll_call", "params": {"roll_call_id": 99999999999999999999999}},
    {"kind": "monthly", "params": {"month": "2026-10", "department_id": "x"}},
    {"kind": "monthly", "params": {"month": 202610}},
    {"kind": "monthly", "params": {"month": "2026-10"}, "extra": 1},
])
def test_odd_bodies_get_a_4xx_never_a_500(client: FlaskClient, token_mint: TokenMint,
                                          body: Any) -> None:
    response = client.post("/api/v1/reports", json=body, headers=_auth(token_mint, "admin"))
    assert 400 <= response.status_code < 500, response.get_json()
    assert set(response.get_json()["error"]) >= {"code", "message"}


def test_an_oversized_body_is_413(client: FlaskClient, token_mint: TokenMint) -> None:
    body = {"kind": "monthly", "params": {"month": "2026-10", "x": "y" * 100_000}}
    response = client.post("/api/v1/reports", json=body, headers=_auth(token_mint, "hr"))
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_openapi_document_is_public_and_covers_every_report_route(client: FlaskClient, app: Flask) -> None:
    reply = client.get("/api/v1/openapi.json")
    assert reply.status_code == 200
    document = reply.get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/reports"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}}
    assert served and served <= documented
    assert "ReportCreate" in document["components"]["schemas"]


def test_a_kiosk_exports_its_own_roll_calls_only(client: FlaskClient, peer: Any,
                                                token_mint: TokenMint) -> None:
    """Issue 17 item 10: a kiosk asking for HR's organisation-wide roll call (or one that does
    not exist) gets a 404 and no report; its own roll call it gets, hr gets every one."""
    peer.add_roll_call(20, "kiosk:7")
    peer.add_roll_call(21, "3")  # taken by hr
    kiosk = _auth(token_mint, "kiosk", sub="kiosk:7")
    for roll_call_id in (21, 999):
        refused = client.post("/api/v1/reports", headers=kiosk,
                              json={"kind": "roll_call", "params": {"roll_call_id": roll_call_id}})
        assert refused.status_code == 404, refused.get_json()
        assert refused.get_json()["error"]["code"] == "roll_call_not_found"
    assert client.get("/api/v1/reports", headers=kiosk).get_json()["total"] == 0
    own = client.post("/api/v1/reports", headers=kiosk,
                      json={"kind": "roll_call", "params": {"roll_call_id": 20}})
    assert own.status_code == 202
    hr = client.post("/api/v1/reports", headers=_auth(token_mint, "hr", sub="3"),
                     json={"kind": "roll_call", "params": {"roll_call_id": 21}})
    assert hr.status_code == 202
    # The kiosk cannot read or download hr's report either.
    other = hr.get_json()["id"]
    assert client.get(f"/api/v1/reports/{other}/download", headers=kiosk).status_code == 404


def test_deeply_nested_json_is_a_400(client: FlaskClient, token_mint: TokenMint) -> None:
    """Issue 17 item 12: not a RecursionError (500)."""
    body = '{"kind": "daily", "params": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/reports", data=body, headers={
        **_auth(token_mint, "hr"), "Content-Type": "application/json"})
    assert response.status_code in (400, 413), response.get_json()
    assert response.get_json()["error"]["code"] in ("bad_request", "payload_too_large")
    deep = '{"kind": "daily", "params": ' + "[" * 20_000 + "]" * 20_000 + "}"
    nested = client.post("/api/v1/reports", data=deep, headers={
        **_auth(token_mint, "hr"), "Content-Type": "application/json"})
    assert nested.status_code == 400, nested.get_json()


def test_the_csv_download_names_its_charset_once(app: Flask, client: FlaskClient,
                                                 token_mint: TokenMint) -> None:
    """Issue 17 item 19: not `text/csv; charset=utf-8; charset=utf-8`."""
    headers = _auth(token_mint, "hr")
    created = client.post("/api/v1/reports", headers=headers,
                          json={"kind": "daily", "params": {"date": "2026-11-20"}})
    report_id = created.get_json()["id"]
    _finish(app, report_id, "a\r\n")
    download = client.get(f"/api/v1/reports/{report_id}/download", headers=headers)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
