from __future__ import annotations

import io
import time

import pytest
from fastapi import UploadFile
from PIL import Image

from faceclock_common.errors import ApiError
from gateway_svc.images import read_image_upload, sniff_image_type


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(data: bytes) -> UploadFile:
    return UploadFile(io.BytesIO(data), filename="x")


async def _read(data: bytes | None, max_bytes: int = 1_000_000, max_pixels: int = 1_000_000) -> bytes:
    return await read_image_upload(_upload(data) if data is not None else None,
                                   max_bytes=max_bytes, max_pixels=max_pixels)


def test_sniffs_by_content_not_name() -> None:
    assert sniff_image_type(_png(2, 2)) == "png"
    assert sniff_image_type(b"\xff\xd8\xff\xe0rest") == "jpeg"
    assert sniff_image_type(b"GIF89a") is None
    assert sniff_image_type(b"<svg/>") is None


async def test_accepts_a_real_png() -> None:
    data = _png(64, 48)
    assert await _read(data) == data


@pytest.mark.parametrize(("data", "status", "code"), [
    (None, 422, "image_required"),
    (b"", 422, "empty_image"),
    (b"hello, not an image", 415, "unsupported_media_type"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 422, "bad_image"),
])
async def test_refuses_bad_uploads(data: bytes | None, status: int, code: str) -> None:
    with pytest.raises(ApiError) as caught:
        await _read(data)
    assert (caught.value.status, caught.value.code) == (status, code)


async def test_size_limit_is_413() -> None:
    with pytest.raises(ApiError) as caught:
        await _read(_png(300, 300), max_bytes=100)
    assert caught.value.status == 413


async def test_pixel_limit_refuses_decompression_bombs() -> None:
    bomb = _png(6000, 6000, mode="1")  # 36 MP that compress to a few kB
    assert len(bomb) < 200_000
    with pytest.raises(ApiError) as caught:
        await _read(bomb, max_pixels=10_000_000)
    assert (caught.value.status, caught.value.code) == (422, "too_many_pixels")


async def test_accepts_a_real_webp() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 100, 50)).save(buffer, format="WEBP")
    data = buffer.getvalue()
    assert sniff_image_type(data) == "webp"
    assert await _read(data) == data


@pytest.mark.parametrize(("width", "height"), [(36_000_000, 1), (400, 99_900), (9000, 1000)])
async def test_shapes_no_camera_makes_are_refused_at_once(width: int, height: int) -> None:
    """A 36,000,000 x 1 px PNG is 37 kB and crashed recognition's detector: refuse the shape
    (long side, aspect ratio), not only the pixel count."""
    data = _png(width, height, mode="1")
    assert len(data) < 100_000
    started = time.perf_counter()
    with pytest.raises(ApiError) as caught:
        await _read(data, max_pixels=40_000_000)
    assert time.perf_counter() - started < 2
    assert (caught.value.status, caught.value.code) == (422, "bad_image")
    assert f"{width}x{height}" in caught.value.message


async def test_a_webp_claiming_to_be_png_is_not_parsed_as_anything_else() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="WEBP")
    with pytest.raises(ApiError) as caught:
        await _read(b"\x89PNG\r\n\x1a\n" + buffer.getvalue())
    assert caught.value.code == "bad_image"


async def test_accepts_a_real_heic() -> None:
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 100, 50))).save(buffer, quality=80)
    data = buffer.getvalue()
    assert sniff_image_type(data) == "heic"
    assert await _read(data) == data
    with pytest.raises(ApiError) as caught:
        await _read(data[:200])
    assert caught.value.code == "bad_image"
