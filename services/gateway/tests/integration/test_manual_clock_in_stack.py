"""Badge + PIN at a kiosk, through the whole stack started as processes: the gateway's
kiosk-only route, the service token to attendance, and attendance's PIN check and lockout."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from faceclock_dev.processes import StackProcesses, stack_in
from faceclock_dev.testing import bearer_of

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    with stack_in(tmp_path_factory.mktemp("manual-clock-in-stack")) as processes:
        yield processes


def test_a_kiosk_clocks_in_by_badge_and_pin(stack: StackProcesses) -> None:
    suffix = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        admin = bearer_of(client.post("/api/v1/auth/login",
                                    json={"username": "admin", "password": "admin12345"}))
        hr_user = client.post("/api/v1/users", headers=admin, json={
            "username": f"hr{suffix}", "email": f"hr.{suffix}@example.com",
            "password": "quiet harbour lantern 31", "roles": ["hr"]})
        assert hr_user.status_code == 201, hr_user.text
        hr = bearer_of(client.post("/api/v1/auth/login", json={
            "username": f"hr{suffix}", "password": "quiet harbour lantern 31"}))
        device = client.post("/api/v1/kiosks", headers=admin, json={"name": "Lobby"})
        assert device.status_code == 201, device.text
        kiosk = bearer_of(client.post("/api/v1/auth/device-login",
                                    json={"device_secret": device.json()["device_secret"]}))

        number = f"M-{suffix}"
        person = client.post("/api/v1/employees", headers=hr,
                             json={"employee_no": number, "name": "Mary Manual"})
        assert person.status_code == 201, person.text
        employee_id = person.json()["id"]
        pin = client.put(f"/api/v1/employees/{employee_id}/pin", headers=hr, json={"pin": "4826"})
        assert pin.status_code == 204, pin.text
        read = client.get(f"/api/v1/employees/{employee_id}", headers=hr).json()
        assert read["has_pin"] is True and "4826" not in str(read)

        body = {"employee_no": number, "pin": "4826", "device_id": "lobby-1"}
        # HR, employees and unsigned callers may not clock people in by PIN: kiosks only.
        refused = client.post("/api/v1/clock-ins/manual", headers=hr, json=body)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert client.post("/api/v1/clock-ins/manual", json=body).status_code == 401

        wrong = client.post("/api/v1/clock-ins/manual", headers=kiosk, json={**body, "pin": "0000"})
        unknown = client.post("/api/v1/clock-ins/manual", headers=kiosk,
                              json={**body, "employee_no": f"X-{suffix}"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert wrong.json()["error"]["code"] == "invalid_credentials"

        key = {"Idempotency-Key": f"manual-{suffix}"}
        first = client.post("/api/v1/clock-ins/manual", headers={**kiosk, **key}, json=body)
        assert first.status_code == 201, first.text
        answer = first.json()
        assert answer["employee_id"] == employee_id and answer["name"] == "Mary Manual"
        assert answer["kind"] in ("in", "out") and answer["confidence"] is None
        again = client.post("/api/v1/clock-ins/manual", headers={**kiosk, **key}, json=body)
        assert again.status_code == 200 and again.json()["punch_id"] == answer["punch_id"]

        punches = client.get("/api/v1/punches", headers=hr,
                             params={"employee_id": employee_id}).json()
        assert punches["total"] == 1 and punches["items"][0]["source"] == "manual"
        assert punches["items"][0]["created_by"].startswith("kiosk")

        # Five wrong PINs lock the number (the good one above wiped the earlier failure);
        # the wait reaches the kiosk.
        for _ in range(5):
            assert client.post("/api/v1/clock-ins/manual", headers=kiosk,
                               json={**body, "pin": "1111"}).status_code == 401
        locked = client.post("/api/v1/clock-ins/manual", headers=kiosk, json=body)
        assert locked.status_code == 429, locked.text
        assert locked.json()["error"]["code"] == "too_many_attempts"
        assert 0 < int(locked.headers["Retry-After"]) <= 900
        # The body says it too, through the gateway as from attendance itself.
        assert locked.json()["error"]["retry_after_seconds"] == int(locked.headers["Retry-After"])

        junk = client.post("/api/v1/clock-ins/manual", headers=kiosk, json={"employee_no": number})
        assert junk.status_code == 422
