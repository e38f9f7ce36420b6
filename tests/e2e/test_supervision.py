"""`./dev up` supervises like production (issue 10 item 4): a child killed with SIGKILL is
restarted and logged while the others keep serving; Ctrl-C stops every child cleanly.

The real entry point runs here (`./dev up`, on a free block of ports with its own var dir).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from faceclock_dev.testing import REPO_ROOT

from .conftest import Api, photo

STARTED = re.compile(r"started (\S+) \(pid (\d+)\)")
LOGGED_AT = re.compile(r"^(\d\d):(\d\d):(\d\d) ", re.MULTILINE)
# Back within 30 s, as issue 10 asks, on a machine that started recognition in under 24 s; on a
# machine so loaded that its first start took longer, within 1.25 times that first start.
RESTART_SECONDS = 30.0


@dataclass
class DevUp:
    process: subprocess.Popen[bytes]
    output: Path
    base_url: str

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def pids(self, name: str) -> list[int]:
        """Every pid `name` has had, in start order."""
        return [int(pid) for child, pid in STARTED.findall(self.text()) if child == name]

    def all_pids(self) -> list[int]:
        return [int(pid) for _, pid in STARTED.findall(self.text())]

    def first_start_seconds(self, name: str, ready_line: str) -> float:
        """From the supervisor's "started NAME" to the first line of NAME containing ready_line."""
        lines = self.text().splitlines()
        started = next(line for line in lines if f"started {name} (pid" in line)
        ready = next(line for line in lines if line.split("|")[0].split()[-1:] == [name]
                     and ready_line in line)

        def seconds(line: str) -> int:
            hours, minutes, secs = LOGGED_AT.match(line).groups()  # type: ignore[union-attr]
            return int(hours) * 3600 + int(minutes) * 60 + int(secs)

        return float((seconds(ready) - seconds(started)) % 86400)


