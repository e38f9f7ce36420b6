"""docker-compose.yml, run for real: the stack from the images just built (third-party images
swapped for stand-ins, host ports on free ports), then the product used through the gateway."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import secrets
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from faceclock_dev.testing import FACES_DIR, free_port

from .images import SERVICE_TAG, probe_image
from .tooling import COMPOSE_PLUGIN, DOCKER, LIVE, ROOT, StageFailed, run, say, step

PROJECT = f"faceclock-{SERVICE_TAG}"
ONE_SHOT = ("migrate-auth", "migrate-attendance", "migrate-recognition", "migrate-reporting")
RESTART_POLICIES = {"unless-stopped", "always", "on-failure"}
ERASURE_DEADLINE_S = 2.0


def _token() -> str:
    return secrets.token_urlsafe(24)


def stack_env(standins: dict[str, str], base: str) -> dict[str, str]:
    """The operator's .env: fresh secrets, the images just built, free host ports."""
    gateway_port, mail_port = free_port(), free_port()
    return {
        "FACECLOCK_ENV": "production",
        "FACECLOCK_PORT": str(gateway_port),
        "MAILPIT_PORT": str(mail_port),
        "FACECLOCK_PUBLIC_URL": f"http://127.0.0.1:{gateway_port}",
        "FACECLOCK_REGISTRY": "faceclock",
        "FACECLOCK_TAG": SERVICE_TAG,
        "FACECLOCK_BASE_IMAGE": base,
        "RECOGNITION_REPLICAS": "1",
        "REPORTING_WORKERS": "1",
        "MYSQL_ROOT_PASSWORD": _token(),
        "MYSQL_PASSWORD": _token(),
        "AUTH_BOOTSTRAP_ADMIN_USERNAME": "admin",
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": _token(),
        "GATEWAY_CLIENT_SECRET": _token(),
        "REPORTING_CLIENT_SECRET": _token(),
        "ATTENDANCE_CLIENT_SECRET": _token(),
        "RECOGNITION_ENCRYPTION_KEY": base64.b64encode(os.urandom(32)).decode(),
        "FACECLOCK_CI_MYSQL_IMAGE": standins["mysql"],
        "FACECLOCK_CI_REDIS_IMAGE": standins["redis"],
        "FACECLOCK_CI_MAILPIT_IMAGE": standins["mailpit"],
    }


@dataclass
class ComposeStack:
    work: Path
    env: dict[str, str]
    env_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.env_file = self.work / "compose.env"
        self.env_file.write_text("".join(f"{key}={value}\n" for key, value in self.env.items()))
        self.env_file.chmod(0o600)

    def compose(self, *args: str, timeout: float = 300, check: bool = True
                ) -> subprocess.CompletedProcess[bytes]:
        return run([COMPOSE_PLUGIN, "--project-name", PROJECT, "--project-directory", ROOT,
                    "--file", ROOT / "docker-compose.yml", "--file", LIVE / "compose.override.yml",
                    "--env-file", self.env_file, *args], timeout=timeout, check=check, quiet=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.env['FACECLOCK_PORT']}"

    @property
    def mail_url(self) -> str:
        return f"http://127.0.0.1:{self.env['MAILPIT_PORT']}"

    def resolved_config(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.compose("config", "--format", "json").stdout)
        return loaded

    def containers(self, service: str | None = None) -> list[dict[str, Any]]:
        ids = self.compose("ps", "--all", "--quiet", *([service] if service else [])).stdout.split()
        if not ids:
            return []
        out = run([DOCKER, "inspect", *[i.decode() for i in ids]], timeout=60, quiet=True).stdout
        found: list[dict[str, Any]] = json.loads(out)
        return found

    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "20", timeout=300,
                     check=False)

    def logs(self, services: list[str]) -> str:
        result = self.compose("logs", "--no-color", "--tail", "40", *services, check=False)
        return result.stdout.decode(errors="replace")[-12000:]

    def wait_healthy(self, timeout: float) -> None:
        """Every long-running container healthy and every migration step exited 0."""
        deadline = time.monotonic() + timeout
        while True:
            pending = []
            for container in self.containers():
                service = container["Config"]["Labels"]["com.docker.compose.service"]
                state = container["State"]
                if service in ONE_SHOT:
                    if state["Status"] == "exited" and state["ExitCode"] != 0 \
                            and not state.get("Restarting"):
                        raise StageFailed(f"{service} failed:\n{self.logs([service])}")
                    if state["Status"] != "exited":
                        pending.append(f"{service}: {state['Status']}")
                elif state.get("Health", {}).get("Status") != "healthy":
                    pending.append(f"{container['Name']}: {state.get('Health', {}).get('Status')}")
            if not pending:
                return
            if time.monotonic() > deadline:
                names = sorted({p.split(":")[0].strip("/").rsplit("-", 1)[0].removeprefix(
                    f"{PROJECT}-") for p in pending})
                raise StageFailed(f"not healthy after {timeout:.0f}s: {pending}\n{self.logs(names)}")
            time.sleep(3)


