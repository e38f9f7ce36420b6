"""B8 and B9 of BENCH.md, with real `python -m recognition_svc` processes.

B8: a replica's start (process launch → gRPC health SERVING) with N encrypted encodings in its
    database: loading from the database, and from the encrypted snapshot + change log.
B9: erasure: enrol on replica A, delete on A, time until replica B no longer matches
    (two replicas, one database, with and without Redis notifications).

    uv run python bench/recognition_replicas.py [--faces 1000000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import base64
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import grpc
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from recognition_common import FACES, Synthetic, p50, real_mean_encoding, table

from faceclock_dev.testing import TokenMint, free_port
from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc
from recognition_svc.config import Settings
from recognition_svc.crypto import EncodingCipher
from recognition_svc.main import migrate


def serve_jwks(mint: TokenMint) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = json.dumps(mint.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mint.jwks_url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"


def fill(url: str, key: bytes, count: int, syn: Synthetic) -> float:
    """Insert `count` encrypted synthetic encodings (and their change-log entries)."""
    started = time.perf_counter()
    cipher = EncodingCipher(key)
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    faces = sa.Table("faces", metadata, autoload_with=engine)
    changes = sa.Table("face_changes", metadata, autoload_with=engine)
    _, vectors, person = syn.gallery(count, 2)
    now = sa.func.now()
    with engine.begin() as conn:
        first = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(faces.c.id), 0))).scalar())
        for start in range(0, count, 50_000):
            rows = []
            for i in range(start, min(count, start + 50_000)):
                face_id = str(uuid.uuid4())
                rows.append({"id": first + i + 1, "face_id": face_id,
                             "person_id": f"s{person[i]}",
                             "encoding": cipher.encrypt(vectors[i], face_id=face_id)})
            conn.execute(faces.insert().values(created_at=now), rows)
            conn.execute(changes.insert().values(op="add", created_at=now),
                         [{"face_row_id": r["id"]} for r in rows])
    engine.dispose()
    return time.perf_counter() - started


def start(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int, float]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "recognition_svc"],
                               env={**env, "RECOGNITION_PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            if process.poll() is not None:
                raise RuntimeError("recognition exited during start")
            try:
                status = health.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return process, port, time.perf_counter() - started
            except grpc.RpcError:
                pass
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> float:
    started = time.perf_counter()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=300)
    return time.perf_counter() - started


def base_env(url: str, key: bytes, mint: TokenMint, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECOGNITION_", "FACECLOCK_"))}
    env.update({"RECOGNITION_DATABASE_URL": url, "FACECLOCK_JWKS_URL": mint.jwks_url,
                "RECOGNITION_ENCRYPTION_KEY": base64.b64encode(key).decode(),
                "RECOGNITION_METRICS_PORT": "0", "FACECLOCK_ENV": "test",
                "FACECLOCK_LOG_LEVEL": "WARNING"})
    env.update(extra)
    return env


def bench_start(args: argparse.Namespace, mint: TokenMint, syn: Synthetic, work: Path) -> None:
    key = os.urandom(32)
    url = args.database_url or f"sqlite:///{work / 'b8.db'}"
    migrate(Settings(database_url=url, encryption_key=base64.b64encode(key).decode()))
    fill_s = fill(url, key, args.faces, syn)
    snapshot = work / "index.snap"
    env = base_env(url, key, mint, RECOGNITION_SNAPSHOT_PATH=str(snapshot))
    process, _, from_db = start(env)
    stop_s = stop(process)  # writes the snapshot
    size_mb = snapshot.stat().st_size / 1e6
    # Changes made after the snapshot are replayed from the change log.
    fill(url, key, 1000, syn)
    process, port, from_snapshot = start(env)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stats = pb_grpc.RecognitionStub(channel).Stats(
            pb.StatsRequest(), metadata=[("authorization", f"Bearer {mint.token('admin')}")])
    stop(process)
    table(f"B8 replica start with {args.faces:,} encrypted encodings ({url.split(':')[0]}); "
          "target ready ≤ 15 s",
          ["start from", "launch → SERVING s", "faces after start", "index", "note"],
          [["database (decrypt every row, build index)", from_db, args.faces, "",
            f"fill {fill_s:.0f} s; stop+snapshot {stop_s:.1f} s"],
           ["encrypted snapshot + 1,000 changes replayed", from_snapshot, stats.faces,
            stats.index_type, f"snapshot {size_mb:.0f} MB, AES-GCM"]])


def bench_erasure(args: argparse.Namespace, mint: TokenMint, syn: Synthetic, work: Path) -> None:
    image = (FACES / "people/kit_harington/kit_harington_1.jpg").read_bytes()
    probe = (FACES / "people/kit_harington/kit_harington_2.jpg").read_bytes()
    metadata = [("authorization", f"Bearer {mint.token('service')}")]
    rows = []
    for label, redis_url, poll in (("Redis notification (poll 30 s)", args.redis_url, "30"),
                                   ("change-log poll 0.5 s, no Redis", None, "0.5")):
        key = os.urandom(32)
        url = f"sqlite:///{work / f'b9-{poll}.db'}"
        migrate(Settings(database_url=url, encryption_key=base64.b64encode(key).decode()))
        fill(url, key, args.background, syn)
        extra = {"RECOGNITION_POLL_INTERVAL": poll}
        if redis_url:
            extra["FACECLOCK_REDIS_URL"] = redis_url
        replicas = [start(base_env(url, key, mint, **extra)) for _ in range(2)]
        stubs = [pb_grpc.RecognitionStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
                 for _, port, _ in replicas]
        times = []
        for round_ in range(args.rounds):
            person = f"kit-{round_}"
            stubs[0].Enroll(pb.EnrollRequest(person_id=person, image=image), metadata=metadata)
            while stubs[1].Identify(pb.IdentifyRequest(image=probe),
                                    metadata=metadata).faces[0].person_id != person:
                time.sleep(0.01)
            started = time.perf_counter()
            stubs[0].DeleteFaces(pb.DeleteFacesRequest(person_id=person), metadata=metadata)
            while any(s.Identify(pb.IdentifyRequest(image=probe), metadata=metadata)
                      .faces[0].person_id == person for s in stubs):
                pass
            times.append(time.perf_counter() - started)
        for process, _, _ in replicas:
            stop(process)
        rows.append([label, args.background, args.rounds, p50(times), max(times)])
    table("B9 erasure: DeleteFaces on replica A → no replica matches (includes the identify "
          "calls that observe it); target ≤ 2 s",
          ["replicas follow by", "background faces", "rounds", "p50 s", "max s"], rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--faces", type=int, default=1_000_000)
    parser.add_argument("--background", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--only", choices=["b8", "b9"], default=None)
    args = parser.parse_args()
    mint = TokenMint()
    serve_jwks(mint)
    syn = Synthetic(real_mean_encoding(), seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "b9"):
            bench_erasure(args, mint, syn, Path(tmp))
        if args.only in (None, "b8"):
            bench_start(args, mint, syn, Path(tmp))


if __name__ == "__main__":
    main()
