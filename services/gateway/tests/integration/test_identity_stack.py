"""Honest identity through the whole stack started as processes: enrolment guards name the
other employee, kiosks verify a claimed identity or identify only within their site."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import httpx
import pytest
from PIL import Image

from faceclock_dev.processes import StackProcesses, stack_in
from faceclock_dev.testing import FACES_DIR, IDENTIFY_FEW_TARGETS, bearer_of

pytestmark = [pytest.mark.slow]
PASSWORD = "quiet harbour lantern 31"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    with stack_in(tmp_path_factory.mktemp("identity-stack"), **IDENTIFY_FEW_TARGETS) as processes:
        yield processes


@dataclass
class Session:
    client: httpx.Client
    admin: dict[str, str]
    hr: dict[str, str]
    created: list[int] = field(default_factory=list)


def _photo(relative: str) -> dict[str, tuple[str, bytes, str]]:
    path = FACES_DIR / "people" / relative
    return {"image": (path.name, path.read_bytes(), "image/jpeg")}


@pytest.fixture(scope="module")
def session(stack: StackProcesses) -> Iterator[Session]:
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        admin = bearer_of(client.post("/api/v1/auth/login",
                                    json={"username": "admin", "password": "admin12345"}))
        name = f"hr{uuid.uuid4().hex[:6]}"
        created = client.post("/api/v1/users", headers=admin, json={
            "username": name, "email": f"{name}@example.com", "password": PASSWORD,
            "roles": ["hr"]})
        assert created.status_code == 201, created.text
        hr = bearer_of(client.post("/api/v1/auth/login",
                                 json={"username": name, "password": PASSWORD}))
        yield Session(client, admin, hr)


@pytest.fixture(autouse=True)
def erase_employees(session: Session) -> Iterator[None]:
    """Each test enrols the photos afresh: a face belongs to one employee at a time."""
    yield
    for employee_id in session.created:
        erased = session.client.delete(f"/api/v1/employees/{employee_id}", headers=session.hr)
        assert erased.status_code == 204, erased.text
    session.created.clear()


def _employee(s: Session, name: str, **fields: object) -> dict[str, object]:
    reply = s.client.post("/api/v1/employees", headers=s.hr, json={
        "employee_no": f"E-{uuid.uuid4().hex[:6]}", "name": name, **fields})
    assert reply.status_code == 201, reply.text
    s.created.append(int(reply.json()["id"]))
    return dict(reply.json())


def test_the_same_face_under_a_second_employee_is_refused_by_name(session: Session) -> None:
    s = session
    first = _employee(s, "Barack Obama")
    second = _employee(s, "Someone Else")
    enrolled = s.client.post(f"/api/v1/employees/{first['id']}/faces", headers=s.hr,
                             files=_photo("obama/obama_1.jpg"))
    assert enrolled.status_code == 201, enrolled.text
    again = s.client.post(f"/api/v1/employees/{second['id']}/faces", headers=s.hr,
                          files=_photo("obama/obama_2.jpg"))
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "matches_other_person"
    assert f"Barack Obama ({first['employee_no']})" in error["message"]
    assert str(first["id"]) not in error["message"].replace(str(first["employee_no"]), "")
    assert error["resembles"][0]["name"] == "Barack Obama"
    faces = s.client.get(f"/api/v1/employees/{second['id']}/faces", headers=s.hr)
    assert faces.json()["total"] == 0


def _kiosk(s: Session, site_id: int, **binding: object) -> tuple[int, dict[str, str]]:
    device = s.client.post("/api/v1/kiosks", headers=s.admin,
                           json={"name": f"Gate {uuid.uuid4().hex[:4]}"})
    assert device.status_code == 201, device.text
    kiosk_id = int(device.json()["id"])
    bound = s.client.put(f"/api/v1/sites/{site_id}/kiosks/{kiosk_id}", headers=s.hr,
                         json=binding or None)
    assert bound.status_code == 200, bound.text
    token = bearer_of(s.client.post("/api/v1/auth/device-login",
                                  json={"device_secret": device.json()["device_secret"]}))
    return kiosk_id, token


def _enrol(s: Session, employee: dict[str, object], *photos: str) -> None:
    for relative in photos:
        reply = s.client.post(f"/api/v1/employees/{employee['id']}/faces", headers=s.hr,
                              files=_photo(relative))
        assert reply.status_code == 201, reply.text


def _site(s: Session, name: str, mode: str) -> int:
    reply = s.client.post("/api/v1/sites", headers=s.hr, json={
        "name": f"{name} {uuid.uuid4().hex[:4]}", "timezone": "UTC",
        "identification_mode": mode})
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _clock_in(s: Session, kiosk: dict[str, str], photo: str, **claim: object) -> httpx.Response:
    return s.client.post("/api/v1/clock-ins", headers=kiosk, files=_photo(photo),
                         data={k: str(v) for k, v in claim.items()})


def test_kiosks_verify_a_claim_or_identify_within_their_site_only(session: Session) -> None:
    s = session
    north = _site(s, "North", "identify")
    south = _site(s, "South", "verify")
    obama = _employee(s, "Barack Obama N", site_id=north)
    biden = _employee(s, "Joe Biden N", site_id=north)
    rose = _employee(s, "Rose Leslie S", site_id=south)
    kit = _employee(s, "Kit Harington S", site_id=south)
    _enrol(s, obama, "obama/obama_1.jpg")
    _enrol(s, biden, "biden/biden_1.jpg")
    _enrol(s, rose, "rose_leslie/rose_leslie_1.jpg")
    _enrol(s, kit, "kit_harington/kit_harington_1.jpg")

    # South verifies by default: a face alone is not enough, a claim is checked 1:1.
    _, south_kiosk = _kiosk(s, south)
    unclaimed = _clock_in(s, south_kiosk, "rose_leslie/rose_leslie_2.jpg")
    assert unclaimed.status_code == 422 and unclaimed.json()["error"]["code"] == "claim_required"
    right = _clock_in(s, south_kiosk, "rose_leslie/rose_leslie_2.jpg",
                      employee_no=rose["employee_no"])
    assert right.status_code == 201, right.text
    assert right.json()["employee_id"] == rose["id"] and right.json()["mode"] == "verify"
    # Claiming Kit with a photo of a third person is refused, and nobody is clocked in.
    third = _clock_in(s, south_kiosk, "alex_lacamoire/alex_lacamoire_1.jpg",
                      employee_id=kit["id"])
    assert third.status_code == 422 and third.json()["error"]["code"] == "face_mismatch"
    assert "Kit Harington S" in third.json()["error"]["message"]
    unknown_badge = _clock_in(s, south_kiosk, "rose_leslie/rose_leslie_2.jpg",
                              employee_no="NOBODY-1")
    assert unknown_badge.status_code == 404
    punches = s.client.get("/api/v1/punches", headers=s.hr, params={"employee_id": kit["id"]})
    assert punches.json()["total"] == 0
    names = s.client.get("/api/v1/kiosk/people", headers=south_kiosk, params={"q": " S"})
    assert {p["name"] for p in names.json()["items"]} == {"Rose Leslie S", "Kit Harington S"}

    # North identifies among its 2 samples: a face alone clocks in, but only North's people.
    north_id, north_kiosk = _kiosk(s, north)
    mode = s.client.get("/api/v1/kiosk/identification", headers=north_kiosk).json()
    assert mode["mode"] == "identify" and mode["gallery_faces"] == 2
    assert mode["identify_limit_faces"] == 5
    found = _clock_in(s, north_kiosk, "obama/obama_2.jpg")
    assert found.status_code == 201, found.text
    assert found.json()["employee_id"] == obama["id"] and found.json()["mode"] == "identify"
    stranger = _clock_in(s, north_kiosk, "rose_leslie/rose_leslie_2.jpg")
    assert stranger.status_code == 422 and stranger.json()["error"]["code"] == "unknown_face"
    # A South kiosk set to identify never looks at North's people, Obama included.
    _, south_identify = _kiosk(s, south, identification_mode="identify")
    outside = _clock_in(s, south_identify, "obama/obama_2.jpg")
    assert outside.status_code == 422 and outside.json()["error"]["code"] == "unknown_face"
    inside = _clock_in(s, south_identify, "rose_leslie/rose_leslie_2.jpg")
    assert inside.status_code in (200, 201) and inside.json()["employee_id"] == rose["id"]
    # Nor does the bare 1:N route let a kiosk look further than its own gallery.
    searched = s.client.post("/api/v1/recognition/identify", headers=south_identify,
                             files=_photo("obama/obama_2.jpg"))
    assert searched.status_code == 200 and searched.json()["faces"][0]["employee_id"] is None
    refused = s.client.post("/api/v1/recognition/identify", headers=south_kiosk,
                            files=_photo("obama/obama_2.jpg"))
    assert refused.status_code == 403

    # North outgrows what 1:N can search at the target: the kiosk falls back to claims, and
    # HR's view of the kiosk says why.
    _enrol(s, obama, "obama/obama_3.jpg", "obama/obama_4.jpg")
    _enrol(s, biden, "biden/biden_2.jpg")
    _enrol(s, obama, "obama/obama_2.jpg")
    fallback = _clock_in(s, north_kiosk, "obama/obama_2.jpg")
    assert fallback.status_code == 422 and fallback.json()["error"]["code"] == "claim_required"
    seen = s.client.get(f"/api/v1/kiosks/{north_id}/identification", headers=s.hr).json()
    assert seen["configured_mode"] == "identify" and seen["mode"] == "verify"
    assert seen["gallery_faces"] == 6 and "at most 5" in seen["reason"]
    claimed = _clock_in(s, north_kiosk, "biden/biden_2.jpg", employee_no=biden["employee_no"])
    assert claimed.status_code == 201 and claimed.json()["mode"] == "verify"


def test_roll_calls_stay_within_the_chosen_site(session: Session) -> None:
    s = session
    east = _site(s, "East", "verify")
    west = _site(s, "West", "verify")
    lin = _employee(s, "Lin-Manuel Miranda E", site_id=east)
    alex = _employee(s, "Alex Lacamoire W", site_id=west)
    _enrol(s, lin, "lin_manuel_miranda/lin_manuel_miranda_1.png")
    _enrol(s, alex, "alex_lacamoire/alex_lacamoire_1.jpg")
    path = FACES_DIR / "people/alex_lacamoire/alex_lacamoire_2.jpg"
    photo = {"image": (path.name, path.read_bytes(), "image/jpeg")}
    whole = s.client.post("/api/v1/roll-calls", headers=s.hr, files=photo)
    assert whole.status_code == 422 and whole.json()["error"]["code"] == "scope_required"
    at_east = s.client.post("/api/v1/roll-calls", headers=s.hr, files=photo,
                            data={"site_id": str(east)})
    assert at_east.status_code == 201, at_east.text
    assert at_east.json()["present"] == [] and at_east.json()["unknown_faces"] == 1
    assert [p["employee_id"] for p in at_east.json()["absent"]] == [lin["id"]]
    at_west = s.client.post("/api/v1/roll-calls", headers=s.hr, files=photo,
                            data={"site_id": str(west)})
    assert [p["employee_id"] for p in at_west.json()["present"]] == [alex["id"]]


def test_a_roll_call_is_recorded_while_reporting_is_away(stack: StackProcesses,
                                                       session: Session) -> None:
    """The roll call's CSV is queued after the roll call is stored; without reporting the answer
    says so (report_id null) instead of losing the roll call, and the CSV can be asked for later."""
    s = session
    site = _site(s, "South", "verify")
    alex = _employee(s, "Alex Lacamoire S", site_id=site)
    _enrol(s, alex, "alex_lacamoire/alex_lacamoire_1.jpg")
    reporting = next(p for p in stack.stack.processes() if p.name == "reporting")
    stack.stop("reporting")
    try:
        roll = s.client.post("/api/v1/roll-calls", headers=s.hr, files=_photo(
            "alex_lacamoire/alex_lacamoire_2.jpg"), data={"site_id": str(site)})
    finally:
        stack.start(reporting)
        stack.wait_ready()
    assert roll.status_code == 201, roll.text
    assert roll.json()["report_id"] is None
    assert [p["employee_id"] for p in roll.json()["present"]] == [alex["id"]]
    later = s.client.post("/api/v1/reports", headers=s.hr, json={
        "kind": "roll_call", "params": {"roll_call_id": roll.json()["id"]}})
    assert later.status_code == 202, later.text


def _phone_of(s: Session, employee: dict[str, object]) -> dict[str, str]:
    """The employee's own account, signed in on their phone."""
    name = f"ph{uuid.uuid4().hex[:6]}"
    user = s.client.post("/api/v1/users", headers=s.admin, json={
        "username": name, "email": f"{name}@example.com", "password": PASSWORD,
        "roles": ["employee"]})
    assert user.status_code == 201, user.text
    linked = s.client.patch(f"/api/v1/users/{user.json()['id']}", headers=s.admin,
                            json={"employee_id": employee["id"]})
    assert linked.status_code == 200, linked.text
    return bearer_of(s.client.post("/api/v1/auth/login",
                                 json={"username": name, "password": PASSWORD}))


