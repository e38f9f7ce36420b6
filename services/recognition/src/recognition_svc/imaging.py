"""Uploaded bytes → an orientation-corrected 8-bit RGB array, or a clear reason why not.

Only JPEG, PNG, WEBP and HEIC are accepted (checked by content, not by name). The pixel count and
the shape (long side, aspect ratio) are checked from the header before anything is decoded, so
a decompression bomb or a 36,000,000 x 1 px sliver costs nothing.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pi_heif
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's plugin registry is process-wide: HEIC (what phones save) joins it once, here.
pi_heif.register_heif_opener()

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})
FORMATS_TEXT = "JPEG, PNG, WEBP or HEIC"
# A photo of a person is never a sliver: phones shoot 4:3 to 21:9 (2.3:1), panoramas ~4:1.
MAX_ASPECT_RATIO = 8.0
MAX_SIDE = 12_000


class BadImage(ValueError):
    """The bytes are not a usable photo; the message is safe to show the caller."""


def check_shape(width: int, height: int, *, max_pixels: int, max_side: int = MAX_SIDE,
                max_aspect_ratio: float = MAX_ASPECT_RATIO) -> None:
    """Refuse a size no camera makes before any pixel is decoded."""
    if width < 1 or height < 1:
        raise BadImage("image has no pixels")
    if width * height > max_pixels:
        raise BadImage(f"image has {width * height} pixels; the limit is {max_pixels}")
    if max(width, height) > max_side:
        raise BadImage(f"image is {width}x{height} px; the longest side may be {max_side} px")
    if max(width, height) / min(width, height) > max_aspect_ratio:
        raise BadImage(f"image is {width}x{height} px; a photo's sides may differ at most "
                       f"{max_aspect_ratio:g} times")


def decode_image(data: bytes, *, max_pixels: int, max_bytes: int, max_side: int = MAX_SIDE,
                 max_aspect_ratio: float = MAX_ASPECT_RATIO) -> np.ndarray:
    if not data:
        raise BadImage("empty image")
    if len(data) > max_bytes:
        raise BadImage(f"image larger than {max_bytes} bytes")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is superseded by our lower pixel limit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Only our formats' parsers ever see the bytes.
            image = Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS))
    except Image.DecompressionBombError as exc:
        raise BadImage("image has too many pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BadImage(f"not a {FORMATS_TEXT} image") from exc
    width, height = image.size
    check_shape(width, height, max_pixels=max_pixels, max_side=max_side,
                max_aspect_ratio=max_aspect_ratio)
    try:
        image.load()
        upright: Image.Image = ImageOps.exif_transpose(image) or image
        return to_rgb8(upright)
    except (OSError, ValueError, SyntaxError) as exc:
        raise BadImage("image data is truncated or corrupt") from exc


def to_rgb8(image: Image.Image) -> np.ndarray:
    """Any Pillow mode (palette, grey, alpha, 16/32-bit integer, float) as uint8 RGB."""
    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        grey = np.asarray(image).astype(np.float64)
        peak = float(grey.max()) if grey.size else 0.0
        # 16-bit data spans 0..65535; anything wider is normalised by its own peak.
        scale = 255.0 / 65535.0 if peak <= 65535 else 255.0 / peak
        if peak <= 255 and mode in ("I", "F"):
            scale = 1.0
        grey8 = np.clip(grey * scale, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.stack([grey8] * 3, axis=-1))
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        # Transparent pixels become white rather than whatever colour they hide.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
