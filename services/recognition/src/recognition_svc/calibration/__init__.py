"""Decision thresholds derived from measured distance distributions, not picked by hand.

Each encoder ships a calibration: histograms of same-person and different-person distances
measured on real labelled photos, with where and how they were measured. From them:

* FMR(t), the false-match rate of one comparison: the share of different-person pairs at
  distance <= t; FNMR(t), the share of same-person pairs farther than t.
* A search over a gallery of N enrolled samples false-matches a stranger with probability
  FPIR ~= N x FMR(t) (the union bound; a little pessimistic, which is the safe side). So for a
  target FPIR the threshold is the largest t with FMR(t) <= FPIR / N: it shrinks as the
  gallery grows, and with it the share of genuine attempts that fail. 1:1 verification against
  one person's k samples is the same rule with N = k, which does not grow with headcount.
* A rate far below what the measurement resolves (fewer than MIN_TAIL_PAIRS different-person
  pairs under the threshold) is not vouched for: no threshold is returned, and the caller
  must answer "unknown" or fall back to a claimed identity.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

# Below this many measured different-person pairs a false-match rate is noise, not a figure.
MIN_TAIL_PAIRS = 10


class CalibrationError(ValueError):
    pass


@dataclass(frozen=True)
class Calibration:
    encoder: str
    bin_width: float
    same_counts: np.ndarray  # same-person pairs per distance bin [i*w, (i+1)*w)
    different_counts: np.ndarray
    source: dict[str, Any]

    @property
    def same_pairs(self) -> int:
        return int(self.same_counts.sum())

    @property
    def different_pairs(self) -> int:
        return int(self.different_counts.sum())

    @property
    def min_fmr(self) -> float:
        """The smallest per-comparison false-match rate the measurement resolves."""
        return MIN_TAIL_PAIRS / self.different_pairs

    def _edges(self, counts: np.ndarray) -> np.ndarray:
        return np.arange(len(counts) + 1) * self.bin_width

    @staticmethod
    def _cdf(counts: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(counts, dtype=np.float64)]) / counts.sum()

    def false_match_rate(self, threshold: float) -> float:
        """Share of different-person pairs at distance <= threshold (linear within a bin)."""
        counts = self.different_counts
        return float(np.interp(threshold, self._edges(counts), self._cdf(counts)))

    def false_non_match_rate(self, threshold: float) -> float:
        """Share of same-person pairs farther than the threshold."""
        counts = self.same_counts
        return 1.0 - float(np.interp(threshold, self._edges(counts), self._cdf(counts)))

    def threshold_for_fmr(self, fmr: float) -> float | None:
        """The largest threshold whose false-match rate is at most `fmr`; None when `fmr` is
        below what the measurement resolves."""
        if not fmr > 0 or fmr < self.min_fmr:
            return None
        cdf = self._cdf(self.different_counts)
        edges = self._edges(self.different_counts)
        above = int(np.searchsorted(cdf, fmr, side="right"))  # first edge with cdf > fmr
        if above >= len(cdf):
            return float(edges[-1])
        low, high = cdf[above - 1], cdf[above]
        fraction = (fmr - low) / (high - low) if high > low else 0.0
        return float(edges[above - 1] + fraction * self.bin_width)

    def threshold_for_gallery(self, gallery_size: int, target_fpir: float) -> float | None:
        """Threshold that keeps the false-positive identification rate of a search over
        `gallery_size` enrolled samples at `target_fpir` (FPIR ~= N x FMR)."""
        return self.threshold_for_fmr(target_fpir / max(1, gallery_size))

    def identify_limit(self, *, target_fpir: float, max_fnir: float,
                       ceiling: float = math.inf) -> int:
        """The largest gallery (enrolled samples) a 1:N search may cover: its calibrated
        threshold (at most `ceiling`) must still let at least 1 - max_fnir of genuine attempts
        through. 0: none."""

        def usable(size: int) -> bool:
            threshold = self.threshold_for_gallery(size, target_fpir)
            return (threshold is not None
                    and self.false_non_match_rate(min(threshold, ceiling)) <= max_fnir)

        if not usable(1):
            return 0
        low, high = 1, 2
        while usable(high):
            low, high = high, high * 2
            if high > 1 << 40:
                return low
        while high - low > 1:  # usable(low) and not usable(high)
            middle = (low + high) // 2
            low, high = (middle, high) if usable(middle) else (low, middle)
        return low

    def to_json(self) -> dict[str, Any]:
        return {
            "encoder": self.encoder, "metric": "euclidean", "bin_width": self.bin_width,
            "source": self.source,
            "same_person": {"pairs": self.same_pairs,
                            "counts": [int(c) for c in _trim(self.same_counts)]},
            "different_person": {"pairs": self.different_pairs,
                                 "counts": [int(c) for c in _trim(self.different_counts)]},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        try:
            same = np.asarray(data["same_person"]["counts"], dtype=np.int64)
            different = np.asarray(data["different_person"]["counts"], dtype=np.int64)
            calibration = cls(encoder=str(data["encoder"]), bin_width=float(data["bin_width"]),
                              same_counts=same, different_counts=different,
                              source=dict(data["source"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"not a calibration file: {exc}") from exc
        if (calibration.same_pairs <= 0 or calibration.different_pairs <= 0
                or (same < 0).any() or (different < 0).any()
                or not 0 < calibration.bin_width < 1 or not math.isfinite(calibration.bin_width)):
            raise CalibrationError("a calibration needs positive pair counts and a bin width")
        return calibration

    @classmethod
    def measure(cls, *, encoder: str, same: np.ndarray, different_counts: np.ndarray,
                bin_width: float, source: dict[str, Any]) -> Calibration:
        bins = len(different_counts)
        same_counts = np.bincount(np.minimum((same / bin_width).astype(np.int64), bins - 1),
                                  minlength=bins)
        return cls(encoder=encoder, bin_width=bin_width, same_counts=same_counts,
                   different_counts=np.asarray(different_counts, dtype=np.int64), source=source)


def _trim(counts: np.ndarray) -> np.ndarray:
    nonzero = np.flatnonzero(counts)
    return counts[: nonzero[-1] + 1] if len(nonzero) else counts[:1]


def load_calibration(path: str | Path) -> Calibration:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"cannot read the calibration {path}: {exc}") from exc
    return Calibration.from_json(data)


@cache
def packaged_calibration(encoder: str) -> Calibration:
    """The calibration shipped in this package for a built-in encoder (by its model name)."""
    resource = resources.files(__package__).joinpath(f"{encoder}.json")
    if not resource.is_file():
        raise CalibrationError(f"no calibration is shipped for the encoder {encoder!r}")
    return Calibration.from_json(json.loads(resource.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class ThresholdPolicy:
    """The operator's targets applied to an encoder's calibration."""

    calibration: Calibration
    target_fpir: float
    identify_max_fnir: float
    ceiling: float  # never above this, whatever the calibration allows

    def for_gallery(self, samples: int) -> float | None:
        """Threshold for a search over this many enrolled samples (1:1: the person's own);
        None when none holds the target false-match rate."""
        threshold = self.calibration.threshold_for_gallery(samples, self.target_fpir)
        return None if threshold is None else min(threshold, self.ceiling)

    def genuine_failure_rate(self, threshold: float | None) -> float:
        return 1.0 if threshold is None else self.calibration.false_non_match_rate(threshold)

    @cached_property
    def identify_limit(self) -> int:
        """The largest gallery (enrolled samples) 1:N may search: its threshold must still let
        at least 1 - identify_max_fnir of genuine attempts through. 0: 1:N is never allowed."""
        return self.calibration.identify_limit(target_fpir=self.target_fpir,
                                               max_fnir=self.identify_max_fnir,
                                               ceiling=self.ceiling)
