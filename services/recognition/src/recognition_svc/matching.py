"""The decision rule, as pure functions (no I/O): who is this face, or is it unknown?

1. Each person's distance is that of their nearest enrolled sample.
2. The best person farther than the threshold → unknown (distance still reported).
3. Ambiguity: when a second, different person is also within the threshold and their distance
   is within `margin` of the best one, the answer is ambiguous: no person is named, and every
   person within that margin of the best is listed as a candidate. Guessing between two
   look-alikes would clock the wrong employee in.
4. Otherwise the best person matches, with confidence sqrt(1 - distance/threshold): 1 for an
   identical encoding, falling to 0 at the threshold (the square root keeps typical same-person
   distances of 0.3 to 0.45 at a readable 0.5 to 0.7).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from recognition_svc.index import Neighbour


@dataclass(frozen=True)
class Candidate:
    person_id: str
    distance: float


@dataclass(frozen=True)
class Decision:
    person_id: str  # "" when unknown or ambiguous
    distance: float  # to the nearest sample; -1 when the gallery is empty
    confidence: float
    ambiguous: bool = False
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def unknown(self) -> bool:
        return not self.person_id and not self.ambiguous


def nearest_per_person(neighbours: Iterable[Neighbour]) -> list[Candidate]:
    best: dict[str, float] = {}
    for n in neighbours:
        if n.distance < best.get(n.person_id, math.inf):
            best[n.person_id] = n.distance
    return sorted((Candidate(p, d) for p, d in best.items()), key=lambda c: (c.distance, c.person_id))


def confidence(distance: float, threshold: float) -> float:
    if distance >= threshold:
        return 0.0
    return math.sqrt(max(0.0, 1.0 - distance / threshold))


def decide(neighbours: Iterable[Neighbour], *, threshold: float, margin: float) -> Decision:
    ranked = nearest_per_person(neighbours)
    if not ranked:
        return Decision(person_id="", distance=-1.0, confidence=0.0)
    best = ranked[0]
    if best.distance > threshold:
        return Decision(person_id="", distance=best.distance, confidence=0.0)
    close = [c for c in ranked if c.distance <= threshold and c.distance - best.distance < margin]
    if len(close) > 1:
        return Decision(person_id="", distance=best.distance, confidence=0.0, ambiguous=True,
                        candidates=close)
    within = [c for c in ranked if c.distance <= threshold]
    return Decision(person_id=best.person_id, distance=best.distance,
                    confidence=confidence(best.distance, threshold), candidates=within)


def effective_threshold(requested: float, configured: float) -> float:
    """A caller may tighten the threshold (0 = the configured one), never loosen it."""
    if requested < 0 or math.isnan(requested):
        raise ValueError("threshold must be 0 (server default) or positive")
    return configured if requested == 0 else min(requested, configured)


def agree(decisions: Sequence[Decision], *, needed: int = 2) -> tuple[Decision, int]:
    """Several frames of one person (a liveness burst) → one answer, and how many frames gave it.

    A person is named only when at least `needed` frames each name them and no frame names
    anybody else: a stranger who resembles an employee in one frame rarely does in two
    (bench/README-identity.md measures by how much). The distance and confidence are the
    weakest agreeing frame's. Otherwise ambiguous when a frame was, else unknown.
    """
    named = [d for d in decisions if d.person_id]
    people = {d.person_id for d in named}
    if len(people) == 1 and len(named) >= needed:
        weakest = max(named, key=lambda d: d.distance)
        return Decision(person_id=weakest.person_id, distance=weakest.distance,
                        confidence=weakest.confidence, candidates=weakest.candidates), len(named)
    nearest = min((d for d in decisions if d.distance >= 0), key=lambda d: d.distance,
                  default=None)
    distance = nearest.distance if nearest is not None else -1.0
    if len(people) <= 1 and any(d.ambiguous for d in decisions):
        candidates = nearest_per_person(Neighbour(0, c.person_id, c.distance)
                                        for d in decisions for c in d.candidates)
        return Decision(person_id="", distance=distance, confidence=0.0, ambiguous=True,
                        candidates=candidates), 0
    return Decision(person_id="", distance=distance, confidence=0.0), 0
