"""Upload checks before anything reaches recognition: size, real type by content, pixel count
and shape (a 36,000,000 x 1 px PNG is 37 kB and crashed dlib; recognition checks it again)."""

from __future__ import annotations

import io
import warnings

import pi_heif
from fastapi import UploadFile
from PIL import Image

from faceclock_common.errors import ApiError

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}
# ISO base media file brands of HEIF images with HEVC coding (what phones save as .heic).
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

# Pillow's plugin registry is process-wide: HEIC joins it once, here.
pi_heif.register_heif_opener()
# No camera makes a sliver: phones shoot 4:3 to 21:9, panoramas about 4:1 (as recognition).
MAX_ASPECT_RATIO = 8.0
MAX_SIDE = 12_000


def sniff_image_type(data: bytes) -> str | None:
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIC_BRANDS:
        return "heic"
    return None


def _check_shape(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ApiError(422, "too_many_pixels",
                       f"The photo has {width * height} pixels; the limit is {max_pixels}.")
    if width < 1 or height < 1 or max(width, height) > MAX_SIDE:
        raise ApiError(422, "bad_image",
                       f"The photo is {width}x{height} px; its longest side may be {MAX_SIDE} px.")
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise ApiError(422, "bad_image", f"The photo is {width}x{height} px; a photo's sides "
                                         f"may differ at most {MAX_ASPECT_RATIO:g} times.")


async def read_image_upload(upload: UploadFile | None, *, max_bytes: int, max_pixels: int) -> bytes:
    """The uploaded photo's bytes, or a clear 4xx: 422 missing, 413 too big, 415 not
    JPEG/PNG/WEBP/HEIC, 422 too many pixels or not the shape of a photo."""
    if upload is None:
        raise ApiError(422, "image_required", "Attach a photo in the multipart field `image`.")
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(413, "image_too_large",
                       f"The photo is larger than {max_bytes // (1024 * 1024)} MiB.")
    if not data:
        raise ApiError(422, "empty_image", "The uploaded file is empty.")
    kind = sniff_image_type(data)
    if kind is None:
        raise ApiError(415, "unsupported_media_type",
                       "Only JPEG, PNG, WEBP and HEIC photos are accepted.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as image:
                _check_shape(*image.size, max_pixels)
                image.verify()
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ApiError(422, "too_many_pixels", "The photo has too many pixels.") from exc
    except Exception as exc:  # Pillow raises many types for corrupt files
        raise ApiError(422, "bad_image", "The photo could not be read.") from exc
    return data
