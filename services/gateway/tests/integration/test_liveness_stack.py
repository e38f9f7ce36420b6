"""Liveness through the whole stack started as processes: a site that checks its kiosks, a
challenge per try, a recorded live burst that clocks in, and photos, replays and late answers
that do not."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from faceclock_dev.liveness_data import ATTACKS, jpeg, live_frames, photo
from faceclock_dev.processes import StackProcesses, stack_in
from faceclock_dev.testing import IDENTIFY_FEW_TARGETS, bearer_of

pytestmark = [pytest.mark.slow]

CHALLENGE_SECONDS = 8
# What the recorded frames perform (see tests/data/liveness/iris_example/SOURCE.md).
RECORDED_STEPS = ["turn_right", "blink"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    # Targets under which an identify kiosk may search a few samples (the defaults allow none).
    env = {"ATTENDANCE_LIVENESS_CHALLENGE_SECONDS": str(CHALLENGE_SECONDS), **IDENTIFY_FEW_TARGETS}
    with stack_in(tmp_path_factory.mktemp("liveness-stack"), **env) as processes:
        yield processes


def _burst(frames: list[bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("frames", (f"frame-{i:02d}.jpg", data, "image/jpeg")) for i, data in enumerate(frames)]


def _challenge(client: httpx.Client, kiosk: dict[str, str], steps: list[str] | None = None) -> dict:
    """A fresh challenge; with `steps`, drawn again until the server happens to ask for those
    (the server's draw is random; the unused ones simply expire)."""
    for _ in range(60):
        reply = client.post("/api/v1/liveness/challenges", headers=kiosk)
        assert reply.status_code == 200, reply.text
        issued = reply.json()
        if steps is None or issued["steps"] == steps:
            return dict(issued)
    raise AssertionError(f"the server never asked for {steps}")


def _identify_kiosk(client: httpx.Client, admin: dict[str, str], name: str
                    ) -> tuple[int, dict[str, str]]:
    """A site that identifies at its kiosks and checks them for liveness, and a kiosk there."""
    site = client.post("/api/v1/sites", headers=admin, json={
        "name": name, "timezone": "UTC", "liveness": "kiosks", "identification_mode": "identify"})
    assert site.status_code == 201, site.text
    device = client.post("/api/v1/kiosks", headers=admin, json={"name": name})
    assert device.status_code == 201, device.text
    bound = client.put(f"/api/v1/sites/{site.json()['id']}/kiosks/{device.json()['id']}",
                       headers=admin)
    assert bound.status_code == 200, bound.text
    return int(site.json()["id"]), bearer_of(client.post(
        "/api/v1/auth/device-login", json={"device_secret": device.json()["device_secret"]}))


def test_an_identify_kiosk_needs_two_frames_of_the_burst_to_agree(stack: StackProcesses) -> None:
    suffix = uuid.uuid4().hex[:6]
    live = [jpeg(f) for f in live_frames()[21:]]
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        admin = bearer_of(client.post("/api/v1/auth/login",
                                    json={"username": "admin", "password": "admin12345"}))
        site_id, kiosk = _identify_kiosk(client, admin, f"Hall {suffix}")
        other_site, other_kiosk = _identify_kiosk(client, admin, f"Annex {suffix}")
        people = []
        for name, site, sample in (
                ("Iris Hall", site_id, live_frames()[0].resize((400, 400))),
                ("Barack Hall", site_id, photo("obama/obama_1.jpg")),
                ("Joe Annex", other_site, photo("biden/biden_1.jpg"))):
            person = client.post("/api/v1/employees", headers=admin, json={
                "employee_no": f"H-{len(people)}-{suffix}", "name": name, "site_id": site})
            assert person.status_code == 201, person.text
            people.append(int(person.json()["id"]))
            enrolled = client.post(f"/api/v1/employees/{people[-1]}/faces", headers=admin,
                                   files={"image": ("face.jpg", jpeg(sample), "image/jpeg")})
            assert enrolled.status_code == 201, enrolled.text
        iris, obama, _ = people

        def punches(employee_id: int) -> int:
            return int(client.get("/api/v1/punches", headers=admin,
                                  params={"employee_id": employee_id}).json()["total"])

        try:
            # Her live burst, no claim: the frames the check encoded agree on her.
            issued = _challenge(client, kiosk, RECORDED_STEPS)
            punch = client.post("/api/v1/clock-ins", headers=kiosk,
                                data={"challenge": issued["challenge_id"]}, files=_burst(live))
            assert punch.status_code == 201, punch.text
            assert punch.json()["employee_id"] == iris and punch.json()["mode"] == "identify"

            # At the annex she is nobody: no frame names anyone, nobody is clocked in.
            issued = _challenge(client, other_kiosk, RECORDED_STEPS)
            stranger = client.post("/api/v1/clock-ins", headers=other_kiosk,
                                   data={"challenge": issued["challenge_id"]}, files=_burst(live))
            assert stranger.status_code == 422, stranger.text
            assert stranger.json()["error"]["code"] == "unknown_face"

            # Frames of two people (hers, then an enrolled colleague's photo): not clocked in.
            spliced = live[:24] + [jpeg(photo("obama/obama_1.jpg").resize((200, 200)))] * 24
            issued = _challenge(client, kiosk, RECORDED_STEPS)
            mixed = client.post("/api/v1/clock-ins", headers=kiosk,
                                data={"challenge": issued["challenge_id"]}, files=_burst(spliced))
            assert mixed.status_code == 422, mixed.text
            assert mixed.json()["error"]["code"] == "liveness_failed"
            assert (punches(iris), punches(obama)) == (1, 0)
        finally:
            for employee_id in people:  # her face may belong to one employee at a time
                erased = client.delete(f"/api/v1/employees/{employee_id}", headers=admin)
                assert erased.status_code == 204, erased.text


def test_a_kiosk_clocks_in_only_with_a_live_burst(stack: StackProcesses) -> None:
    suffix = uuid.uuid4().hex[:6]
    live = [jpeg(f) for f in live_frames()[21:]]
    with httpx.Client(base_url=stack.base_url, timeout=120) as client:
        admin = bearer_of(client.post("/api/v1/auth/login",
                                    json={"username": "admin", "password": "admin12345"}))
        site = client.post("/api/v1/sites", headers=admin, json={
            "name": f"Door {suffix}", "timezone": "UTC", "liveness": "kiosks",
            "identification_mode": "identify"})
        assert site.status_code == 201 and site.json()["liveness"] == "kiosks", site.text
        device = client.post("/api/v1/kiosks", headers=admin, json={"name": f"Door {suffix}"})
        assert device.status_code == 201, device.text
        bound = client.put(f"/api/v1/sites/{site.json()['id']}/kiosks/{device.json()['id']}",
                           headers=admin)
        assert bound.status_code == 200, bound.text
        kiosk = bearer_of(client.post("/api/v1/auth/device-login",
                                    json={"device_secret": device.json()["device_secret"]}))
        person = client.post("/api/v1/employees", headers=admin, json={
            "employee_no": f"L-{suffix}", "name": "Iris Live", "site_id": site.json()["id"]})
        assert person.status_code == 201, person.text
        employee_id = person.json()["id"]
        sample = jpeg(live_frames()[0].resize((400, 400)))
        enrolled = client.post(f"/api/v1/employees/{employee_id}/faces", headers=admin,
                               files={"image": ("face.jpg", sample, "image/jpeg")})
        assert enrolled.status_code == 201, enrolled.text

        # One photo no longer clocks anyone in at this site's kiosks.
        photo_only = client.post("/api/v1/clock-ins", headers=kiosk,
                                 data={"employee_no": f"L-{suffix}"},
                                 files={"image": ("kiosk.jpg", live[0], "image/jpeg")})
        assert photo_only.status_code == 422, photo_only.text
        assert photo_only.json()["error"]["code"] == "liveness_required"

        # A burst made from her own photo, moved in front of the camera, is refused.
        for attack in ("still", "moved"):
            issued = _challenge(client, kiosk)
            assert issued["required"] and issued["frame_interval_ms"] > 0
            frames = [jpeg(f) for f in ATTACKS[attack](live_frames()[0], 16)]
            refused = client.post("/api/v1/clock-ins", headers=kiosk, data={
                "challenge": issued["challenge_id"]}, files=_burst(frames))
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"]["code"] == "liveness_failed"

        # Her recorded burst, answering the challenge it performs, clocks her in.
        issued = _challenge(client, kiosk, RECORDED_STEPS)
        # (The kiosk verifies: she gives her badge number, her face is checked 1:1.)
        punch = client.post("/api/v1/clock-ins", headers={**kiosk, "Idempotency-Key": suffix},
                            data={"challenge": issued["challenge_id"], "employee_no": f"L-{suffix}"},
                            files=_burst(live))
        assert punch.status_code == 201, punch.text
        assert punch.json()["employee_id"] == employee_id
        # A retry with the same key (the answer was lost on the way) gets the stored answer
        # before anything is checked or recognised: its challenge is used by now, yet no 409.
        retried = client.post("/api/v1/clock-ins", headers={**kiosk, "Idempotency-Key": suffix},
                              data={"challenge": issued["challenge_id"],
                                    "employee_no": f"L-{suffix}"}, files=_burst(live))
        assert retried.status_code == 200, retried.text
        assert retried.json()["punch_id"] == punch.json()["punch_id"]

        # The same nonce again (a replay through any gateway worker) is refused.
        replay = client.post("/api/v1/clock-ins", headers=kiosk,
                             data={"challenge": issued["challenge_id"]}, files=_burst(live))
        assert replay.status_code == 409 and replay.json()["error"]["code"] == "challenge_used"
        # So is an answer that comes after the challenge expired.
        late = _challenge(client, kiosk, RECORDED_STEPS)
        time.sleep(CHALLENGE_SECONDS + 0.5)
        expired = client.post("/api/v1/clock-ins", headers=kiosk,
                              data={"challenge": late["challenge_id"]}, files=_burst(live))
        assert expired.status_code == 410 and expired.json()["error"]["code"] == "challenge_expired"
        # A burst of the wrong size is a clear 422.
        short = client.post("/api/v1/clock-ins", headers=kiosk,
                            data={"challenge": _challenge(client, kiosk)["challenge_id"]},
                            files=_burst(live[:2]))
        assert short.status_code == 422 and short.json()["error"]["code"] == "bad_burst"

        # The punch says its liveness was checked, and the log filters on it.
        checked = client.get("/api/v1/punches", headers=admin,
                             params={"employee_id": employee_id, "liveness": "checked"}).json()
        assert [p["liveness_checked"] for p in checked["items"]] == [True]