def test_a_phone_clock_in_is_checked_against_the_signed_in_employee(session: Session) -> None:
    s = session
    kit = _employee(s, "Kit Phone")
    _enrol(s, kit, "kit_harington/kit_harington_2.jpg")
    phone = _phone_of(s, kit)
    other = s.client.post("/api/v1/clock-ins", headers=phone,
                          files=_photo("rose_leslie/rose_leslie_1.jpg"))
    assert other.status_code == 422 and other.json()["error"]["code"] == "face_mismatch"
    claim_other = s.client.post("/api/v1/clock-ins", headers=phone, data={"employee_id": "1"},
                                files=_photo("kit_harington/kit_harington_3.jpg"))
    assert claim_other.status_code == 403
    own = s.client.post("/api/v1/clock-ins", headers=phone,
                        files=_photo("kit_harington/kit_harington_3.jpg"))
    assert own.status_code == 201, own.text
    assert own.json()["employee_id"] == kit["id"] and own.json()["mode"] == "verify"


def _screen(rows: list[str], scale: int = 8) -> dict[str, tuple[str, bytes, str]]:
    """A kiosk camera's picture of a phone screen showing the QR modules."""
    code = Image.new("L", (len(rows[0]), len(rows)), 255)
    code.putdata([0 if cell == "1" else 255 for row in rows for cell in row])
    code = code.resize((code.width * scale, code.height * scale), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (640, 480), (90, 90, 90))
    frame.paste(code.convert("RGB"), (200, 100))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=85)
    return {"image": ("frame.jpg", out.getvalue(), "image/jpeg")}


