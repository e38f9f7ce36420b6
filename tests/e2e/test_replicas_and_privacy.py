"""Recognition replicas stay consistent, and no biometric data is left lying around (issue 3)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
import redis

from faceclock_dev.processes import StackProcesses, free_ports, running_stack
from faceclock_dev.stack import Stack
from faceclock_dev.testing import redis_available, redis_database, skip_or_fail
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc

from .conftest import Api, photo


@pytest.fixture(scope="module")
def two_replica_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcesses]:
    """Embedded databases, Redis for change notifications, two recognition replicas."""
    if not redis_available():
        skip_or_fail("Redis is needed for the replica notification path")
    redis_db = redis_database()
    var_dir = tmp_path_factory.mktemp("replicas")
    definition = Stack(var_dir=var_dir, ports=free_ports(), recognition_replicas=2,
                       redis_url=next(redis_db))
    try:
        with running_stack(definition, var_dir / "logs") as processes:
            yield processes
    finally:
        redis_db.close()


def _identify_on(port: int, token: str, image: bytes) -> list[pb.FaceMatch]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = pb_grpc.RecognitionStub(channel).Identify(
            pb.IdentifyRequest(image=image), timeout=30,
            metadata=[("authorization", f"Bearer {token}")])
    return list(reply.faces)


def test_enrol_is_seen_and_erasure_is_gone_on_every_replica_within_2s(
        two_replica_stack: StackProcesses, faces_dir: Path) -> None:
    ports = two_replica_stack.stack.recognition_ports()
    probe = (faces_dir / "people/kit_harington/kit_harington_2.jpg").read_bytes()
    with httpx.Client(base_url=two_replica_stack.base_url, timeout=60) as client:
        admin = Api(client)
        admin.login("admin", "admin12345")
        created = client.post("/api/v1/employees", headers=admin.headers(),
                              json={"employee_no": f"K-{uuid.uuid4().hex[:6]}", "name": "Kit Harington"})
        assert created.status_code == 201, created.text
        employee = created.json()["id"]
        enrolled = client.post(f"/api/v1/employees/{employee}/faces", headers=admin.headers(),
                               files={"image": photo(faces_dir, "people/kit_harington/kit_harington_1.jpg")})
        assert enrolled.status_code == 201, enrolled.text

        deadline = time.monotonic() + 2.0
        seen = {port: False for port in ports}
        while time.monotonic() < deadline + 10 and not all(seen.values()):
            for port in ports:
                faces = _identify_on(port, admin.token, probe)
                seen[port] = seen[port] or any(f.person_id == str(employee) for f in faces)
        assert all(seen.values()), f"enrolment not visible on every replica: {seen}"

        erased = client.delete(f"/api/v1/employees/{employee}/faces", headers=admin.headers())
        assert erased.status_code == 204
        started = time.monotonic()
        gone = {port: False for port in ports}
        while time.monotonic() - started < 2.0 and not all(gone.values()):
            for port in ports:
                faces = _identify_on(port, admin.token, probe)
                gone[port] = all(f.person_id != str(employee) for f in faces)
            time.sleep(0.05)
        assert all(gone.values()), f"erased face still matched after 2 s: {gone}"


def _needles(image_path: Path) -> list[bytes]:
    """Byte runs that would betray the photo or its encoding if stored in the clear."""
    import face_recognition

    data = image_path.read_bytes()
    encoding = face_recognition.face_encodings(face_recognition.load_image_file(image_path))[0]
    runs = [data[len(data) // 2: len(data) // 2 + 64], data[1000:1064]]
    for dtype in (np.float64, np.float32):
        raw = encoding.astype(dtype).tobytes()
        runs += [raw[:32], raw[len(raw) // 2: len(raw) // 2 + 32]]
    # The encoding as text (JSON or a log line) would show its leading digits.
    runs.append(f"{encoding[0]:.6f}".encode())
    return runs


def test_no_face_image_or_plain_encoding_left_behind(two_replica_stack: StackProcesses,
                                                    faces_dir: Path) -> None:
    image_path = faces_dir / "people/rose_leslie/rose_leslie_1.jpg"
    with httpx.Client(base_url=two_replica_stack.base_url, timeout=60) as client:
        admin = Api(client)
        admin.login("admin", "admin12345")
        created = client.post("/api/v1/employees", headers=admin.headers(),
                              json={"employee_no": f"R-{uuid.uuid4().hex[:6]}", "name": "Rose Leslie"})
        employee = created.json()["id"]
        enrolled = client.post(f"/api/v1/employees/{employee}/faces", headers=admin.headers(),
                               files={"image": photo(faces_dir, "people/rose_leslie/rose_leslie_1.jpg")})
        assert enrolled.status_code == 201, enrolled.text
        clocked = client.post("/api/v1/clock-ins", headers=admin.headers(),
                              data={"employee_id": str(employee)},
                              files={"image": photo(faces_dir, "people/rose_leslie/rose_leslie_1.jpg")})
        assert clocked.status_code in (200, 201), clocked.text
    needles = _needles(image_path)
    var_dir = two_replica_stack.stack.var_dir
    files = [p for p in var_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files) and any(p.suffix == ".log" for p in files)
    leaks = [(str(p.relative_to(var_dir)), i) for p in files for i, needle in enumerate(needles)
             if needle in p.read_bytes()]
    assert leaks == []
    client_redis = redis.Redis.from_url(two_replica_stack.stack.redis_url or "")
    values = []
    for key in client_redis.scan_iter():
        if client_redis.type(key) == b"string":
            values.append(client_redis.get(key) or b"")
    assert not [i for value in values for i, needle in enumerate(needles) if needle in value]
