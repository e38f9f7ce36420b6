from __future__ import annotations

import numpy as np

from recognition_svc.index import FaceIndex


def _vectors(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, 128)).astype(np.float32)


def test_add_search_remove_flat() -> None:
    index = FaceIndex()
    data = _vectors(50)
    index.add(np.arange(1, 51), data, [f"p{i % 10}" for i in range(50)])
    assert (len(index), index.persons, index.kind) == (50, 10, "flat")
    [best, *_] = index.search(data[7], k=5)
    assert (best.row_id, best.person_id) == (8, "p7") and best.distance < 1e-3
    index.add(np.array([8]), data[7:8], ["p7"])  # replayed change: no duplicate
    assert len(index) == 50
    assert index.remove([8, 8, 999]) == 1
    assert 8 not in index and all(n.row_id != 8 for n in index.search(data[7], k=50))
    index.remove([i for i in range(1, 51) if i % 10 == 0])
    assert index.persons == 9


def test_switches_to_ivf_above_the_limit_and_still_deletes() -> None:
    index = FaceIndex(approximate_above=2000, nprobe=8)
    data = _vectors(2100, seed=3)
    index.add(np.arange(2100), data, [str(i) for i in range(2100)])
    assert index.kind == "ivf" and len(index) == 2100
    assert index.search(data[123], k=3)[0].row_id == 123
    index.remove([123])
    assert all(n.row_id != 123 for n in index.search(data[123], k=10))
    index.add(np.array([5000]), data[123:124], ["x"])
    assert index.search(data[123], k=1)[0].person_id == "x"


def test_empty_index_search() -> None:
    assert FaceIndex().search(_vectors(1)[0], k=5) == []