# ---------------------------------------------------------------------------------------------
# the product, through the gateway


def photo(relative: str) -> tuple[str, bytes, str]:
    path = FACES_DIR / relative
    return path.name, path.read_bytes(), "image/png" if path.suffix == ".png" else "image/jpeg"


class Gateway:
    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=60)
        self.token = ""

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def login(self, username: str, password: str) -> httpx.Response:
        reply = self.client.post("/api/v1/auth/login",
                                 json={"username": username, "password": password})
        if reply.status_code == 200:
            self.token = reply.json()["access_token"]
        return reply

    def call(self, method: str, path: str, expect: int | tuple[int, ...], *,
             headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        reply = self.client.request(method, path, headers=self.headers(**(headers or {})), **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        if reply.status_code not in expected:
            raise StageFailed(f"{method} {path}: {reply.status_code} {reply.text[:500]}")
        return reply.json() if reply.content and "json" in reply.headers.get("content-type", "") \
            else reply

    def employee(self, name: str, **fields: object) -> int:
        body = self.call("POST", "/api/v1/employees", 201,
                         json={"employee_no": f"CI-{uuid.uuid4().hex[:8]}", "name": name, **fields})
        return int(body["id"])

    def enrol(self, employee: int, sample: str) -> None:
        self.call("POST", f"/api/v1/employees/{employee}/faces", 201, files={"image": photo(sample)})


def check(condition: bool, message: str) -> None:
    if not condition:
        raise StageFailed(message)


def wait_until(what: str, probe: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise StageFailed(f"{what}: not within {timeout:.0f}s")


def readiness(stack: ComposeStack, api: Gateway) -> None:
    ready = api.client.get("/readyz")
    check(ready.status_code == 200, f"gateway /readyz: {ready.status_code} {ready.text}")
    status = api.client.get("/api/v1/status")
    check(status.status_code == 200, f"/api/v1/status: {status.status_code} {status.text}")
    say(f"  /api/v1/status: {status.text[:300]}")


def login(stack: ComposeStack, api: Gateway) -> None:
    wrong = api.login(stack.env["AUTH_BOOTSTRAP_ADMIN_USERNAME"], "not-the-password")
    check(wrong.status_code == 401, f"a wrong password: {wrong.status_code}")
    reply = api.login(stack.env["AUTH_BOOTSTRAP_ADMIN_USERNAME"],
                      stack.env["AUTH_BOOTSTRAP_ADMIN_PASSWORD"])
    check(reply.status_code == 200, f"bootstrap admin login: {reply.status_code} {reply.text}")
    me = api.call("GET", "/api/v1/auth/me", 200)
    check("admin" in me["roles"], f"/auth/me: {me}")


@dataclass
class People:
    site: int = 0
    obama: int = 0
    biden: int = 0
    absentee: int = 0


def enrol_and_clock_in(api: Gateway, people: People) -> None:
    site = api.call("POST", "/api/v1/sites", 201,
                    json={"name": f"HQ {uuid.uuid4().hex[:6]}", "timezone": "UTC"})
    people.site = int(site["id"])
    people.obama = api.employee("Barack Obama", site_id=people.site)
    people.biden = api.employee("Joe Biden", site_id=people.site)
    people.absentee = api.employee("Rose Leslie", site_id=people.site)
    api.enrol(people.obama, "people/obama/obama_1.jpg")
    api.enrol(people.biden, "people/biden/biden_1.jpg")
    # HR names the employee; the face is checked 1:1 against theirs (the default mode).
    punch = api.call("POST", "/api/v1/clock-ins", 201, files={"image": photo("people/obama/obama_2.jpg")},
                     data={"employee_id": str(people.obama)},
                     headers={"Idempotency-Key": uuid.uuid4().hex})
    check(punch["employee_id"] == people.obama, f"clock-in matched {punch}")
    say(f"  clocked in {punch['name']} ({punch['kind']}, confidence {punch.get('confidence')})")


def unknown_face(api: Gateway, people: People) -> None:
    """Nobody enrolled matches: identify names no one, and it does not pass for an employee."""
    sample = photo("people/kit_harington/kit_harington_1.jpg")
    identified = api.call("POST", "/api/v1/recognition/identify", 200, files={"image": sample})
    check(len(identified["faces"]) == 1 and identified["faces"][0]["employee_id"] is None,
          f"an unenrolled face was identified: {identified}")
    reply = api.client.post("/api/v1/clock-ins", headers=api.headers(),
                            data={"employee_id": str(people.obama)}, files={"image": sample})
    check(reply.status_code == 422 and reply.json()["error"]["code"] == "face_mismatch",
          f"an unenrolled face clocking in as someone: {reply.status_code} {reply.text}")


def roll_call_and_report(api: Gateway, people: People) -> None:
    roll = api.call("POST", "/api/v1/roll-calls", 201, data={"site_id": str(people.site)},
                    files={"image": photo("group/two_people.jpg")})
    present = {p["employee_id"] for p in roll["present"]}
    absent = {p["employee_id"] for p in roll["absent"]}
    check({people.obama, people.biden} <= present, f"roll call present: {roll['present']}")
    check(people.absentee in absent, f"roll call absent: {roll['absent']}")

    def done() -> dict[str, Any] | None:
        report: dict[str, Any] = api.call("GET", f"/api/v1/reports/{roll['report_id']}", 200)
        check(report["status"] != "failed", f"report failed: {report}")
        return report if report["status"] == "done" else None

    report = wait_until("the roll-call report", done, timeout=120)
    download = api.call("GET", f"/api/v1/reports/{roll['report_id']}/download", 200)
    check(download.headers["content-type"].startswith("text/csv"), str(download.headers))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    by_name = {row[1]: [cell.lower() for cell in row] for row in rows[1:]}
    check("present" in by_name.get("Barack Obama", []) and "absent" in by_name.get("Rose Leslie", []),
          f"report rows: {rows}")
    say(f"  downloaded {report['file_name']}: {len(rows) - 1} rows")


def password_reset_by_mail(stack: ComposeStack, api: Gateway) -> None:
    name = f"ci{uuid.uuid4().hex[:8]}"
    email = f"{name}@example.com"
    api.call("POST", "/api/v1/users", 201, json={"username": name, "email": email,
                                                 "password": "first Password 123",
                                                 "roles": ["employee"]})
    forgot = api.client.post("/api/v1/auth/password/forgot", json={"email": email})
    check(forgot.status_code == 202, f"forgot: {forgot.status_code} {forgot.text}")
    mail = httpx.Client(base_url=stack.mail_url, timeout=10)

    def delivered() -> str | None:
        found = mail.get("/api/v1/search", params={"query": f"to:{email}"}).json()["messages"]
        return found[0]["ID"] if found else None

    message_id = wait_until(f"the reset e-mail to {email}", delivered, timeout=60)
    message = mail.get(f"/api/v1/message/{message_id}").json()
    link = re.search(r"(\S+)/reset-password\?token=([A-Za-z0-9_\-.~%]+)", message["Text"])
    check(link is not None, f"no reset link in: {message['Text'][:500]}")
    assert link is not None
    check(link.group(1) == stack.env["FACECLOCK_PUBLIC_URL"], f"link base {link.group(1)}")
    reset = api.client.post("/api/v1/auth/password/reset",
                            json={"token": link.group(2), "new_password": "second Password 456"})
    check(reset.status_code == 204, f"reset: {reset.status_code} {reset.text}")
    user = Gateway(stack.base_url)
    check(user.login(name, "first Password 123").status_code == 401, "old password still works")
    check(user.login(name, "second Password 456").status_code == 200, "new password refused")


def recognition_containers(stack: ComposeStack) -> list[dict[str, Any]]:
    return [c for c in stack.containers("recognition") if c["State"]["Status"] == "running"]


def scale_recognition(stack: ComposeStack) -> None:
    stack.compose("up", "--detach", "--no-deps", "--no-recreate", "--pull", "never",
                  "--scale", "recognition=2", "recognition", timeout=300)
    wait_until("two healthy recognition replicas", lambda: len(
        [c for c in recognition_containers(stack) if c["State"].get("Health", {}).get("Status")
         == "healthy"]) == 2, timeout=300, interval=2)


def erasure_reaches_every_replica(stack: ComposeStack, api: Gateway) -> None:
    person = api.employee("Kit Harington")
    api.enrol(person, "people/kit_harington/kit_harington_1.jpg")
    request = json.dumps({"token": api.token, "person_id": str(person), "timeout": 120,
                          "image": base64.b64encode(photo("people/kit_harington/kit_harington_2.jpg")[1])
                          .decode()}) + "\n"
    code = (LIVE / "erasure_watch.py").read_text()
    watchers = []
    for container in recognition_containers(stack):
        process = subprocess.Popen([DOCKER, "exec", "-i", container["Id"], "python", "-c", code],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert process.stdin is not None
        process.stdin.write(request)
        process.stdin.flush()
        watchers.append((container["Name"].strip("/"), process))
    check(len(watchers) == 2, f"{len(watchers)} recognition replicas running")
    try:
        for name, process in watchers:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            check(line.startswith("seen "), f"{name}: enrolment never visible ({line!r})")
        erased_at = time.time()
        api.call("DELETE", f"/api/v1/employees/{person}/faces", 204)
        for name, process in watchers:
            assert process.stdout is not None
            gone = process.stdout.readline().strip()
            unmatched = process.stdout.readline().strip()
            check(gone.startswith("gone ") and unmatched.startswith("unmatched "),
                  f"{name}: erased face still there ({gone!r}, {unmatched!r})")
            delay = float(gone.split()[1]) - erased_at
            say(f"  {name}: the face left its index {delay:.2f}s after the erasure was asked "
                f"(identify stopped matching after {float(unmatched.split()[1]) - erased_at:.2f}s)")
            check(delay <= ERASURE_DEADLINE_S, f"{name}: erasure took {delay:.2f}s")
    finally:
        for _, process in watchers:
            process.kill()
            process.wait(timeout=30)


def kill_a_replica_during_clock_ins(stack: ComposeStack, api: Gateway, people: People
                                    ) -> dict[str, Any]:
    """Clock-ins keep coming while one recognition container dies (SIGKILL from the host, as a
    crash in native code would); a client retrying with its Idempotency-Key loses nothing."""
    victim = recognition_containers(stack)[0]
    samples = [(people.obama, "people/obama/obama_3.jpg"), (people.biden, "people/biden/biden_2.jpg")]
    answers: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    retried = 0
    killed = threading.Event()

    def clock_ins() -> None:
        nonlocal retried
        for index in range(16):
            if index == 4:
                killed.wait(60)
            employee, sample = samples[index % 2]
            key = f"ci-{uuid.uuid4().hex}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    reply = api.client.post("/api/v1/clock-ins", files={"image": photo(sample)},
                                            data={"employee_id": str(employee)},
                                            headers=api.headers(**{"Idempotency-Key": key}))
                    if reply.status_code in (200, 201):
                        answers[key] = {**reply.json(), "expected": employee}
                        break
                    failure = f"{reply.status_code} {reply.text[:200]}"
                    if reply.status_code not in (502, 503, 504):
                        errors.append(failure)
                        break
                except httpx.TransportError as exc:
                    failure = repr(exc)
                if time.monotonic() > deadline:
                    errors.append(f"gave up: {failure}")
                    break
                retried += 1
                time.sleep(0.5)

    worker = threading.Thread(target=clock_ins)
    worker.start()
    time.sleep(1)
    pid = victim["State"]["Pid"]
    run(["kill", "-KILL", str(pid)], timeout=30)
    say(f"  killed {victim['Name'].strip('/')} (pid {pid}) during clock-ins")
    killed.set()
    worker.join(timeout=600)
    check(not worker.is_alive(), "the clock-ins did not finish")
    check(not errors, f"clock-ins failed: {errors}")
    check(len(answers) == 16, f"{len(answers)} of 16 clock-ins answered")
    check(all(a["employee_id"] == a["expected"] for a in answers.values()), f"wrong match: {answers}")
    stored = set()
    for employee in (people.obama, people.biden):
        listed = api.call("GET", "/api/v1/punches", 200, params={"employee_id": employee, "limit": 200})
        stored |= {p["id"] for p in listed["items"]}
    missing = {a["punch_id"] for a in answers.values()} - stored
    check(not missing, f"punches answered but not stored: {missing}")
    say(f"  16 clock-ins answered and stored ({retried} retried with their key after a 5xx)")
    return victim


def killed_container_comes_back(stack: ComposeStack, victim: dict[str, Any]) -> None:
    """Docker restarts it (restart: unless-stopped): a new start, then healthy (SERVING)."""
    def back() -> bool:
        (info,) = json.loads(run([DOCKER, "inspect", victim["Id"]], timeout=60, quiet=True).stdout)
        return bool(info["RestartCount"] > victim["RestartCount"]
                    and info["State"]["StartedAt"] != victim["State"]["StartedAt"]
                    and info["State"].get("Health", {}).get("Status") == "healthy")

    wait_until("the killed recognition container restarted and healthy", back, timeout=300,
               interval=2)


CLIENTS = 16


def many_clients_at_once(api: Gateway, people: People) -> None:
    """A morning rush on the containers: 16 clients at once, each clocking someone in by face,
    identifying a photo and sending a file that is no image. Every clock-in names the right
    person, every junk upload is a 4xx, nothing answers 5xx, and the stack is still ready."""
    samples = [(people.obama, "people/obama/obama_2.jpg"), (people.biden, "people/biden/biden_2.jpg")]
    junk = [("fake.gif", b"GIF89a not really", "image/gif"), ("empty.jpg", b"", "image/jpeg")]
    wrong: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(index: int) -> None:
        employee, sample = samples[index % 2]
        with httpx.Client(base_url=api.client.base_url, timeout=120) as http:
            start.wait(60)
            punch = http.post("/api/v1/clock-ins", files={"image": photo(sample)},
                              data={"employee_id": str(employee)},
                              headers=api.headers(**{"Idempotency-Key": uuid.uuid4().hex}))
            seen = http.post("/api/v1/recognition/identify", headers=api.headers(),
                             files={"image": photo(sample)})
            bad = http.post("/api/v1/recognition/identify", headers=api.headers(),
                            files={"image": junk[index % 2]})
        with lock:
            statuses.extend((punch.status_code, seen.status_code, bad.status_code))
            if punch.status_code not in (200, 201) or punch.json()["employee_id"] != employee:
                wrong.append(f"clock-in {punch.status_code} {punch.text[:200]}")
            names = [f["employee_id"] for f in seen.json().get("faces", [])] \
                if seen.status_code == 200 else []
            if names != [employee]:
                wrong.append(f"identify {seen.status_code} {seen.text[:200]}")
            if not 400 <= bad.status_code < 500:
                wrong.append(f"junk upload {bad.status_code} {bad.text[:200]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    check(not any(t.is_alive() for t in threads), "clients still waiting after 600 s")
    check(not wrong, f"{len(wrong)} wrong answers: {wrong[:4]}")
    check(len(statuses) == 3 * CLIENTS and max(statuses) < 500, f"statuses: {statuses}")
    ready = api.client.get("/readyz")
    check(ready.status_code == 200, f"gateway /readyz after the rush: {ready.status_code}")
    say(f"  {CLIENTS} clients x 3 requests in {time.monotonic() - began:.1f} s, no 5xx, "
        f"statuses {sorted(set(statuses))}")


def restart_policies(stack: ComposeStack) -> None:
    for container in stack.containers():
        service = container["Config"]["Labels"]["com.docker.compose.service"]
        policy = container["HostConfig"]["RestartPolicy"]["Name"]
        check(policy in RESTART_POLICIES, f"{service} has restart policy {policy!r}")


def probe_images(stack: ComposeStack) -> None:
    config = stack.resolved_config()
    for service in ("auth", "attendance", "recognition", "reporting", "gateway"):
        env = {key: str(value) for key, value in config["services"][service]["environment"].items()}
        say(f"  {service}: {probe_image(service, env)}")


def run_compose_stage(work: Path, standins: dict[str, str], base: str) -> None:
    stack = ComposeStack(work, stack_env(standins, base))
    stack.down()
    try:
        with step("images load every driver and transport their Compose configuration names"):
            probe_images(stack)
        with step("compose up (stand-ins for MySQL, Redis, Mailpit; one recognition replica)"):
            stack.compose("up", "--detach", "--no-build", "--pull", "never", timeout=900)
            stack.wait_healthy(timeout=420)
        api = Gateway(stack.base_url)
        people = People()
        with step("readiness through the gateway"):
            readiness(stack, api)
        with step("login as the bootstrap admin Compose defines"):
            login(stack, api)
        with step("enrol two employees and clock one in"):
            enrol_and_clock_in(api, people)
        with step("an unknown face is refused"):
            unknown_face(api, people)
        with step("roll call and its CSV report downloaded"):
            roll_call_and_report(api, people)
        with step("password reset e-mail read from the mail catcher's API"):
            password_reset_by_mail(stack, api)
        with step("every container has a restart policy"):
            restart_policies(stack)
        with step("scale recognition to 2 replicas"):
            scale_recognition(stack)
        with step(f"an erasure reaches both replicas within {ERASURE_DEADLINE_S:.0f} s"):
            erasure_reaches_every_replica(stack, api)
        with step("kill a recognition container during clock-ins: nothing lost"):
            victim = kill_a_replica_during_clock_ins(stack, api, people)
        with step("the killed container is restarted by its policy and healthy again"):
            killed_container_comes_back(stack, victim)
        with step(f"{CLIENTS} clients at once on two replicas: right answers, no 5xx"):
            many_clients_at_once(api, people)
    except BaseException:
        say("compose ps at the failure:\n" + stack.compose("ps", "--all", check=False)
            .stdout.decode(errors="replace"))
        raise
    finally:
        with step("compose down -v"):
            stack.down()
