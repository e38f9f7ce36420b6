from __future__ import annotations

import io
import threading
from typing import Any

import numpy as np

from recognition_svc.index import FaceIndex


def _vectors(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, 128)).astype(np.float32)


def test_add_search_remove_flat() -> None:
    index = FaceIndex()
    data = _vectors(50)
    index.add(np.arange(1, 51), data, [f"p{i % 10}" for i in range(50)])
    assert (len(index), index.persons, index.kind) == (50, 10, "exact_fp16_certified")
    [best, *_] = index.search(data[7], k=5)
    assert (best.row_id, best.person_id) == (8, "p7") and best.distance < 1e-3
    index.add(np.array([8]), data[7:8], ["p7"])  # replayed change: no duplicate
    assert len(index) == 50
    assert index.remove([8, 8, 999]) == 1
    assert 8 not in index and all(n.row_id != 8 for n in index.search(data[7], k=50))
    index.remove([i for i in range(1, 51) if i % 10 == 0])
    assert index.persons == 9


def test_switches_to_ivf_above_the_limit_and_still_deletes() -> None:
    index = FaceIndex(approximate_above=2000)
    data = _vectors(2100, seed=3)
    index.add(np.arange(2000), data[:2000], [str(i) for i in range(2000)])
    assert index.kind == "exact_fp16_certified"
    index.add(np.arange(2000, 2100), data[2000:], [str(i) for i in range(2000, 2100)])
    index.wait_for_rebuild(60)  # crossing the limit started a background rebuild
    assert index.kind == "ivf_pq4fs_refined" and len(index) == 2100
    assert index.search(data[123], k=3)[0].row_id == 123
    index.remove([123])
    assert all(n.row_id != 123 for n in index.search(data[123], k=10))
    index.add(np.array([5000]), data[123:124], ["x"])
    assert index.search(data[123], k=1)[0].person_id == "x"


def test_empty_index_search() -> None:
    assert FaceIndex().search(_vectors(1)[0], k=5) == []


def _faces_like(count: int, per: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """BENCH.md's synthetic encodings: identity centres, samples around them."""
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=128).astype(np.float32) * 0.1
    centres = mean + 0.044 * rng.normal(size=(count // per, 128))
    data = np.repeat(centres, per, axis=0) + 0.0275 * rng.normal(size=(count, 128))
    queries = centres[:40] + 0.0275 * rng.normal(size=(40, 128))
    return data.astype(np.float32), queries.astype(np.float32)


def test_exact_mode_returns_exactly_the_brute_force_neighbours() -> None:
    data, queries = _faces_like(3000, 3, seed=5)
    index = FaceIndex()
    index.add(np.arange(len(data)) + 100, data, [str(i // 3) for i in range(len(data))])
    for query in queries:
        truth = np.sqrt(((data - query) ** 2).sum(axis=1))
        expected = np.argsort(truth)[:16] + 100
        found = index.search(query, k=16)
        assert [n.row_id for n in found] == expected.tolist()
        assert np.allclose([n.distance for n in found], np.sort(truth)[:16], atol=1e-5)
    assert index.fallbacks <= 2  # the float16 bound certifies nearly every search


def _snapshot(index: FaceIndex) -> io.BytesIO:
    buffer = io.BytesIO()
    index.write_snapshot(buffer.write)
    buffer.seek(0)
    return buffer


def test_snapshot_round_trip() -> None:
    data, queries = _faces_like(600, 2, seed=9)
    index = FaceIndex()
    index.add(np.arange(600), data, [f"p{i // 2}" for i in range(600)])
    index.remove([0, 1, 7])
    copy = FaceIndex()
    copy.read_snapshot(_snapshot(index).read)
    assert (len(copy), copy.persons, copy.kind) == (597, 299, index.kind)
    for query in queries[:5]:
        assert copy.search(query, 5) == index.search(query, 5)
    assert 0 not in copy and 2 in copy
    # The loaded store takes further writes like one built by adds.
    copy.add(np.array([1000]), data[7:8], ["new"])
    assert copy.remove([5, 1000]) == 2 and copy.search(data[7], 1)[0].row_id != 1000
    empty = FaceIndex()
    empty.read_snapshot(_snapshot(FaceIndex()).read)
    assert len(empty) == 0 and empty.search(data[0], 3) == []


def test_approximate_snapshot_round_trip() -> None:
    index = FaceIndex(approximate_above=2000)
    data = _vectors(2100, seed=4)
    index.add(np.arange(2100), data, [str(i) for i in range(2100)], rebuild=False)
    index.rebuild()
    copy = FaceIndex(approximate_above=2000)
    copy.read_snapshot(_snapshot(index).read)
    assert copy.kind == index.kind == "ivf_pq4fs_refined"
    assert [n.row_id for n in copy.search(data[5], 3)] == [n.row_id for n in
                                                          index.search(data[5], 3)]


def test_a_search_during_a_snapshot_write_answers_at_once() -> None:
    """Writing the snapshot holds the write lock only: searches answer while it is being
    written (here it is held mid-write), and an add waits until it is done."""
    data = _vectors(3000, seed=5)
    index = FaceIndex()
    index.add(np.arange(3000), data, [str(i // 3) for i in range(3000)])
    writing, release = threading.Event(), threading.Event()
    buffer = io.BytesIO()

    def slow_write(part: bytes | memoryview) -> None:
        buffer.write(part)
        if not writing.is_set():
            writing.set()
            assert release.wait(30)

    writer = threading.Thread(target=index.write_snapshot, args=(slow_write,))
    writer.start()
    try:
        assert writing.wait(10)
        # The writer is held mid-write until `release`: a search that answers now did not wait
        # for it (on a loaded machine "now" may take a while, hence no fixed time limit).
        found: list[Any] = []
        searcher = threading.Thread(target=lambda: found.extend(index.search(data[42], 1)))
        searcher.start()
        searcher.join(30)
        assert not release.is_set() and [n.row_id for n in found] == [42]
        adder = threading.Thread(target=index.add,
                                 args=(np.array([5000]), data[:1], ["late"]))
        adder.start()
        adder.join(0.3)
        assert adder.is_alive() and 5000 not in index  # writes wait for the snapshot
    finally:
        release.set()
        writer.join(10)
    adder.join(10)
    assert 5000 in index
    copy = FaceIndex()
    buffer.seek(0)
    copy.read_snapshot(buffer.read)
    assert len(copy) == 3000 and 5000 not in copy  # the state from when the write began
