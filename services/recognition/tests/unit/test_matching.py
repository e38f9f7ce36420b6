from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recognition_svc.index import Neighbour
from recognition_svc.matching import (
    Candidate,
    Decision,
    agree,
    confidence,
    decide,
    effective_threshold,
    nearest_per_person,
)


def n(person: str, distance: float, row: int = 0) -> Neighbour:
    return Neighbour(row_id=row, person_id=person, distance=distance)


def test_nearest_sample_per_person() -> None:
    ranked = nearest_per_person([n("a", 0.5), n("b", 0.45), n("a", 0.3), n("b", 0.7)])
    assert [(c.person_id, c.distance) for c in ranked] == [("a", 0.3), ("b", 0.45)]


def test_empty_gallery_is_unknown_with_distance_minus_one() -> None:
    d = decide([], threshold=0.6, margin=0.04)
    assert (d.person_id, d.distance, d.confidence, d.ambiguous) == ("", -1.0, 0.0, False)
    assert d.unknown


def test_farther_than_threshold_is_unknown_not_a_guess() -> None:
    d = decide([n("a", 0.61), n("b", 0.8)], threshold=0.6, margin=0.04)
    assert d.unknown and d.person_id == "" and d.distance == 0.61 and d.confidence == 0


def test_clear_match() -> None:
    d = decide([n("a", 0.35), n("a", 0.4), n("b", 0.55)], threshold=0.6, margin=0.04)
    assert d.person_id == "a" and not d.ambiguous and d.distance == 0.35
    assert d.confidence == pytest.approx(confidence(0.35, 0.6))
    assert [c.person_id for c in d.candidates] == ["a", "b"]


def test_two_people_too_close_to_call_is_ambiguous() -> None:
    d = decide([n("a", 0.40), n("b", 0.42), n("c", 0.5)], threshold=0.6, margin=0.04)
    assert d.ambiguous and d.person_id == "" and not d.unknown
    assert [c.person_id for c in d.candidates] == ["a", "b"]
    assert d.confidence == 0 and d.distance == 0.40


def test_second_person_beyond_threshold_is_not_ambiguous() -> None:
    d = decide([n("a", 0.58), n("b", 0.61)], threshold=0.6, margin=0.04)
    assert d.person_id == "a" and not d.ambiguous


def test_confidence_shape() -> None:
    assert confidence(0.0, 0.6) == 1.0
    assert confidence(0.6, 0.6) == 0.0
    assert confidence(0.7, 0.6) == 0.0
    assert 0.5 < confidence(0.44, 0.6) < 0.55
    assert confidence(0.3, 0.6) > confidence(0.4, 0.6)


def test_threshold_can_only_be_tightened() -> None:
    assert effective_threshold(0, 0.6) == 0.6
    assert effective_threshold(0.5, 0.6) == 0.5
    assert effective_threshold(0.9, 0.6) == 0.6
    with pytest.raises(ValueError):
        effective_threshold(-0.1, 0.6)
    with pytest.raises(ValueError):
        effective_threshold(float("nan"), 0.6)

neighbour_lists = st.lists(
    st.tuples(st.sampled_from("abcde"), st.floats(0, 1.5, allow_nan=False)), max_size=20)


@given(neighbour_lists, st.floats(0.1, 1.0), st.floats(0, 0.2))
def test_decision_invariants(pairs, threshold, margin) -> None:
    neighbours = [n(p, d, row) for row, (p, d) in enumerate(pairs)]
    d = decide(neighbours, threshold=threshold, margin=margin)
    nearest = {p: min(dist for q, dist in pairs if q == p) for p, _ in pairs}
    if not pairs:
        assert d.unknown and d.distance == -1
        return
    best = min(nearest.values())
    assert d.distance == best
    if best > threshold:
        assert d.unknown and d.confidence == 0
    elif d.ambiguous:
        assert d.person_id == "" and len(d.candidates) >= 2
        assert all(c.distance - best < margin for c in d.candidates)
    else:
        assert nearest[d.person_id] == best and 0 <= d.confidence <= 1
        rivals = [dist for p, dist in nearest.items() if p != d.person_id and dist <= threshold]
        assert all(r - best >= margin for r in rivals)


def _named(person: str, distance: float) -> Decision:
    return Decision(person_id=person, distance=distance, confidence=confidence(distance, 0.5))


def test_frames_agree_only_when_two_name_the_same_person() -> None:
    unknown = Decision(person_id="", distance=0.7, confidence=0.0)
    # Two frames name her: her, at the weaker frame's distance.
    both, count = agree([_named("7", 0.30), _named("7", 0.42), unknown])
    assert both.person_id == "7" and count == 2
    assert both.distance == 0.42 and both.confidence == confidence(0.42, 0.5)
    # One frame alone is not enough, however close.
    alone, count = agree([_named("7", 0.10), unknown, unknown])
    assert alone.unknown and count == 0 and alone.distance == 0.10
    # Frames naming two different people name nobody.
    split, _ = agree([_named("7", 0.30), _named("7", 0.31), _named("9", 0.35)])
    assert split.unknown and not split.person_id
    # An ambiguous frame with no agreement stays ambiguous, its candidates listed.
    torn = Decision(person_id="", distance=0.40, confidence=0.0, ambiguous=True,
                    candidates=[Candidate("7", 0.40), Candidate("9", 0.42)])
    ambiguous, _ = agree([torn, _named("7", 0.45)])
    assert ambiguous.ambiguous and [c.person_id for c in ambiguous.candidates] == ["7", "9"]
    # No frame with a face at all: unknown with no distance.
    assert agree([]) == (Decision(person_id="", distance=-1.0, confidence=0.0), 0)
