"""The dlib pipeline on real photos: downscaled detection, full-resolution encoding, odd formats."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from recognition_svc.imaging import decode_image
from recognition_svc.pipeline import Limits, analyse

LIMIT = {"max_pixels": 40_000_000, "max_bytes": 16 * 1024 * 1024}


def _faces(encoder, data: bytes):
    return encoder.encode(decode_image(data, **LIMIT), quality=True)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_matches_face_recognition_at_full_resolution(encoder, photo) -> None:
    """Detection on a small copy must not cost accuracy: same faces, nearly the same encodings."""
    import face_recognition

    for name in ("obama_1080p.jpg", "biden_1.jpg", "two_people.jpg"):
        pixels = decode_image(photo(name), **LIMIT)
        ours = encoder.encode(pixels)
        reference = face_recognition.face_encodings(pixels)
        assert len(ours) == len(reference), name
        for face in ours:
            assert min(np.linalg.norm(np.asarray(reference) - face.encoding, axis=1)) < 0.1, name


def test_group_photo_finds_every_face_with_boxes(encoder, photo) -> None:
    faces = _faces(encoder, photo("obama_and_biden.jpg"))
    assert len(faces) == 3
    for face in faces:
        assert 0 <= face.box.left < face.box.right <= 2000
        assert 0 <= face.box.top < face.box.bottom <= 1428


def test_colour_modes_and_depths_give_the_same_person(encoder, photo) -> None:
    original = _faces(encoder, photo("obama_2.jpg"))[0].encoding
    rgba = _faces(encoder, photo("32bit.png"))
    assert len(rgba) == 1 and np.linalg.norm(rgba[0].encoding - original) < 0.3
    colour = Image.open(io.BytesIO(photo("obama_2.jpg")))
    grey = _faces(encoder, _png(colour.convert("L")))
    assert len(grey) == 1 and np.linalg.norm(grey[0].encoding - original) < 0.3
    deep = Image.fromarray(np.asarray(colour.convert("L"), dtype=np.uint16) * 257)
    sixteen = _faces(encoder, _png(deep))
    assert len(sixteen) == 1 and np.linalg.norm(sixteen[0].encoding - grey[0].encoding) < 0.05


def test_exif_rotated_photo_is_found_upright(encoder, photo) -> None:
    upright = Image.open(io.BytesIO(photo("obama_480p.jpg")))
    stored = upright.rotate(90, expand=True)  # the camera stored it on its side
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, format="JPEG", exif=exif.tobytes(), quality=95)
    pixels = decode_image(out.getvalue(), **LIMIT)
    assert pixels.shape[:2] == (480, 853)
    assert len(encoder.encode(pixels)) == 1
    without_exif = io.BytesIO()
    stored.save(without_exif, format="JPEG", quality=95)
    assert encoder.encode(decode_image(without_exif.getvalue(), **LIMIT)) == []


def test_photo_on_its_side_without_exif_is_retried_turned(encoder, photo) -> None:
    """Phones often drop the orientation tag: a face found only when turned is still found."""
    upright_bytes = photo("obama_480p.jpg")
    upright = analyse(encoder, upright_bytes, limits=Limits(**LIMIT), quality=False)
    assert len(upright.faces) == 1
    source = Image.open(io.BytesIO(upright_bytes))
    for degrees in (90, 270):
        sideways = io.BytesIO()
        source.rotate(degrees, expand=True).save(sideways, format="JPEG", quality=95)
        found = analyse(encoder, sideways.getvalue(), limits=Limits(**LIMIT), quality=False)
        assert len(found.faces) == 1, degrees
        assert (found.width, found.height) == (upright.width, upright.height)  # turned back
        assert np.linalg.norm(found.faces[0].encoding - upright.faces[0].encoding) < 0.1
    blank = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 120, 120)).save(blank, format="JPEG")
    assert analyse(encoder, blank.getvalue(), limits=Limits(**LIMIT), quality=False).faces == []


def test_webp_photo_gives_the_same_person(encoder, photo) -> None:
    jpeg = _faces(encoder, photo("obama_2.jpg"))
    webp = io.BytesIO()
    Image.open(io.BytesIO(photo("obama_2.jpg"))).save(webp, format="WEBP", quality=90)
    found = _faces(encoder, webp.getvalue())
    assert len(found) == 1 and np.linalg.norm(found[0].encoding - jpeg[0].encoding) < 0.1


def test_detection_work_is_bounded_whatever_the_shape(encoder) -> None:
    """The detection copy is capped by pixel count too, not only by its short side: a long
    thin photo is not detected at full length (nor upsampled)."""
    for height, width in ((480, 640), (1080, 1920), (1200, 9600), (400, 3200), (6000, 8000)):
        scale = encoder.detection_scale(height, width)
        assert scale <= 1.0
        assert (height * scale) * (width * scale) <= encoder.detect_max_pixels * 1.01
    assert encoder.detection_scale(480, 640) == 1.0
    assert round(1080 * encoder.detection_scale(1080, 1920)) == 480
    thin = np.full((100, 800), 128, dtype=np.uint8)
    started = time.perf_counter()
    assert encoder.encode(np.stack([thin] * 3, axis=-1)) == []
    assert time.perf_counter() - started < 5


def test_sharpness_separates_blur(encoder, photo) -> None:
    from PIL import ImageFilter

    sharp = _faces(encoder, photo("obama_4.jpg"))[0].sharpness
    image = Image.open(io.BytesIO(photo("obama_4.jpg")))
    blurred = _faces(encoder, _png(image.filter(ImageFilter.GaussianBlur(5))))
    assert blurred and blurred[0].sharpness < 20 < sharp


def test_heic_photo_gives_the_same_person(encoder, photo) -> None:
    """What an iPhone saves: HEIC, converted here from a real photo."""
    import pillow_heif

    jpeg = _faces(encoder, photo("obama_2.jpg"))
    heic = io.BytesIO()
    pillow_heif.from_pillow(Image.open(io.BytesIO(photo("obama_2.jpg")))).save(heic, quality=90)
    assert heic.getvalue()[4:12] == b"ftypheic"
    found = _faces(encoder, heic.getvalue())
    assert len(found) == 1 and np.linalg.norm(found[0].encoding - jpeg[0].encoding) < 0.1
