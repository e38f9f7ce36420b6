"""The nightly digest of missing check-outs: attendance reports a day; each department's
managers (a manager account of it, or the account of the employee named its manager) and hr get
the people in their scope, in the list and by e-mail from a real SMTP server, in their language;
each account's opt-out holds, and a day is sent once however often it is reported."""

# Chinese text uses full-width punctuation, which is correct there.
# ruff: noqa: RUF001

from __future__ import annotations

import time
from typing import Any

GATEWAY_SECRET = "gateway-client-secret-0123456789"  # the tests' settings (conftest.py)


def _service(api: Any) -> dict[str, str]:
    reply = api.http.post("/internal/service-token",
                          json={"client_id": "gateway", "client_secret": GATEWAY_SECRET})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def _account(api: Any, name: str, **change: Any) -> dict[str, Any]:
    user = api.register(name, language=change.pop("language", "en"))
    if change:
        reply = api.http.patch(f"/api/v1/users/{user['id']}", json=change,
                               headers=api.admin_headers())
        assert reply.status_code == 200, reply.text
    return user


def _person(employee_id: int, name: str, department_id: int | None,
            department: str | None, checked_in: str | None = "08:02") -> dict[str, Any]:
    return {"employee_id": employee_id, "employee_no": f"E{employee_id}", "name": name,
            "department_id": department_id, "department": department, "checked_in": checked_in}


DIGEST = {"day": "2027-03-01", "managers": {"3": 50}, "people": [
    _person(42, "Eve Early", 3, "Sales"), _person(43, "Lin Late", 4, "Ops", None),
    _person(44, "王小明", None, None, "21:30")]}


def test_each_manager_and_hr_get_their_people_once_a_day(sqlite_api: Any,
                                                        smtp_server: Any) -> None:
    port, mailbox = smtp_server
    settings = sqlite_api.runtime.settings
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    _account(sqlite_api, "hana", language="zh-CN", roles=["hr"])
    _account(sqlite_api, "moe", roles=["manager"], department_id=4)  # a manager account of Ops
    _account(sqlite_api, "nico", employee_id=50)  # the employee named manager of Sales
    _account(sqlite_api, "otto", roles=["manager"], department_id=9)  # nobody missing there
    _account(sqlite_api, "eve", employee_id=42, department_id=3)  # an employee: not told
    mailbox.wait_for(5)  # the welcomes
    mailbox.messages.clear()

    sent = sqlite_api.http.post("/internal/digests/missing-checkouts",
                                headers=_service(sqlite_api), json=DIGEST)
    assert sent.status_code == 200, sent.text
    assert sent.json() == {"already_sent": False, "in_app": 3, "emails": 3}
    mails = {m["To"]: m for m in mailbox.wait_for(3)}
    assert set(mails) == {"hana@example.com", "moe@example.com", "nico@example.com"}

    def text(address: str) -> str:
        body: str = mails[address].get_body(preferencelist=("plain",)).get_content()
        return body

    assert mails["nico@example.com"]["Subject"] == "Missing check-outs on 2027-03-01: 1"
    assert "Eve Early (E42) · Sales, in at 08:02" in text("nico@example.com")
    assert "Lin Late" not in text("nico@example.com")
    assert "Lin Late (E43) · Ops" in text("moe@example.com")
    assert "Eve Early" not in text("moe@example.com")
    assert mails["hana@example.com"]["Subject"] == "2027-03-01 未签退：3 人"
    hana = text("hana@example.com")
    assert "以下人员在 2027-03-01 已签到但未签退：" in hana
    assert "王小明（E44），21:30 签到" in hana and "Eve Early（E42），Sales，08:02 签到" in hana

    listed = sqlite_api.http.get("/api/v1/notifications",
                                 headers=sqlite_api.user_headers("nico")).json()
    assert [n["event"] for n in listed["items"]] == ["checkout_digest"]
    assert listed["items"][0]["request"]["day"] == "2027-03-01"
    assert [p["name"] for p in listed["items"][0]["request"]["people"]] == ["Eve Early"]

    # The nightly job runs again (a restart, a retry): nothing is sent twice.
    mailbox.messages.clear()
    again = sqlite_api.http.post("/internal/digests/missing-checkouts",
                                 headers=_service(sqlite_api), json=DIGEST)
    assert again.json() == {"already_sent": True, "in_app": 0, "emails": 0}
    time.sleep(1.5)  # e-mails go out after the answer: give a wrong one time to arrive
    assert mailbox.messages == []
    assert sqlite_api.http.get("/api/v1/notifications",
                               headers=sqlite_api.user_headers("nico")).json()["total"] == 1


def test_the_opt_outs_hold_and_an_empty_day_is_not_kept(sqlite_api: Any,
                                                       smtp_server: Any) -> None:
    port, mailbox = smtp_server
    settings = sqlite_api.runtime.settings
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    _account(sqlite_api, "hugo", roles=["hr"])
    _account(sqlite_api, "mia", roles=["manager"], department_id=3)
    mailbox.wait_for(2)
    mailbox.messages.clear()
    sqlite_api.http.put("/api/v1/notifications/settings", headers=sqlite_api.user_headers("hugo"),
                        json={"in_app": True, "email": False})
    sqlite_api.http.put("/api/v1/notifications/settings", headers=sqlite_api.user_headers("mia"),
                        json={"in_app": False, "email": True})

    empty = sqlite_api.http.post("/internal/digests/missing-checkouts",
                                 headers=_service(sqlite_api),
                                 json={**DIGEST, "people": []})
    assert empty.json() == {"already_sent": False, "in_app": 0, "emails": 0}
    sent = sqlite_api.http.post("/internal/digests/missing-checkouts",
                                headers=_service(sqlite_api), json=DIGEST)
    assert sent.json() == {"already_sent": False, "in_app": 1, "emails": 1}
    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == "mia@example.com"
    assert sqlite_api.http.get("/api/v1/notifications",
                               headers=sqlite_api.user_headers("mia")).json()["total"] == 0
    assert sqlite_api.http.get("/api/v1/notifications",
                               headers=sqlite_api.user_headers("hugo")).json()["total"] == 1


def test_only_a_service_reports_a_digest_and_bad_ones_are_refused(sqlite_api: Any) -> None:
    sqlite_api.register("ivy")
    user = sqlite_api.http.post("/internal/digests/missing-checkouts", json=DIGEST,
                                headers=sqlite_api.user_headers("ivy"))
    assert user.status_code == 403
    service = _service(sqlite_api)
    for bad in ({**DIGEST, "day": "yesterday"}, {**DIGEST, "day": 20270301},
                {**DIGEST, "people": [{"employee_id": 0, "name": "x"}]},
                {**DIGEST, "surprise": True}):
        reply = sqlite_api.http.post("/internal/digests/missing-checkouts", headers=service,
                                     json=bad)
        assert reply.status_code == 422, (bad, reply.text)
