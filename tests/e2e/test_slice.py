"""The walking skeleton's slice, end to end through the gateway's public API (issue 2)."""

from __future__ import annotations

import csv
import io
import time
import uuid
from pathlib import Path

import httpx

from faceclock_dev.processes import StackProcesses

from .conftest import Api, photo


def _employee(admin: Api, name: str, **fields: object) -> int:
    reply = admin.client.post("/api/v1/employees", headers=admin.headers(), json={
        "employee_no": f"E-{uuid.uuid4().hex[:8]}", "name": name, **fields})
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _wait_for_report(admin: Api, report_id: str | int, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = admin.client.get(f"/api/v1/reports/{report_id}", headers=admin.headers())
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["status"] in {"queued", "running", "done"}, body
        if body["status"] == "done":
            return body
        time.sleep(0.5)
    raise AssertionError(f"report {report_id} not done in {timeout}s")


def test_register_and_login(stack: StackProcesses) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        name = f"user{uuid.uuid4().hex[:8]}"
        reply = client.post("/api/v1/auth/register", json={
            "username": name, "email": f"{name}@example.com", "password": "correct horse battery"})
        assert reply.status_code == 202, reply.text  # the same answer for a taken name
        api = Api(client)
        api.login(name, "correct horse battery")
        me = client.get("/api/v1/auth/me", headers=api.headers())
        assert me.status_code == 200 and me.json()["username"] == name
        assert me.json()["roles"] == ["employee"]
        # An employee may not create employees: the token is verified and the role enforced.
        denied = client.post("/api/v1/employees", headers=api.headers(),
                             json={"employee_no": "X1", "name": "Nope"})
        assert denied.status_code == 403, denied.text


def test_enrol_clock_in_roll_call_and_report(admin: Api, faces_dir: Path) -> None:
    site = admin.client.post("/api/v1/sites", headers=admin.headers(),
                             json={"name": f"HQ {uuid.uuid4().hex[:6]}", "timezone": "UTC"})
    assert site.status_code == 201, site.text
    site_id = site.json()["id"]
    obama = _employee(admin, "Barack Obama", site_id=site_id)
    biden = _employee(admin, "Joe Biden", site_id=site_id)
    absentee = _employee(admin, "Rose Leslie", site_id=site_id)

    for employee, sample in ((obama, "people/obama/obama_1.jpg"), (biden, "people/biden/biden_1.jpg")):
        reply = admin.client.post(f"/api/v1/employees/{employee}/faces", headers=admin.headers(),
                                  files={"image": photo(faces_dir, sample)})
        assert reply.status_code == 201, reply.text
        assert reply.json()["face_id"]
    listed = admin.client.get(f"/api/v1/employees/{obama}/faces", headers=admin.headers())
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    assert "encoding" not in listed.text

    # A different photo of the same person clocks them in (HR names them; checked 1:1).
    reply = admin.client.post("/api/v1/clock-ins", headers=admin.headers(),
                              data={"employee_id": str(obama)},
                              files={"image": photo(faces_dir, "people/obama/obama_2.jpg")})
    assert reply.status_code == 201, reply.text
    punch = reply.json()
    assert punch["employee_id"] == obama and punch["name"] == "Barack Obama"
    assert punch["kind"] in {"in", "out"} and "T" in punch["at"]

    # Someone else's face does not pass for the employee named.
    reply = admin.client.post("/api/v1/clock-ins", headers=admin.headers(),
                              data={"employee_id": str(obama)},
                              files={"image": photo(faces_dir, "people/kit_harington/kit_harington_1.jpg")})
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "face_mismatch"

    punches = admin.client.get("/api/v1/punches", params={"employee_id": obama}, headers=admin.headers())
    assert punches.status_code == 200 and punches.json()["total"] == 1

    # Roll call with a group photo: both enrolled people present, the third employee absent.
    reply = admin.client.post("/api/v1/roll-calls", headers=admin.headers(),
                              data={"site_id": str(site_id)},
                              files={"image": photo(faces_dir, "group/two_people.jpg")})
    assert reply.status_code == 201, reply.text
    roll = reply.json()
    present = {p["employee_id"] for p in roll["present"]}
    absent = {p["employee_id"] for p in roll["absent"]}
    assert {obama, biden} <= present
    assert absentee in absent and obama not in absent
    assert roll["unknown_faces"] == 0
    assert len(roll["faces"]) == 2 and all(f["box"]["right"] > f["box"]["left"] for f in roll["faces"])
    assert roll["report_id"] is not None

    report = _wait_for_report(admin, roll["report_id"])
    assert report["file_name"].startswith("RollCall_") and report["file_name"].endswith(".csv")
    download = admin.client.get(f"/api/v1/reports/{roll['report_id']}/download", headers=admin.headers())
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert report["file_name"] in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    by_name = {row[1]: row for row in rows[1:]}
    assert "present" in [c.lower() for c in by_name["Barack Obama"]]
    assert "absent" in [c.lower() for c in by_name["Rose Leslie"]]


def test_bad_input_gets_clear_4xx(admin: Api, faces_dir: Path) -> None:
    employee = _employee(admin, "Alex Lacamoire")
    url = f"/api/v1/employees/{employee}/faces"
    no_file = admin.client.post(url, headers=admin.headers())
    assert no_file.status_code == 422 and no_file.json()["error"]["code"] == "image_required"
    text = admin.client.post(url, headers=admin.headers(),
                             files={"image": ("notes.jpg", b"just some text", "image/jpeg")})
    assert text.status_code == 415 and text.json()["error"]["code"] == "unsupported_media_type"
    unknown = admin.client.post("/api/v1/employees/999999/faces", headers=admin.headers(),
                                files={"image": photo(faces_dir, "people/obama/obama_3.jpg")})
    assert unknown.status_code == 404, unknown.text
    assert "error" in unknown.json()
    group = admin.client.post(url, headers=admin.headers(),
                              files={"image": photo(faces_dir, "group/kit_with_rose.jpg")})
    assert group.status_code == 422 and group.json()["error"]["code"] == "multiple_faces"
    no_token = admin.client.post("/api/v1/clock-ins",
                                 files={"image": photo(faces_dir, "people/obama/obama_4.jpg")})
    assert no_token.status_code == 401
    clock_no_file = admin.client.post("/api/v1/clock-ins", headers=admin.headers())
    assert clock_no_file.status_code == 422
