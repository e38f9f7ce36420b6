"""Liveness challenges and settings in attendance: per site, single use, short-lived, and the
flag on every punch (SQLite, and MariaDB where it answers)."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from attendance_svc.main import create_app

SERVICE = {"token_claims": {"sub": "service:gateway"}}


def _site(api: Any, name: str, liveness: str) -> dict[str, Any]:
    body = {"name": name, "timezone": "UTC", "liveness": liveness}
    return dict(api.ok("POST", "/api/v1/sites", "hr", status=201, json=body))


def _challenge(api: Any, actor: str, **scope: Any) -> Any:
    return api.ok("POST", "/internal/liveness/challenges", "service",
                  json={"actor": actor, **scope}, **SERVICE)


def _use(api: Any, challenge_id: str, actor: str) -> Any:
    return api.post(f"/internal/liveness/challenges/{challenge_id}/use", "service",
                    json={"actor": actor}, **SERVICE)


def _clock(api: Any, employee_id: int, **fields: Any) -> Any:
    return api.post("/internal/clock-ins", "service", **SERVICE, json={
        "employee_id": employee_id, "actor": "kiosk:4", **fields})


def test_the_site_setting_decides_who_needs_a_challenge(api: Any) -> None:
    checked = _site(api, "Checked everywhere", "everywhere")
    kiosks_only = _site(api, "Kiosks only", "kiosks")
    assert _site(api, "Unchecked", "off")["liveness"] == "off"
    api.ok("PUT", f"/api/v1/sites/{kiosks_only['id']}/kiosks/4", "hr")
    at_checked = api.employee("L1", site_id=checked["id"])
    at_kiosks_only = api.employee("L2", site_id=kiosks_only["id"])

    kiosk = _challenge(api, "kiosk:4", channel="kiosk", kiosk_id=4)
    assert kiosk["required"] and kiosk["mode"] == "kiosks"
    assert sorted(kiosk["steps"]) in (["blink", "turn_left"], ["blink", "turn_right"])
    assert len(kiosk["challenge_id"]) >= 40 and kiosk["expires_at"]
    phone = _challenge(api, "12", channel="phone", employee_id=at_kiosks_only["id"])
    assert phone == {"required": False, "mode": "kiosks", "challenge_id": None, "steps": [],
                     "expires_at": None}
    assert _challenge(api, "13", channel="phone", employee_id=at_checked["id"])["required"]
    # No site: the organisation's default (off unless configured).
    assert not _challenge(api, "kiosk:99", channel="kiosk", kiosk_id=99)["required"]

    # A face punch without a check is refused where the site checks, and stored elsewhere.
    refused = _clock(api, at_checked["id"],
                     liveness_scope={"channel": "phone", "employee_id": at_checked["id"]})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "liveness_required"
    done = _clock(api, at_checked["id"], liveness_checked=True,
                  liveness_scope={"channel": "phone", "employee_id": at_checked["id"]})
    assert done.status_code == 201, done.text
    unchecked = _clock(api, at_kiosks_only["id"],
                       liveness_scope={"channel": "phone", "employee_id": at_kiosks_only["id"]})
    assert unchecked.status_code == 201, unchecked.text

    # Every punch says whether liveness was checked, and the log filters on it.
    every = api.ok("GET", "/api/v1/punches", "hr")["items"]
    assert {p["employee_id"]: p["liveness_checked"] for p in every} == {
        at_checked["id"]: True, at_kiosks_only["id"]: False}
    only = api.ok("GET", "/api/v1/punches?liveness=checked", "hr")["items"]
    assert [p["employee_id"] for p in only] == [at_checked["id"]]
    others = api.ok("GET", "/api/v1/punches?liveness=not_checked", "hr")["items"]
    assert [p["employee_id"] for p in others] == [at_kiosks_only["id"]]
    assert api.get("/api/v1/punches?liveness=maybe", "hr").status_code == 422

    # The operator turns it off again.
    api.ok("PATCH", f"/api/v1/sites/{checked['id']}", "admin", json={"liveness": "off"})
    assert not _challenge(api, "13", channel="phone", employee_id=at_checked["id"])["required"]
    assert api.patch(f"/api/v1/sites/{checked['id']}", "hr",
                     json={"liveness": "sometimes"}).status_code == 422


def test_a_challenge_is_used_once_by_its_own_caller(api: Any) -> None:
    site = _site(api, "Lobby", "kiosks")
    api.ok("PUT", f"/api/v1/sites/{site['id']}/kiosks/4", "hr")
    issued = _challenge(api, "kiosk:4", channel="kiosk", kiosk_id=4)
    other_caller = _use(api, issued["challenge_id"], "kiosk:5")
    assert other_caller.status_code == 404
    first = _use(api, issued["challenge_id"], "kiosk:4")
    assert first.status_code == 200 and first.json()["steps"] == issued["steps"]
    replay = _use(api, issued["challenge_id"], "kiosk:4")
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "challenge_used"
    unknown = _use(api, "x" * 43, "kiosk:4")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "challenge_not_found"


def test_concurrent_uses_of_one_challenge_let_exactly_one_through(api: Any) -> None:
    """As two gateway workers would: both race for the same nonce."""
    site = _site(api, "Race", "kiosks")
    api.ok("PUT", f"/api/v1/sites/{site['id']}/kiosks/4", "hr")
    for _ in range(5):
        issued = _challenge(api, "kiosk:4", channel="kiosk", kiosk_id=4)
        answers: list[int] = []
        start = threading.Barrier(4)

        def race(challenge_id: str, barrier: threading.Barrier, out: list[int]) -> None:
            barrier.wait()
            out.append(_use(api, challenge_id, "kiosk:4").status_code)

        threads = [threading.Thread(target=race, args=(issued["challenge_id"], start, answers))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(answers) == [200, 409, 409, 409], answers


def test_an_expired_challenge_is_refused(sqlite_url: str, settings_for: Any, token_mint: Any) -> None:
    settings = settings_for(sqlite_url, liveness_default="kiosks", liveness_challenge_seconds=1)
    service = token_mint.headers("service", sub="service:gateway")
    with TestClient(create_app(settings)) as client:
        issued = client.post("/internal/liveness/challenges", headers=service, json={
            "actor": "kiosk:8", "channel": "kiosk", "kiosk_id": 8}).json()
        assert issued["required"] and issued["mode"] == "kiosks"
        time.sleep(1.2)
        late = client.post(f"/internal/liveness/challenges/{issued['challenge_id']}/use",
                           headers=service, json={"actor": "kiosk:8"})
        assert late.status_code == 410 and late.json()["error"]["code"] == "challenge_expired"
        # Used up by that try as well: it cannot be tried again.
        again = client.post(f"/internal/liveness/challenges/{issued['challenge_id']}/use",
                            headers=service, json={"actor": "kiosk:8"})
        assert again.status_code == 409
