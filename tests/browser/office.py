"""The office the browser tests set up through the API (that is not what they test): an admin
client for the stack, and the e-mails its SMTP server received."""

from __future__ import annotations

import email
import re
import time
import uuid
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from faceclock_dev.processes import StackProcesses
from faceclock_dev.testing import FACES_DIR

PASSWORD = "amber kettle horizon 31"
# Three or more lower-case words in a row: an English sentence where Chinese was expected.
ENGLISH_SENTENCE = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){2,}\b")


class Office:
    """The API as an admin (a fresh sign-in per call: tokens of this stack live 30 s)."""

    def __init__(self, stack: StackProcesses, admin_headers: Callable[[], dict[str, str]]) -> None:
        self.base = stack.base_url
        self.sign_in = admin_headers
        self.suffix = uuid.uuid4().hex[:5]
        self.signed: tuple[float, dict[str, str]] = (0.0, {})

    def headers(self) -> dict[str, str]:
        if time.monotonic() - self.signed[0] > 20:  # well inside the 30 s token life
            self.signed = (time.monotonic(), self.sign_in())
        return self.signed[1]

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        reply = httpx.request(method, f"{self.base}/api/v1{path}", headers=self.headers(),
                              timeout=120, **kwargs)
        if reply.status_code == 401:  # the admin signed out in a browser: tokens are revoked
            self.signed = (0.0, {})
            reply = httpx.request(method, f"{self.base}/api/v1{path}", headers=self.headers(),
                                  timeout=120, **kwargs)
        assert reply.status_code == status, (method, path, reply.status_code, reply.text)
        return reply.json() if reply.content else None

    def department(self, code: str, name: str) -> dict[str, Any]:
        return dict(self.call("POST", "/departments", 201,
                              json={"code": f"{code}{self.suffix}".upper(), "name": name}))

    def employee(self, name: str, department: dict[str, Any] | None = None,
                 site: int | None = None) -> dict[str, Any]:
        body = {"employee_no": f"W-{uuid.uuid4().hex[:6]}", "name": name,
                "department_id": department["id"] if department else None, "site_id": site}
        return dict(self.call("POST", "/employees", 201, json=body))

    def enrol(self, employee: dict[str, Any], photo: str) -> None:
        path = FACES_DIR / photo
        kind = "image/png" if path.suffix == ".png" else "image/jpeg"
        self.call("POST", f"/employees/{employee['id']}/faces", 201,
                  files={"image": (path.name, path.read_bytes(), kind)})

    def identifying_site(self, name: str) -> int:
        """A site whose kiosks identify faces among its people (no claim first)."""
        return int(self.call("POST", "/sites", 201, json={
            "name": f"{name} {self.suffix}", "timezone": "UTC",
            "identification_mode": "identify"})["id"])

    def kiosk_secret(self, name: str, site: int) -> str:
        kiosk = self.call("POST", "/kiosks", 201, json={"name": name})
        self.call("PUT", f"/sites/{site}/kiosks/{kiosk['id']}")
        return str(kiosk["device_secret"])

    def account(self, username: str, employee: dict[str, Any]) -> None:
        """A self-registered account (an employee), linked to the employee record by HR."""
        reply = httpx.post(f"{self.base}/api/v1/auth/register", timeout=60, json={
            "username": username, "email": f"{username}@example.com", "password": PASSWORD})
        assert reply.status_code == 202, reply.text  # the same answer whether the name was free
        users = self.call("GET", "/users", params={"limit": 500})["items"]
        user = next(u for u in users if u["username"] == username)
        self.call("PATCH", f"/users/{user['id']}", json={"employee_id": employee["id"]})

    def punches_of(self, employee: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.call("GET", "/punches", params={"employee_id": employee["id"]})["items"])


def mails_to(mail_dir: Path, address: str, after: float, count: int = 1,
              timeout: float = 30, about: str = "") -> list[EmailMessage]:
    """The e-mails the stack's SMTP server received for `address` since `after`, whose subject
    holds `about` (another mail sent around `after`, e.g. "account ready", is not counted)."""
    deadline = time.monotonic() + timeout
    found: list[EmailMessage] = []
    while time.monotonic() < deadline:
        found = []
        for path in sorted(mail_dir.glob("*.eml")):
            if path.stat().st_mtime < after:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address in str(message["To"]) and about in str(message["Subject"]):
                found.append(message)  # type: ignore[arg-type]
        if len(found) >= count:
            return found
        time.sleep(0.5)
    return found

