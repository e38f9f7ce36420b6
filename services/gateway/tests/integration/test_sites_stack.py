"""Sites through the whole stack started as processes: the gateway forwards /api/v1/sites to
attendance, HR and admins edit, kiosk devices made in auth are bound to a site."""

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
    with stack_in(tmp_path_factory.mktemp("sites-stack")) as processes:
        yield processes


def test_sites_are_edited_by_hr_through_the_gateway(stack: StackProcesses) -> None:
    suffix = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        admin = bearer_of(client.post("/api/v1/auth/login",
                                    json={"username": "admin", "password": "admin12345"}))
        password = "quiet harbour lantern 31"
        for role in ("hr", "employee"):
            user = client.post("/api/v1/users", headers=admin, json={
                "username": f"{role}{suffix}", "email": f"{role}.{suffix}@example.com",
                "password": password, "roles": [role]})
            assert user.status_code == 201, user.text
        hr = bearer_of(client.post("/api/v1/auth/login",
                                 json={"username": f"hr{suffix}", "password": password}))
        employee = bearer_of(client.post("/api/v1/auth/login",
                                       json={"username": f"employee{suffix}",
                                             "password": password}))

        site = client.post("/api/v1/sites", headers=hr, json={
            "name": f"Suzhou {suffix}", "timezone": "Asia/Shanghai", "address": "88 Xinghu St"})
        assert site.status_code == 201, site.text
        site_id = site.json()["id"]
        refused = client.post("/api/v1/sites", headers=employee,
                              json={"name": "Mine", "timezone": "UTC"})
        assert refused.status_code == 403
        assert client.get("/api/v1/sites").status_code == 401
        listed = client.get("/api/v1/sites", headers=employee)
        assert listed.status_code == 200 and site_id in [s["id"] for s in listed.json()["items"]]

        device = client.post("/api/v1/kiosks", headers=admin, json={"name": "Gate 1"})
        assert device.status_code == 201, device.text
        kiosk_id = device.json()["id"]
        bound = client.put(f"/api/v1/sites/{site_id}/kiosks/{kiosk_id}", headers=admin)
        assert bound.status_code == 200 and bound.json()["site_id"] == site_id
        person = client.post("/api/v1/employees", headers=hr, json={
            "employee_no": f"S-{suffix}", "name": "Sam Site", "site_id": site_id})
        assert person.status_code == 201 and person.json()["site_id"] == site_id
        in_use = client.delete(f"/api/v1/sites/{site_id}", headers=hr)
        assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "site_in_use"
        document = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/sites/{site_id}/kiosks/{kiosk_id}" in document["paths"]
