"""Kiosk claim codes: signed, expiring, and readable back from a picture of the QR code."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from faceclock_common.errors import ApiError
from gateway_svc.identity import codes

KEY = codes.key_of("a client secret")


def picture(rows: list[str], scale: int = 6) -> bytes:
    """The QR modules as a phone screen shows them, photographed as a JPEG."""
    image = Image.new("L", (len(rows[0]), len(rows)), 255)
    image.putdata([0 if cell == "1" else 255 for row in rows for cell in row])
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def test_a_code_names_its_employee_until_it_expires() -> None:
    code = codes.sign(KEY, 42, expires_at=1_000)
    assert codes.check(KEY, code, now=999) == 42
    with pytest.raises(ApiError) as expired:
        codes.check(KEY, code, now=1_000)
    assert expired.value.status == 410 and expired.value.code == "claim_code_expired"


@pytest.mark.parametrize("forged", [
    codes.sign(KEY, 42, 1_000).replace(".42.", ".43."),  # another employee, same signature
    codes.sign(KEY, 42, 1_000).replace(".1000.", ".9000."),  # a later expiry
    codes.sign(codes.key_of("another secret"), 42, 1_000),  # signed by someone else
    "E-1234", "", "fc1.42.1000",
])
def test_a_forged_or_foreign_code_is_refused(forged: str) -> None:
    with pytest.raises(ApiError) as refused:
        codes.check(KEY, forged, now=0)
    assert refused.value.status == 422 and refused.value.code == "claim_code_invalid"


def test_the_qr_modules_read_back_from_a_photo() -> None:
    code = codes.sign(KEY, 1234567, 1_767_225_600)
    rows = codes.modules(code)
    assert len(rows) == len(rows[0]) and set("".join(rows)) == {"0", "1"}
    assert codes.read(picture(rows)) == code
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), (128, 128, 128)).save(blank, "JPEG")
    assert codes.read(blank.getvalue()) is None
    assert codes.read(b"not an image") is None


def test_without_a_client_secret_there_are_no_codes() -> None:
    with pytest.raises(ApiError) as refused:
        codes.key_of("")
    assert refused.value.status == 503