def test_a_verify_kiosk_scans_the_code_on_the_phone_instead_of_a_badge(session: Session) -> None:
    s = session
    site = _site(s, "Gatehouse", "verify")
    rose = _employee(s, "Rose Leslie Q", site_id=site)
    _enrol(s, rose, "rose_leslie/rose_leslie_1.jpg")
    phone = _phone_of(s, rose)
    _, kiosk = _kiosk(s, site)

    shown = s.client.post("/api/v1/clock-in-codes", headers=phone)
    assert shown.status_code == 200, shown.text
    scanned = s.client.post("/api/v1/kiosk/claims/scan", headers=kiosk,
                            files=_screen(shown.json()["modules"]))
    assert scanned.status_code == 200, scanned.text
    assert scanned.json() == {"employee_id": rose["id"], "name": "Rose Leslie Q"}
    # The claim is then verified 1:1 like a typed badge number: her face clocks her in.
    own = _clock_in(s, kiosk, "rose_leslie/rose_leslie_2.jpg", employee_id=rose["id"])
    assert own.status_code == 201 and own.json()["employee_id"] == rose["id"], own.text

    # Nothing readable, or a code that is not ours: clear refusals, nobody claimed.
    nothing = s.client.post("/api/v1/kiosk/claims/scan", headers=kiosk,
                            files=_photo("rose_leslie/rose_leslie_2.jpg"))
    assert nothing.status_code == 422 and nothing.json()["error"]["code"] == "no_claim_code"
    forged_text = shown.json()["code"].replace(f".{rose['id']}.", f".{int(str(rose['id'])) + 1}.")
    forged = s.client.post("/api/v1/kiosk/claims/scan", headers=kiosk, files=_screen(
        ["".join("1" if v < 128 else "0" for v in row)
         for row in cv2.QRCodeEncoder.create().encode(forged_text)]))
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "claim_code_invalid"
    # Only a linked employee shows a code, only a kiosk scans one.
    assert s.client.post("/api/v1/clock-in-codes", headers=kiosk).status_code == 403
    assert s.client.post("/api/v1/clock-in-codes", headers=s.admin).status_code == 403
    assert s.client.post("/api/v1/kiosk/claims/scan", headers=phone,
                         files=_screen(shown.json()["modules"])).status_code == 403