def _free_block(size: int) -> int:
    """A base port with `size` free ports from it (./dev up puts the stack on consecutive ports)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + size >= 65535:
            continue
        try:
            held = []
            for port in range(base, base + size):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
        return base
    raise RuntimeError("no block of free ports found")


def _status(base_url: str) -> tuple[int, dict]:
    reply = httpx.get(f"{base_url}/api/v1/status", timeout=10)
    return reply.status_code, reply.json()


@pytest.fixture(scope="module")
def dev_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevUp]:
    work = tmp_path_factory.mktemp("dev-up")
    base = _free_block(8)
    env = {**os.environ, "FACECLOCK_PORT": str(base), "FACECLOCK_VAR_DIR": str(work / "var")}
    for name in ("FACECLOCK_MYSQL_URL", "FACECLOCK_REDIS_URL", "FACECLOCK_RECOGNITION_REPLICAS"):
        env.pop(name, None)
    output = work / "dev-up.log"
    with open(output, "wb") as out:
        # Its own session, like a terminal's foreground job: SIGINT to the group is Ctrl-C.
        process = subprocess.Popen(["./dev", "up"], cwd=REPO_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    running = DevUp(process, output, f"http://127.0.0.1:{base}")
    try:
        deadline = time.monotonic() + 300
        while "FaceClock is ready" not in running.text():
            assert process.poll() is None, f"./dev up exited:\n{running.text()[-5000:]}"
            assert time.monotonic() < deadline, f"not ready:\n{running.text()[-5000:]}"
            time.sleep(1)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for pid in running.all_pids():  # never leave a child behind, whatever happened
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _employee(admin: Api, name: str, faces_dir: Path, sample: str) -> int:
    reply = admin.client.post("/api/v1/employees", headers=admin.headers(), json={
        "employee_no": f"S-{uuid.uuid4().hex[:8]}", "name": name})
    assert reply.status_code == 201, reply.text
    employee = int(reply.json()["id"])
    enrolled = admin.client.post(f"/api/v1/employees/{employee}/faces", headers=admin.headers(),
                                 files={"image": photo(faces_dir, sample)})
    assert enrolled.status_code == 201, enrolled.text
    return employee


def _report_done(admin: Api, report_id: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = admin.client.get(f"/api/v1/reports/{report_id}", headers=admin.headers())
        assert reply.status_code == 200, reply.text
        if reply.json()["status"] == "done":
            return
        assert reply.json()["status"] in {"queued", "running"}, reply.text
        time.sleep(0.5)
    raise AssertionError(f"report {report_id} not done in {timeout} s")


def test_killed_recognition_is_restarted_while_the_rest_keeps_serving(dev_up: DevUp,
                                                                        faces_dir: Path) -> None:
    with httpx.Client(base_url=dev_up.base_url, timeout=60) as client:
        admin = Api(client)
        admin.login("admin", "admin12345")
        obama = _employee(admin, "Barack Obama", faces_dir, "people/obama/obama_1.jpg")
        biden = _employee(admin, "Joe Biden", faces_dir, "people/biden/biden_1.jpg")
        # HR clocks someone in by naming them (checked 1:1).
        before = client.post("/api/v1/clock-ins", headers=admin.headers(),
                             data={"employee_id": str(obama)},
                             files={"image": photo(faces_dir, "people/obama/obama_2.jpg")})
        assert before.status_code == 201, before.text
        today = time.strftime("%Y-%m-%d", time.gmtime())

        [recognition_pid] = dev_up.pids("recognition")
        bound = max(RESTART_SECONDS,
                    1.25 * dev_up.first_start_seconds("recognition", "recognition serving"))
        killed_at = time.monotonic()
        os.kill(recognition_pid, signal.SIGKILL)

        # Face routes: a prompt 503 recognition_unavailable, not a hang.
        for path, data in (("/api/v1/clock-ins", {"employee_id": str(biden)}),
                           ("/api/v1/recognition/identify", {}),
                           ("/api/v1/recognition/verify", {"employee_id": str(biden)})):
            started = time.monotonic()
            reply = client.post(path, headers=admin.headers(), data=data,
                                files={"image": photo(faces_dir, "people/biden/biden_2.jpg")})
            elapsed = time.monotonic() - started
            assert reply.status_code == 503, (path, reply.status_code, reply.text)
            assert reply.json()["error"]["code"] == "recognition_unavailable", reply.text
            assert int(reply.headers["Retry-After"]) >= 1
            assert elapsed < 3, f"{path} took {elapsed:.1f} s to say unavailable"

        # Everything else answers normally meanwhile.
        status, body = _status(dev_up.base_url)
        assert (status, body["status"]) == (503, "degraded"), body
        assert body["services"]["recognition"] == "down"
        assert {body["services"][s] for s in ("auth", "attendance", "reporting")} == {"ready"}
        other = Api(client)
        other.login("admin", "admin12345")
        assert client.get("/api/v1/employees", headers=admin.headers()).status_code == 200
        punches = client.get("/api/v1/punches", params={"employee_id": obama}, headers=admin.headers())
        assert punches.status_code == 200 and punches.json()["total"] == 1, punches.text
        report = client.post("/api/v1/reports", headers=admin.headers(),
                             json={"kind": "daily", "params": {"date": today}})
        assert report.status_code in (201, 202), report.text
        assert client.get("/", headers=admin.headers()).status_code == 200

        # Back and serving within 30 s of the kill (see RESTART_SECONDS).
        while True:
            reply = client.post("/api/v1/clock-ins", headers=admin.headers(),
                                data={"employee_id": str(biden)},
                                files={"image": photo(faces_dir, "people/biden/biden_2.jpg")})
            if reply.status_code != 503:
                break
            assert time.monotonic() - killed_at < bound, f"recognition not back in {bound:.0f} s"
            time.sleep(0.5)
        assert reply.status_code == 201, reply.text
        assert reply.json()["employee_id"] == biden

        # Nothing was lost: the punch from before, the one after, the report asked for meanwhile.
        _report_done(admin, int(report.json()["id"]))
        for employee in (obama, biden):
            listed = client.get("/api/v1/punches", params={"employee_id": employee},
                                headers=admin.headers())
            assert listed.json()["total"] == 1, listed.text
        assert _status(dev_up.base_url)[0] == 200

    pids = dev_up.pids("recognition")
    assert len(pids) == 2 and pids[0] == recognition_pid, pids
    log = dev_up.text()
    assert f"recognition (pid {recognition_pid}) exited unexpectedly (killed by SIGKILL)" in log
    assert log.count("exited unexpectedly") == 1, "another process died too"


def test_a_killed_child_is_restarted_and_ctrl_c_stops_every_child(dev_up: DevUp) -> None:
    [attendance_pid] = dev_up.pids("attendance")
    os.kill(attendance_pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len(dev_up.pids("attendance")) < 2 or _status(dev_up.base_url)[0] != 200:
        assert time.monotonic() < deadline, dev_up.text()[-3000:]
        time.sleep(0.5)
    assert f"attendance (pid {attendance_pid}) exited unexpectedly" in dev_up.text()

    children = dev_up.all_pids()
    os.killpg(dev_up.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    assert dev_up.process.wait(90) == 0, dev_up.text()[-3000:]
    log = dev_up.text()
    assert "every process has stopped" in log
    assert "SIGKILL" not in log.split("stopping every process", 1)[1], "a child had to be killed"
    alive = []
    for pid in children:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    assert alive == [], f"children still running after Ctrl-C: {alive}"
