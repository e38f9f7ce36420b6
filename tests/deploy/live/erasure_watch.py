"""Run inside one recognition container (`python -c`). Input on stdin, one JSON line:
{"token", "image" (base64), "person_id", "timeout"}.

1. Identify the probe photo on this replica until the person matches: prints `seen <epoch>`.
2. Then watch this replica's own index size (its Prometheus gauge, polled every 20 ms, so the
   moment is not blurred by a slow identify on a loaded machine) until a face leaves it:
   prints `gone <epoch>`.
3. Identify again until the person no longer matches: prints `unmatched <epoch>`."""

import base64
import json
import os
import sys
import time
import urllib.request

import grpc

from faceclock_proto.recognition.v1 import recognition_pb2 as pb
from faceclock_proto.recognition.v1 import recognition_pb2_grpc as pb_grpc

request = json.loads(sys.stdin.readline())
image = base64.b64decode(request["image"])
metadata = [("authorization", f"Bearer {request['token']}")]
deadline = time.monotonic() + float(request["timeout"])
channel = grpc.insecure_channel(f"127.0.0.1:{os.environ.get('RECOGNITION_PORT', '50051')}")
stub = pb_grpc.RecognitionStub(channel)
metrics_url = f"http://127.0.0.1:{os.environ.get('RECOGNITION_METRICS_PORT', '9102')}/metrics"


def matched() -> bool:
    reply = stub.Identify(pb.IdentifyRequest(image=image), timeout=30, metadata=metadata)
    return any(face.person_id == request["person_id"] for face in reply.faces)


def faces_in_index() -> float:
    with urllib.request.urlopen(metrics_url, timeout=5) as reply:
        for line in reply.read().decode().splitlines():
            if line.startswith("recognition_index_faces "):
                return float(line.split()[1])
    raise LookupError("recognition_index_faces not exported")


def report(event: str) -> None:
    sys.stdout.write(f"{event} {time.time():.3f}\n")
    sys.stdout.flush()


def wait(condition, pause: float) -> None:
    while not condition():
        if time.monotonic() > deadline:
            sys.stdout.write("timeout\n")
            sys.exit(1)
        time.sleep(pause)


wait(matched, 0.05)
enrolled = faces_in_index()
report("seen")
wait(lambda: faces_in_index() < enrolled, 0.02)
report("gone")
wait(lambda: not matched(), 0.05)
report("unmatched")
