"""Upload checks before anything reaches recognition: size, real type by content, pixel count."""

from __future__ import annotations

import io
import warnings

from fastapi import UploadFile
from PIL import Image

from faceclock_common.errors import ApiError

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def sniff_image_type(data: bytes) -> str | None:
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    return None


async def read_image_upload(upload: UploadFile | None, *, max_bytes: int, max_pixels: int) -> bytes:
    """The uploaded photo's bytes, or a clear 4xx: 422 missing, 413 too big, 415 not JPEG/PNG."""
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
        raise ApiError(415, "unsupported_media_type", "Only JPEG and PNG photos are accepted.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ApiError(422, "too_many_pixels",
                                   f"The photo has {width * height} pixels; the limit is {max_pixels}.")
                image.verify()
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ApiError(422, "too_many_pixels", "The photo has too many pixels.") from exc
    except Exception as exc:  # Pillow raises many types for corrupt files
        raise ApiError(422, "bad_image", "The photo could not be read.") from exc
    return data
