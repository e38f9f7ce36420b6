"""The ONNX encoder behind the ENCODERS interface, with a tiny model the test builds itself
(ArcFace-shaped: N x 3 x 112 x 112 in, N x 32 out) and its own calibration file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from grpc import aio
from onnx import TensorProto, helper, numpy_helper

import recognition_svc.calibration as calibration_package
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from recognition_svc.calibration import Calibration, CalibrationError
from recognition_svc.encoder import (
    ARCFACE_POINTS,
    ENCODERS,
    OnnxEncoder,
    aligned_face,
    similarity_transform,
)
from recognition_svc.imaging import decode_image
from recognition_svc.main import create_app, migrate

from ..conftest import Client, make_settings

DIMENSION = 32


def tiny_arcface(path: Path) -> Path:
    """Average-pool the 112 x 112 chip to 3 x 8 x 8, then a fixed random projection to 32."""
    weights = np.random.default_rng(5).normal(size=(3 * 8 * 8, DIMENSION)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("AveragePool", ["input"], ["pooled"], kernel_shape=[14, 14],
                          strides=[14, 14]),
         helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
         helper.make_node("MatMul", ["flat", "weights"], ["embedding"])],
        "tiny_arcface",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 112, 112])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", DIMENSION])],
        initializer=[numpy_helper.from_array(weights, "weights")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_arcface(tmp_path_factory.mktemp("onnx") / "tiny_arcface.onnx")


def test_similarity_transform_puts_the_landmarks_on_the_template() -> None:
    angle = np.deg2rad(20)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    source = (ARCFACE_POINTS - 56) @ rotation.T * 2.5 + [300, 200]
    transform = similarity_transform(source, ARCFACE_POINTS)
    mapped = source @ transform[:, :2].T + transform[:, 2]
    assert np.allclose(mapped, ARCFACE_POINTS, atol=1e-6)


def test_aligned_face_is_112_square_with_the_eyes_where_arcface_wants_them() -> None:
    image = np.zeros((400, 400, 3), dtype=np.uint8)
    left_eye, right_eye, nose = (150, 180), (250, 180), (200, 240)
    for x, y in (left_eye, right_eye):
        image[y - 3:y + 4, x - 3:x + 4] = 255
    points = np.array([[right_eye[0] + 10, 180], [right_eye[0] - 10, 180],
                       [left_eye[0] - 10, 180], [left_eye[0] + 10, 180], nose], dtype=float)
    chip = aligned_face(image, points)
    assert chip.shape == (112, 112, 3)
    bright = np.argwhere(chip[..., 0] > 128)
    left = bright[bright[:, 1] < 56].mean(0)
    right = bright[bright[:, 1] >= 56].mean(0)
    assert np.allclose(left[::-1], ARCFACE_POINTS[0], atol=2.5)
    assert np.allclose(right[::-1], ARCFACE_POINTS[1], atol=2.5)


def test_the_onnx_encoder_encodes_faces_found_by_dlib(model_path: Path, photo) -> None:
    encoder = ENCODERS["onnx"](detect_short_side=480, model_path=str(model_path))
    assert isinstance(encoder, OnnxEncoder)
    assert encoder.name == "onnx:tiny_arcface" and encoder.dimension == DIMENSION
    pixels = decode_image(photo("obama_and_biden.jpg"), max_pixels=40_000_000,
                          max_bytes=32 * 1024 * 1024)
    faces = encoder.encode(pixels, quality=True)
    assert len(faces) == 3
    for face in faces:
        assert face.encoding.shape == (DIMENSION,) and face.encoding.dtype == np.float32
        assert np.linalg.norm(face.encoding) == pytest.approx(1.0, abs=1e-5)
        assert face.sharpness > 0
    assert len({face.encoding.tobytes() for face in faces}) == 3
    with pytest.raises(ValueError, match="ONNX_MODEL_PATH"):
        OnnxEncoder(detect_short_side=480)


def _calibration(path: Path, encoder: str) -> Path:
    rng = np.random.default_rng(2)
    different = np.histogram(rng.normal(1.2, 0.1, 200_000), np.arange(0, 2.0025, 0.005))[0]
    calibration = Calibration.measure(encoder=encoder, same=rng.normal(0.5, 0.1, 2_000),
                                      different_counts=different, bin_width=0.005,
                                      source={"dataset": "synthetic, for the test"})
    path.write_text(json.dumps(calibration.to_json()))
    return path


async def test_the_service_runs_on_the_onnx_encoder_with_its_own_calibration(
        model_path: Path, sqlite_url: str, token_mint, tmp_path: Path, photo) -> None:
    calibration = _calibration(tmp_path / "tiny.json", "onnx:tiny_arcface")
    settings = make_settings(sqlite_url, token_mint.jwks_url, encoder="onnx", encode_threads=1,
                             onnx_model_path=str(model_path),
                             calibration_path=str(calibration))
    migrate(settings)
    app = create_app(settings)
    await app.start()
    try:
        async with aio.insecure_channel(f"127.0.0.1:{app.port}") as channel:
            client = Client(channel, token_mint)
            assert app.recognizer.index.dimension == DIMENSION
            enrolled = await client.enroll("7", photo("obama_1.jpg"))
            assert enrolled.face_id, enrolled
            same = await client.stub.Verify(
                pb.VerifyRequest(person_id="7", image=photo("obama_1.jpg")),
                metadata=client.meta("kiosk"))
            assert same.match and same.distance < 1e-4
            stats = await client.stats()
            assert stats.encoder == "onnx:tiny_arcface" and stats.faces == 1
            assert stats.calibration_source == "synthetic, for the test"
    finally:
        await app.stop(0)
    # Without figures of its own, or with dlib's, the service refuses to start on the model.
    with pytest.raises(CalibrationError, match="no calibration is shipped"):
        create_app(make_settings(sqlite_url, token_mint.jwks_url, encoder="onnx",
                                 onnx_model_path=str(model_path)))
    shipped = Path(calibration_package.__file__).parent / "dlib_resnet_v1.json"
    with pytest.raises(CalibrationError, match="is for 'dlib_resnet_v1'"):
        create_app(make_settings(sqlite_url, token_mint.jwks_url, encoder="onnx",
                                 onnx_model_path=str(model_path),
                                 calibration_path=str(shipped)))
