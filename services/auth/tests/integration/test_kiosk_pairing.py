"""Pairing a kiosk tablet by a short code an admin reads off the screen, instead of typing a
47-character secret: once, within 10 minutes; the paired tablet gets a fresh secret."""

from __future__ import annotations

import re
from datetime import timedelta

from auth_svc.db import utcnow
from auth_svc.kiosks.models import Kiosk


def test_a_short_code_pairs_the_tablet_once_and_in_time(api) -> None:
    admin = api.admin_headers()
    kiosk = api.http.post("/api/v1/kiosks", json={"name": "Gate"}, headers=admin).json()
    old_secret = kiosk["device_secret"]
    issued = api.http.post(f"/api/v1/kiosks/{kiosk['id']}/pairing-code", headers=admin)
    assert issued.status_code == 200, issued.text
    code = issued.json()["code"]
    assert re.fullmatch(r"[346789ABCDEFGHJKMNPQRTUVWXY]{4}-[346789ABCDEFGHJKMNPQRTUVWXY]{4}", code)
    # Typed in lower case without the dash, as a person on a tablet might.
    paired = api.http.post("/api/v1/auth/device-pair",
                           json={"code": code.replace("-", "").lower()})
    assert paired.status_code == 200, paired.text
    assert paired.json()["kiosk_name"] == "Gate"
    secret = paired.json()["device_secret"]
    assert secret != old_secret and len(secret) >= 40
    assert api.http.post("/api/v1/auth/device-login",
                         json={"device_secret": secret}).status_code == 200
    # The old secret is replaced; the code works once.
    assert api.http.post("/api/v1/auth/device-login",
                         json={"device_secret": old_secret}).status_code == 401
    again = api.http.post("/api/v1/auth/device-pair", json={"code": code},
                          headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 401
    assert again.json()["error"]["message"] == "配对码无效或已过期，请重新获取。"  # noqa: RUF001

    # An expired code does nothing.
    late = api.http.post(f"/api/v1/kiosks/{kiosk['id']}/pairing-code", headers=admin).json()
    with api.runtime.session_factory() as session:
        row = session.get(Kiosk, kiosk["id"])
        row.pairing_expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    assert api.http.post("/api/v1/auth/device-pair",
                         json={"code": late["code"]}).status_code == 401
    # Only an admin hands out codes; a revoked kiosk gets none.
    assert api.http.post(f"/api/v1/kiosks/{kiosk['id']}/pairing-code").status_code == 401
    api.http.delete(f"/api/v1/kiosks/{kiosk['id']}", headers=admin)
    assert api.http.post(f"/api/v1/kiosks/{kiosk['id']}/pairing-code",
                         headers=admin).status_code == 409


def test_guessing_codes_is_throttled_like_device_logins(sqlite_api) -> None:
    statuses = [sqlite_api.http.post("/api/v1/auth/device-pair",
                                     json={"code": f"AAAA-{n:04d}"}).status_code
                for n in range(40)]
    assert statuses[0] == 401 and 429 in statuses
