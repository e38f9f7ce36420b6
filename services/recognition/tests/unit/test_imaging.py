"""Decoding: formats, EXIF orientation, colour modes, bit depths and the pixel limit."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from recognition_svc.imaging import BadImage, check_shape, decode_image, to_rgb8

LIMIT = {"max_pixels": 40_000_000, "max_bytes": 16 * 1024 * 1024}


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def test_exif_orientation_is_applied() -> None:
    # Stored landscape, tagged "rotate 90° clockwise to view" (orientation 6): portrait upright.
    stored = Image.new("RGB", (40, 20), (255, 0, 0))
    stored.paste((0, 0, 255), (0, 0, 10, 20))  # blue band on the stored left edge
    exif = Image.Exif()
    exif[0x0112] = 6
    pixels = decode_image(_encode(stored, "JPEG", exif=exif.tobytes(), quality=95), **LIMIT)
    assert pixels.shape == (40, 20, 3)
    top_row = pixels[2].astype(int)
    assert top_row[:, 2].mean() > 150 and top_row[:, 0].mean() < 100  # blue now on top


def test_modes_become_rgb8() -> None:
    grey = Image.new("L", (8, 6), 100)
    assert decode_image(_encode(grey, "PNG"), **LIMIT).shape == (6, 8, 3)
    rgba = Image.new("RGBA", (8, 6), (10, 20, 30, 0))
    out = decode_image(_encode(rgba, "PNG"), **LIMIT)
    assert out.dtype == np.uint8 and (out == 255).all()  # transparent → white, not black
    palette = Image.new("P", (8, 6), 3)
    assert decode_image(_encode(palette, "PNG"), **LIMIT).shape == (6, 8, 3)
    deep = Image.fromarray(np.full((6, 8), 65535, dtype=np.uint16))
    assert deep.mode.startswith("I;16")
    out = decode_image(_encode(deep, "PNG"), **LIMIT)
    assert out.shape == (6, 8, 3) and (out == 255).all()
    mid = to_rgb8(Image.fromarray(np.full((2, 2), 32896, dtype=np.uint16)))
    assert 127 <= int(mid[0, 0, 0]) <= 128


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size (and carries almost no data): a decompression-bomb shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00"))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize(("width", "height"), [(8000, 6000), (50_000, 50_000)])
def test_pixel_limit_refuses_before_decoding(width: int, height: int) -> None:
    with pytest.raises(BadImage, match="pixels"):
        decode_image(_png_header_only(width, height), **LIMIT)


def test_unusable_bytes(monkeypatch) -> None:
    # face_recognition (imported by other tests, never by the service) flips this global.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", False)
    for data, reason in ((b"", "empty"), (b"hello", "JPEG, PNG, WEBP or HEIC"),
                         (_encode(Image.new("RGB", (4, 4)), "BMP"), "JPEG, PNG, WEBP or HEIC"),
                         (_png_header_only(100, 100), "truncated")):
        with pytest.raises(BadImage, match=reason):
            decode_image(data, **LIMIT)
    with pytest.raises(BadImage, match="larger than"):
        decode_image(b"x" * 100, max_pixels=10, max_bytes=50)


@pytest.mark.parametrize(("width", "height"), [(36_000_000, 1), (400, 99_900), (1, 9),
                                               (9000, 1000), (13_000, 2000)])
def test_shapes_no_camera_makes_are_refused_before_decoding(width: int, height: int) -> None:
    with pytest.raises(BadImage, match="px"):
        decode_image(_png_header_only(width, height), **LIMIT)


@pytest.mark.parametrize(("width", "height"), [(4000, 3000), (1080, 1920), (2400, 1080),
                                               (8000, 2000), (1, 1)])
def test_photo_shapes_pass_the_shape_check(width: int, height: int) -> None:
    check_shape(width, height, max_pixels=40_000_000)
