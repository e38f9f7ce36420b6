"""Kiosk devices and HR's recognition test through the whole stack started as processes:
per-kiosk settings (admin edits, the kiosk reads them in its heartbeat, badge and PIN refused
where turned off), online status from the heartbeat, and the read-only recognition test. Bad
input gets a 4xx, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from faceclock_dev.processes import StackProcesses, stack_in
from faceclock_dev.testing import FACES_DIR, IDENTIFY_FEW_TARGETS, bearer_of

pytestmark = [pytest.mark.slow]
PASSWORD = "quiet harbour lantern 31"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    with stack_in(tmp_path_factory.mktemp("kiosk-devices-stack"), **IDENTIFY_FEW_TARGETS) as processes:
        yield processes


@dataclass
class Session:
    client: httpx.Client
    admin: dict[str, str]
    hr: dict[str, str]
    employee: dict[str, str]


def _photo(relative: str) -> dict[str, tuple[str, bytes, str]]:
    path = FACES_DIR / relative
    return {"image": (path.name, path.read_bytes(), "image/jpeg")}


@pytest.fixture(scope="module")
def session(stack: StackProcesses) -> Iterator[Session]:
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        admin = bearer_of(client.post("/api/v1/auth/login",
                                    json={"username": "admin", "password": "admin12345"}))
        logins = {}
        for role in ("hr", "employee"):
            name = f"{role}{uuid.uuid4().hex[:6]}"
            created = client.post("/api/v1/users", headers=admin, json={
                "username": name, "email": f"{name}@example.com", "password": PASSWORD,
                "roles": [role]})
            assert created.status_code == 201, created.text
            logins[role] = bearer_of(client.post("/api/v1/auth/login",
                                               json={"username": name, "password": PASSWORD}))
        yield Session(client, admin, logins["hr"], logins["employee"])


def _kiosk(s: Session) -> tuple[dict[str, object], dict[str, str]]:
    device = s.client.post("/api/v1/kiosks", headers=s.admin,
                           json={"name": f"Gate {uuid.uuid4().hex[:4]}"})
    assert device.status_code == 201, device.text
    token = bearer_of(s.client.post("/api/v1/auth/device-login",
                                  json={"device_secret": device.json()["device_secret"]}))
    return dict(device.json()), token


def _listed(s: Session, kiosk_id: object) -> dict[str, object]:
    kiosks = s.client.get("/api/v1/kiosks", headers=s.admin, params={"limit": 200}).json()
    return dict(next(k for k in kiosks["items"] if k["id"] == kiosk_id))


def test_settings_are_set_by_an_admin_and_read_by_the_kiosk(session: Session) -> None:
    s = session
    kiosk, token = _kiosk(s)
    assert (kiosk["pin_allowed"], kiosk["sound"], kiosk["language"]) == (True, True, None)
    assert kiosk["online"] is False and kiosk["last_seen_at"] is None

    changed = s.client.patch(f"/api/v1/kiosks/{kiosk['id']}", headers=s.admin,
                             json={"sound": False, "language": "zh-CN"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["sound"], changed.json()["language"]) == (False, "zh-CN")
    assert changed.json()["pin_allowed"] is True  # not sent: unchanged

    beat = s.client.post("/api/v1/auth/device/heartbeat", headers=token)
    assert beat.status_code == 200, beat.text
    assert beat.json() == {"id": kiosk["id"], "name": kiosk["name"], "pin_allowed": True,
                           "sound": False, "language": "zh-CN"}
    listed = _listed(s, kiosk["id"])
    assert listed["online"] is True and listed["last_seen_at"] is not None
    # A second beat within the minute writes nothing: the time seen stays the first one's.
    assert s.client.post("/api/v1/auth/device/heartbeat", headers=token).status_code == 200
    assert _listed(s, kiosk["id"])["last_seen_at"] == listed["last_seen_at"]

    # The browser's language again (null), and a rename.
    back = s.client.patch(f"/api/v1/kiosks/{kiosk['id']}", headers=s.admin,
                          json={"language": None, "name": "  Side door  "})
    assert back.status_code == 200 and back.json()["language"] is None
    assert back.json()["name"] == "Side door"


def test_settings_refuse_bad_input_with_a_4xx(session: Session) -> None:
    s = session
    kiosk, token = _kiosk(s)
    path = f"/api/v1/kiosks/{kiosk['id']}"
    for body in ({"language": "fr"}, {"sound": "loud"}, {"pin_allowed": [1]}, {"colour": "red"},
                 {"name": ""}, {"name": "x" * 101}, [1, 2], "text"):
        reply = s.client.patch(path, headers=s.admin, json=body)
        assert reply.status_code == 422, (body, reply.text)
        assert reply.json()["error"]["code"] == "validation_error"
    chinese = s.client.patch(path, headers={**s.admin, "Accept-Language": "zh-CN"},
                             json={"language": "fr"}).json()["error"]["message"]
    assert "必须是以下之一" in chinese, chinese
    assert s.client.patch("/api/v1/kiosks/999999", headers=s.admin,
                          json={"sound": False}).status_code == 404
    assert s.client.patch("/api/v1/kiosks/abc", headers=s.admin, json={}).status_code == 422
    # Only an admin edits devices; only a kiosk has a heartbeat.
    for caller in (s.hr, s.employee, token):
        assert s.client.patch(path, headers=caller, json={"sound": False}).status_code == 403
    for caller in (s.admin, s.hr, s.employee):
        refused = s.client.post("/api/v1/auth/device/heartbeat", headers=caller)
        assert refused.status_code == 403, refused.text
    assert s.client.post("/api/v1/auth/device/heartbeat").status_code == 401
    # A revoked kiosk is neither edited nor heard.
    assert s.client.delete(path, headers=s.admin).status_code == 204
    assert s.client.patch(path, headers=s.admin, json={"sound": False}).status_code == 409
    assert s.client.post("/api/v1/auth/device/heartbeat", headers=token).status_code == 401
    assert _listed(s, kiosk["id"])["online"] is False


def test_badge_and_pin_are_refused_at_a_kiosk_where_they_are_turned_off(session: Session) -> None:
    s = session
    kiosk, token = _kiosk(s)
    number = f"P-{uuid.uuid4().hex[:6]}"
    person = s.client.post("/api/v1/employees", headers=s.hr,
                           json={"employee_no": number, "name": "Pia Pin"})
    assert person.status_code == 201, person.text
    assert s.client.put(f"/api/v1/employees/{person.json()['id']}/pin", headers=s.hr,
                        json={"pin": "4826"}).status_code == 204
    body = {"employee_no": number, "pin": "4826"}
    off = s.client.patch(f"/api/v1/kiosks/{kiosk['id']}", headers=s.admin,
                         json={"pin_allowed": False})
    assert off.status_code == 200 and off.json()["pin_allowed"] is False
    refused = s.client.post("/api/v1/clock-ins/manual", headers=token, json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "manual_clock_in_disabled"
    punches = s.client.get("/api/v1/punches", headers=s.hr,
                           params={"employee_id": person.json()["id"]}).json()
    assert punches["total"] == 0
    # Turned on again, the same badge and PIN clock in (and the try counted as a beat).
    assert s.client.patch(f"/api/v1/kiosks/{kiosk['id']}", headers=s.admin,
                          json={"pin_allowed": True}).status_code == 200
    taken = s.client.post("/api/v1/clock-ins/manual", headers=token, json=body)
    assert taken.status_code == 201, taken.text
    assert _listed(s, kiosk["id"])["online"] is True


def test_the_recognition_test_shows_faces_distances_and_the_kiosk_decision(
        session: Session) -> None:
    s = session
    suffix = uuid.uuid4().hex[:4]
    site = s.client.post("/api/v1/sites", headers=s.hr, json={
        "name": f"Test site {suffix}", "timezone": "UTC", "identification_mode": "identify"})
    assert site.status_code == 201, site.text
    site_id = site.json()["id"]
    other_site = s.client.post("/api/v1/sites", headers=s.hr, json={
        "name": f"Other site {suffix}", "timezone": "UTC"}).json()["id"]
    person = s.client.post("/api/v1/employees", headers=s.hr, json={
        "employee_no": f"R-{suffix}", "name": f"Barack {suffix}", "site_id": site_id})
    assert person.status_code == 201, person.text
    employee_id = person.json()["id"]
    enrolled = s.client.post(f"/api/v1/employees/{employee_id}/faces", headers=s.hr,
                             files=_photo("people/obama/obama_1.jpg"))
    assert enrolled.status_code == 201, enrolled.text
    punches_before = s.client.get("/api/v1/punches", headers=s.hr,
                                  params={"employee_id": employee_id}).json()["total"]

    # Everyone: his other photo matches him, with the distance under the threshold.
    found = s.client.post("/api/v1/recognition/tests", headers=s.hr,
                          files=_photo("people/obama/obama_2.jpg"))
    assert found.status_code == 200, found.text
    result = found.json()
    assert result["kiosk_decision"] == "match" and len(result["faces"]) == 1
    face = result["faces"][0]
    assert face["decision"] == "match" and face["employee_id"] == employee_id
    assert face["name"] == f"Barack {suffix}"
    assert face["candidates"][0]["name"] == f"Barack {suffix}"
    assert 0 < face["distance"] < result["threshold"]
    assert face["box"]["right"] > face["box"]["left"] and result["image_width"] > 0
    assert result["site_id"] is None and result["gallery_faces"] >= 1

    # As the kiosks of the other site would decide: he is not among its people.
    elsewhere = s.client.post("/api/v1/recognition/tests", headers=s.hr,
                              files=_photo("people/obama/obama_2.jpg"),
                              data={"site_id": str(other_site)}).json()
    assert elsewhere["site_name"] == f"Other site {suffix}"
    assert elsewhere["faces"][0]["decision"] == "unknown"
    assert elsewhere["faces"][0]["employee_id"] is None
    assert elsewhere["kiosk_decision"] in ("unknown", "claim_required")
    at_his_site = s.client.post("/api/v1/recognition/tests", headers=s.hr,
                                files=_photo("people/obama/obama_2.jpg"),
                                data={"site_id": str(site_id)}).json()
    assert at_his_site["kiosk_decision"] == "match", at_his_site
    assert at_his_site["identify_limit_faces"] >= at_his_site["gallery_faces"] == 1

    # Two people in one photo: both boxed, and a kiosk would refuse.
    group = s.client.post("/api/v1/recognition/tests", headers=s.hr,
                          files=_photo("group/obama_and_biden.jpg")).json()
    assert len(group["faces"]) >= 2 and group["kiosk_decision"] == "multiple_faces"
    assert [f["employee_id"] for f in group["faces"] if f["decision"] == "match"] == [employee_id]
    assert "unknown" in {f["decision"] for f in group["faces"]}

    # Read-only: no punch; audited with who tried it and what it decided.
    assert s.client.get("/api/v1/punches", headers=s.hr, params={
        "employee_id": employee_id}).json()["total"] == punches_before
    audit = s.client.get("/api/v1/audit", headers=s.hr,
                         params={"entity": "recognition", "limit": 50}).json()["items"]
    tests = [e for e in audit if e["action"] == "recognition_test"]
    assert len(tests) >= 4
    assert any(e["details"]["decision"] == "multiple_faces"
               and e["details"]["faces"] == len(group["faces"]) for e in tests)
    assert any(e["details"]["site_id"] == site_id and e["employee_id"] == employee_id
               for e in tests)


def test_the_recognition_test_refuses_bad_input_with_a_4xx(session: Session) -> None:
    s = session
    photo = _photo("people/obama/obama_2.jpg")
    path = "/api/v1/recognition/tests"
    # HR and admins only.
    assert s.client.post(path, headers=s.employee, files=photo).status_code == 403
    assert s.client.post(path, files=photo).status_code == 401
    missing = s.client.post(path, headers=s.hr)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "image_required"
    not_image = s.client.post(path, headers=s.hr,
                              files={"image": ("a.jpg", b"not a photo at all", "image/jpeg")})
    assert 400 <= not_image.status_code < 500, not_image.text
    for site in ("0", "-1", "abc", str(2**40)):
        reply = s.client.post(path, headers=s.hr, files=photo, data={"site_id": site})
        assert reply.status_code == 422, (site, reply.text)
    unknown_site = s.client.post(path, headers=s.hr, files=photo, data={"site_id": "999999"})
    assert unknown_site.status_code == 404, unknown_site.text
