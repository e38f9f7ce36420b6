"""Uploaded bytes → an orientation-corrected 8-bit RGB array, or a clear reason why not.

Only JPEG and PNG are accepted (checked by content, not by name). The pixel count is checked
from the header before anything is decoded, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = frozenset({"JPEG", "PNG"})


class BadImage(ValueError):
    """The bytes are not a usable photo; the message is safe to show the caller."""


def decode_image(data: bytes, *, max_pixels: int, max_bytes: int) -> np.ndarray:
    if not data:
        raise BadImage("empty image")
    if len(data) > max_bytes:
        raise BadImage(f"image larger than {max_bytes} bytes")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is superseded by our lower pixel limit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise BadImage("image has too many pixels") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BadImage("not a JPEG or PNG image") from exc
    if image.format not in ALLOWED_FORMATS:
        raise BadImage(f"unsupported image format {image.format}; JPEG or PNG expected")
    width, height = image.size
    if width * height > max_pixels:
        raise BadImage(f"image has {width * height} pixels; the limit is {max_pixels}")
    if width < 1 or height < 1:
        raise BadImage("image has no pixels")
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
