"""Thresholds derived from the shipped calibration (real LFW dlib distances), not by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recognition_svc.calibration import (
    Calibration,
    CalibrationError,
    ThresholdPolicy,
    load_calibration,
    packaged_calibration,
)
from recognition_svc.calibration.measure import pair_distances
from recognition_svc.encoder import encoder_calibration

DLIB = packaged_calibration("dlib_resnet_v1")


def test_the_shipped_calibration_says_where_it_was_measured() -> None:
    assert DLIB.encoder == "dlib_resnet_v1"
    assert "Labeled Faces in the Wild" in DLIB.source["dataset"]
    assert DLIB.source["images"] == 9775 and DLIB.source["people"] == 5734
    assert DLIB.different_pairs == 9775 * 9774 // 2 - DLIB.same_pairs
    # The published figures of the encodings (shared/testdata/encodings/README.md).
    assert DLIB.false_match_rate(0.6) == pytest.approx(0.0053, abs=0.0002)


def test_the_threshold_shrinks_as_the_gallery_grows() -> None:
    sizes = [1, 10, 100, 1000]
    thresholds = [DLIB.threshold_for_gallery(n, 0.001) for n in sizes]
    assert all(t is not None for t in thresholds)
    assert thresholds == sorted(thresholds, reverse=True)
    assert len(set(thresholds)) == len(thresholds)
    for n, t in zip(sizes, thresholds, strict=True):
        assert t is not None
        # FPIR ~= N x FMR holds the target at each size ...
        assert n * DLIB.false_match_rate(t) == pytest.approx(0.001, rel=0.02)
    # ... and costs genuine attempts: at 1,000 samples most of them fail (the honest answer).
    assert DLIB.false_non_match_rate(thresholds[-1]) > 0.5
    # A rate below what 47.8 M measured pairs resolve is not vouched for.
    assert DLIB.threshold_for_gallery(100_000, 0.001) is None


def test_the_identify_limit_follows_the_targets() -> None:
    strict = ThresholdPolicy(DLIB, target_fpir=0.001, identify_max_fnir=0.05, ceiling=0.6)
    assert strict.identify_limit == 0  # dlib: 1:N is never within both targets
    relaxed = ThresholdPolicy(DLIB, target_fpir=0.01, identify_max_fnir=0.5, ceiling=0.6)
    limit = relaxed.identify_limit
    assert limit > 10
    assert relaxed.genuine_failure_rate(relaxed.for_gallery(limit)) <= 0.5
    assert relaxed.genuine_failure_rate(relaxed.for_gallery(limit + 1)) > 0.5
    # The ceiling caps every threshold, and the limit with it.
    capped = ThresholdPolicy(DLIB, target_fpir=0.01, identify_max_fnir=0.5, ceiling=0.42)
    assert capped.for_gallery(1) == 0.42 and capped.identify_limit == 0


def test_measure_round_trips_and_refuses_a_foreign_calibration(tmp_path) -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(40, 8))
    encodings = np.repeat(centres, 3, axis=0) + rng.normal(scale=0.05, size=(120, 8))
    labels = np.repeat([f"p{i}" for i in range(40)], 3)
    same, different = pair_distances(encodings, labels)
    assert len(same) == 40 * 3 and different.sum() == 120 * 119 // 2 - 120
    measured = Calibration.measure(encoder="toy", same=same, different_counts=different,
                                   bin_width=0.005, source={"dataset": "synthetic"})
    path = tmp_path / "toy.json"
    path.write_text(json.dumps(measured.to_json()))
    loaded = load_calibration(path)
    assert loaded.same_pairs == 120 and loaded.false_match_rate(0.3) == 0.0
    with pytest.raises(CalibrationError, match="is for 'toy'"):
        encoder_calibration("dlib", str(path))
    path.write_text('{"encoder": "toy"}')
    with pytest.raises(CalibrationError):
        load_calibration(path)
