"""Notices of requests: attendance reports a filing or a decision; the approvers (or the
requester) get it in their list and by e-mail from a real SMTP server, in their own language;
each account may turn either off."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

GATEWAY_SECRET = "gateway-client-secret-0123456789"  # the tests' settings (conftest.py)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _service(api: Any) -> dict[str, str]:
    reply = api.http.post("/internal/service-token",
                          json={"client_id": "gateway", "client_secret": GATEWAY_SECRET})
    assert reply.status_code == 200, reply.text
    return bearer(reply.json()["access_token"])


def _account(api: Any, name: str, **change: Any) -> dict[str, Any]:
    user = api.register(name, language=change.pop("language", "en"))
    if change:
        reply = api.http.patch(f"/api/v1/users/{user['id']}", json=change,
                               headers=api.admin_headers())
        assert reply.status_code == 200, reply.text
    return user


def _notice(event: str, actor: str, requester: str, **more: Any) -> dict[str, Any]:
    return {"event": event, "actor": actor, "request": {
        "kind": "leave", "id": 7, "leave_type": "annual", "half": None,
        "summary": "2027-03-01 \u2013 2027-03-02", "employee_id": 42,
        "employee_name": "Eve Early", "department_id": 3, "manager_employee_id": 50,
        "requester": requester, **more}}


def test_a_filing_reaches_the_approvers_and_a_decision_the_requester(
        sqlite_api: Any, smtp_server: Any) -> None:
    port, mailbox = smtp_server
    settings = sqlite_api.runtime.settings
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    _account(sqlite_api, "hana", language="zh-CN", roles=["hr"])
    mo = _account(sqlite_api, "moe", roles=["manager"], department_id=3)
    named = _account(sqlite_api, "nico", employee_id=50)  # named manager of the department
    _account(sqlite_api, "otto", roles=["manager"], department_id=4)  # another department
    eve = _account(sqlite_api, "eve", employee_id=42, department_id=3)
    mailbox.wait_for(5)  # the welcomes
    mailbox.messages.clear()

    filed = sqlite_api.http.post("/internal/notifications", headers=_service(sqlite_api),
                                 json=_notice("request_filed", str(eve["id"]), str(eve["id"])))
    assert filed.status_code == 200, filed.text
    assert filed.json() == {"in_app": 3, "emails": 3}
    mails = {m["To"]: m for m in mailbox.wait_for(3)}
    assert set(mails) == {"hana@example.com", "moe@example.com", "nico@example.com"}
    assert mails["hana@example.com"]["Subject"] == "Eve Early提交了新的年假申请"
    assert "等待您审批：2027-03-01 \u2013 2027-03-02。" in mails["hana@example.com"].get_body(
        preferencelist=("plain",)).get_content()
    assert mails["moe@example.com"]["Subject"] == "New annual leave request from Eve Early"
    assert "https://faceclock.example/requests?tab=approve" in mails["moe@example.com"].get_body(
        preferencelist=("plain",)).get_content()

    # Mo reads his list, then turns e-mail off; Hana turns the list off.
    mo_headers = sqlite_api.user_headers("moe")
    listed = sqlite_api.http.get("/api/v1/notifications", headers=mo_headers).json()
    assert (listed["total"], listed["unread"]) == (1, 1)
    assert listed["items"][0]["event"] == "request_filed"
    assert listed["items"][0]["request"]["employee_name"] == "Eve Early"
    assert sqlite_api.http.post("/api/v1/notifications/read", headers=mo_headers
                                ).status_code == 204
    assert sqlite_api.http.get("/api/v1/notifications", headers=mo_headers).json()["unread"] == 0
    assert sqlite_api.http.put("/api/v1/notifications/settings", headers=mo_headers, json={
        "in_app": True, "email": False}).json() == {"in_app": True, "email": False}
    hana_headers = sqlite_api.user_headers("hana")
    sqlite_api.http.put("/api/v1/notifications/settings", headers=hana_headers,
                        json={"in_app": False, "email": True})
    mailbox.messages.clear()
    again = sqlite_api.http.post("/internal/notifications", headers=_service(sqlite_api),
                                 json=_notice("request_filed", str(eve["id"]), str(eve["id"])))
    assert again.json() == {"in_app": 2, "emails": 2}  # mo in the list, hana by e-mail
    assert {m["To"] for m in mailbox.wait_for(2)} == {"hana@example.com", "nico@example.com"}

    # Mo approves: Eve hears of it (Mo does not), with his comment.
    mailbox.messages.clear()
    decided = sqlite_api.http.post("/internal/notifications", headers=_service(sqlite_api),
                                   json=_notice("request_approved", str(mo["id"]),
                                                str(eve["id"]), decided_by_name="Mo Manager",
                                                note="Enjoy"))
    assert decided.json() == {"in_app": 1, "emails": 1}
    (mail,) = mailbox.wait_for(1)
    assert (mail["To"], mail["Subject"]) == ("eve@example.com",
                                             "Your annual leave request was approved")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Mo Manager approved the annual leave request of Eve Early" in text
    assert "Comment: Enjoy" in text
    mine = sqlite_api.http.get("/api/v1/notifications",
                               headers=sqlite_api.user_headers("eve")).json()
    assert [n["event"] for n in mine["items"]] == ["request_approved"]
    assert named["id"] != eve["id"]


def test_only_a_service_may_report_and_bad_reports_are_refused(sqlite_api: Any) -> None:
    eve = sqlite_api.register("evelyn")
    notice = _notice("request_filed", str(eve["id"]), str(eve["id"]))
    user = sqlite_api.http.post("/internal/notifications", json=notice,
                                headers=sqlite_api.user_headers("evelyn"))
    assert user.status_code == 403
    bad = sqlite_api.http.post("/internal/notifications", headers=_service(sqlite_api),
                               json={**notice, "event": "request_exploded"})
    assert bad.status_code == 422
    kiosk_like = sqlite_api.http.get("/api/v1/notifications")
    assert kiosk_like.status_code == 401
