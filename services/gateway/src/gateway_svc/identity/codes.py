"""Kiosk claim codes: the phone app shows its signed-in employee a short-lived signed QR code,
and a verify kiosk scans it instead of a badge number being typed.

The code only says who claims to be there; the face is still verified 1:1 against that
employee, as after a typed badge number. So it needs no single-use bookkeeping: it is signed
(HMAC-SHA256 under a key derived from the gateway's client secret, which every replica shares)
and expires within a minute, so a photographed code is soon worthless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

import cv2
import numpy as np

from faceclock_common.errors import ApiError

PREFIX = "fc1"
_CODE = re.compile(rf"^{PREFIX}\.(\d{{1,16}})\.(\d{{1,12}})\.([A-Za-z0-9_-]{{22}})$")


def key_of(client_secret: str) -> bytes:
    if not client_secret:
        raise ApiError(503, "claim_codes_unavailable",
                       "Kiosk codes need the gateway's client secret to be set.")
    return hmac.new(client_secret.encode(), b"faceclock kiosk claim code v1",
                    hashlib.sha256).digest()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: bytes, employee_id: int, expires_at: int) -> str:
    payload = f"{PREFIX}.{employee_id}.{expires_at}"
    return f"{payload}.{_mac(key, payload)}"


def check(key: bytes, code: str, now: float | None = None) -> int:
    """The employee a code names; 422 for anything not signed by us, 410 once expired."""
    found = _CODE.match(code.strip())
    if found is None or not hmac.compare_digest(
            _mac(key, f"{PREFIX}.{found[1]}.{found[2]}"), found[3]):
        raise ApiError(422, "claim_code_invalid", "That is not a FaceClock kiosk code.")
    if int(found[2]) <= (time.time() if now is None else now):
        raise ApiError(410, "claim_code_expired",
                       "That kiosk code has expired; show a new one from the phone app.")
    return int(found[1])


def modules(code: str) -> list[str]:
    """The QR code as rows of "1" (dark) and "0" (light), quiet zone included: the phone draws
    it as SVG squares (no image data for the page's content security policy to weigh)."""
    matrix = cv2.QRCodeEncoder.create().encode(code)
    return ["".join("1" if value < 128 else "0" for value in row) for row in matrix]


def read(image: bytes) -> str | None:
    """The text of the QR code in a photo, if one can be read."""
    pixels = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
    if pixels is None:
        return None
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    return text or None
