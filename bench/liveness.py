"""Liveness on recorded sequences: how many photo attacks are refused, how many live bursts pass.

    uv run python bench/liveness.py [--frames 16] [--photos 9]

Runs the recognition service's own burst analysis (FaceMesh landmarks from the mediapipe wheel's
models on LiteRT, solvePnP yaw, eye aspect ratio, the challenge judge, and the dlib encoder on
three frames of a passing burst) in this process, on:

  live     the recorded person of tests/data/liveness/iris_example (a real head turn to her
           right and blinks; MediaPipe repository, Apache-2.0): at the recording's 16.7 fps and
           as a client taking a frame every ~120 ms would (every second frame, both phases),
           as recorded and mirrored (a turn to her left), each asked for the challenge it
           performs (turn, then blink)
  attacks  single photos from ../shared/testdata/faces (and a frame of the live person, as if
           her picture were held up), each still, shifted, scaled, rotated in 2-D, and moved in
           front of the camera (drift, approach, roll, tilt back and forth), each asked every
           challenge the server draws (either turn, before or after a blink)

and prints the refusal rate of attacks, the acceptance rate of live bursts, each by kind, and
the time per frame.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from itertools import product

from faceclock_dev.liveness_data import (
    ATTACKS,
    jpeg,
    live_frames,
    live_sequences,
    photo,
)
from recognition_svc.encoder import DlibEncoder
from recognition_svc.liveness.burst import analyse_burst
from recognition_svc.liveness.challenge import LivenessPolicy
from recognition_svc.liveness.landmarks import FaceLandmarker

PHOTOS = ["obama/obama_1.jpg", "obama/obama_2.jpg", "biden/biden_1.jpg", "biden/biden_2.jpg",
          "kit_harington/kit_harington_1.jpg", "rose_leslie/rose_leslie_1.jpg",
          "alex_lacamoire/alex_lacamoire_1.jpg", "lin_manuel_miranda/lin_manuel_miranda_1.png"]
CHALLENGES = [list(c) for turn in ("turn_left", "turn_right")
              for c in ((turn, "blink"), ("blink", turn))]
LIMITS = {"max_pixels": 40_000_000, "max_bytes": 16 * 1024 * 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=16, help="frames per attack burst")
    parser.add_argument("--photos", type=int, default=len(PHOTOS) + 1,
                        help="how many photos to attack with (the live person's frame last)")
    args = parser.parse_args()

    landmarker, encoder, policy = FaceLandmarker(), DlibEncoder(), LivenessPolicy()
    frames_seen = 0
    seconds = 0.0

    def verdict(images: list, steps: list[str]) -> str:
        nonlocal frames_seen, seconds
        data = [jpeg(i) for i in images]
        started = time.perf_counter()
        result = analyse_burst(landmarker, encoder, data, steps=steps, policy=policy, **LIMITS)
        seconds += time.perf_counter() - started
        frames_seen += len(data)
        return result.verdict.code

    live: dict[str, tuple[list, list[str]]] = {}
    for mirrored in (False, True):
        turn = "turn_left" if mirrored else "turn_right"
        live[f"{'mirrored' if mirrored else 'recorded'} 16.7 fps"] = (
            live_frames(mirrored=mirrored)[21:], [turn, "blink"])
    for name, (frames, steps) in live_sequences().items():
        live[f"{name.replace('_phase', ' 8 fps, phase ')}"] = (frames, steps)

    live_results = {name: verdict(frames, steps) for name, (frames, steps) in live.items()}

    sources = [(name, photo(name)) for name in PHOTOS[:max(0, args.photos - 1)]]
    if args.photos > len(sources):
        sources.append(("live person, frame 0", live_frames()[0]))
    attack_results: dict[str, Counter[str]] = defaultdict(Counter)
    passed: list[str] = []
    for (name, image), (kind, build) in product(sources, ATTACKS.items()):
        burst = build(image, args.frames)
        for steps in CHALLENGES:
            code = verdict(burst, steps)
            attack_results[kind][code] += 1
            if code == "live":
                passed.append(f"{kind} {name} {'+'.join(steps)}")

    print(f"{'live sequence':32} {'challenge':24} verdict")
    for name, (_, steps) in live.items():
        print(f"{name:32} {'+'.join(steps):24} {live_results[name]}")
    accepted = sum(code == "live" for code in live_results.values())
    print(f"\nlive bursts accepted: {accepted}/{len(live_results)} "
          f"({accepted / len(live_results):.0%})\n")

    print(f"{'attack':10} {'bursts':>6} {'refused':>8}  refusals by reason")
    total = refused = 0
    for kind, codes in attack_results.items():
        n = sum(codes.values())
        ok = n - codes["live"]
        total, refused = total + n, refused + ok
        reasons = ", ".join(f"{c} {k}" for k, c in sorted(codes.items()) if k != "live")
        print(f"{kind:10} {n:6} {ok / n:8.1%}  {reasons}")
    print(f"{'all':10} {total:6} {refused / total:8.1%}")
    for line in passed:
        print(f"  passed: {line}")
    print(f"\n{frames_seen} frames analysed, {1000 * seconds / frames_seen:.1f} ms per frame "
          "(landmarks on every frame, encodings on 3 frames of a passing burst)")


if __name__ == "__main__":
    main()
