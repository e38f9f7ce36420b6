"""The in-memory index of one replica: opaque int64 ids and vectors, nothing else.

Two faiss structures, both keyed by the face row id:

* `store`: every vector in float32 (`IndexIDMap2(IndexFlatL2)`), the source of exact distances;
* `fast`: a compact copy that is scanned first. Up to `approximate_above` faces it holds float16
  vectors (`SQfp16`, half the memory traffic of float32); above, an IVF index of 4-bit PQ
  codes scanned with SIMD (`IVF…,PQ32x4fs`), probing a fixed fraction of the lists.

A search takes k' = 4k candidates from `fast` and re-ranks them with exact float32 distances.
In exact mode the answer is *certified*: float16 moves a vector by at most `delta` (measured
when it is added), so every vector outside the candidates is at least r - delta away, where r
is the k'-th float16 distance; when the k-th exact distance is below that, the k nearest are
exactly right, and otherwise the search falls back to a full float32 scan. The approximate
mode has no such bound; its identity recall is measured by bench/recognition_index.py.

The id → person map lives beside it (persons are opaque ids too). Deleted ids leave the map
and both structures at once. faiss is not safe for concurrent writes: writes hold both locks,
searches the search lock only, and a snapshot the write lock only (see FaceIndex.__init__).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np

logger = logging.getLogger(__name__)

faiss.omp_set_num_threads(1)  # process-wide: on 2 cores, one thread per search wins

EXACT = "exact_fp16_certified"
APPROXIMATE = "ivf_pq4fs_refined"
_SNAPSHOT_ROWS = 16_384  # vectors per piece written or read (8 MB at 128 floats)


@dataclass(frozen=True)
class Neighbour:
    row_id: int
    person_id: str
    distance: float  # Euclidean, like face_recognition.face_distance


def _as_matrix(vectors: np.ndarray, dimension: int) -> np.ndarray:
    return np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dimension)


class FaceIndex:
    def __init__(self, dimension: int = 128, *, approximate_above: int = 200_000,
                 probe_fraction: float = 0.25, candidates_factor: int = 4) -> None:
        self.dimension = dimension
        self.approximate_above = approximate_above
        self.probe_fraction = probe_fraction
        self.candidates_factor = candidates_factor
        # Searches and the structures' mutations take `_lock`; writers (add, remove, the
        # rebuild's swap) and the snapshot also take `_write_lock` first, so a snapshot sees a
        # state that does not change under it while searches go on.
        self._lock = threading.RLock()
        self._write_lock = threading.RLock()
        self._store: Any = faiss.IndexIDMap2(faiss.IndexFlatL2(dimension))
        self._fast: Any = self._new_exact()
        self._kind = EXACT
        self._delta = 0.0
        self._person_of: dict[int, str] = {}
        self._rows_of: dict[str, set[int]] = {}
        self._rebuilding = False
        self._rebuild_thread: threading.Thread | None = None
        self.fallbacks = 0  # exact-mode searches the float16 bound could not certify

    def _new_exact(self) -> Any:
        return faiss.IndexIDMap2(faiss.index_factory(self.dimension, "SQfp16"))

    @property
    def kind(self) -> str:
        return self._kind

    def __len__(self) -> int:
        return len(self._person_of)

    @property
    def persons(self) -> int:
        return len(self._rows_of)

    def __contains__(self, row_id: int) -> bool:
        return row_id in self._person_of

    # ---- writes -----------------------------------------------------------------------------
    def add(self, row_ids: np.ndarray, vectors: np.ndarray, person_ids: list[str], *,
            rebuild: bool = True, store_only: bool = False) -> None:
        """Adds vectors (ids already present are skipped). Growing past `approximate_above`
        starts a background rebuild unless `rebuild` is False. A bulk load that will call
        `rebuild()` itself passes `store_only` and skips the fast structure until then."""
        ids = np.ascontiguousarray(row_ids, dtype=np.int64)
        data = _as_matrix(vectors, self.dimension)
        with self._write_lock, self._lock:
            fresh = np.fromiter((i not in self._person_of for i in ids.tolist()), dtype=bool,
                                count=len(ids))
            if not fresh.any():
                return
            ids, data = ids[fresh], data[fresh]
            persons = [p for p, keep in zip(person_ids, fresh.tolist(), strict=True) if keep]
            self._store.add_with_ids(data, ids)
            if not store_only:
                self._fast.add_with_ids(data, ids)
            if self._kind == EXACT and not store_only:
                self._delta = max(self._delta, self._fp16_error(data))
            for row_id, person in zip(ids.tolist(), persons, strict=True):
                self._person_of[row_id] = person
                self._rows_of.setdefault(person, set()).add(row_id)
            crossing = self._kind == EXACT and len(self._person_of) > self.approximate_above
        if crossing and rebuild:
            self._rebuild_in_background()

    def remove(self, row_ids: list[int]) -> int:
        with self._write_lock, self._lock:
            present = sorted({r for r in row_ids if r in self._person_of})
            if not present:
                return 0
            ids = np.asarray(present, dtype=np.int64)
            self._store.remove_ids(ids)
            self._fast.remove_ids(ids)
            for row_id in present:
                person = self._person_of.pop(row_id)
                rows = self._rows_of[person]
                rows.discard(row_id)
                if not rows:
                    del self._rows_of[person]
            return len(present)

    def _fp16_error(self, data: np.ndarray) -> float:
        """How far float16 storage moves these vectors (the certification bound)."""
        rounded = data.astype(np.float16).astype(np.float32)
        return float(np.linalg.norm(rounded - data, axis=1).max()) * 1.01 + 1e-6

    # ---- search -----------------------------------------------------------------------------
    def search(self, vector: np.ndarray, k: int) -> list[Neighbour]:
        query = _as_matrix(vector, self.dimension)
        with self._lock:
            alive = len(self._person_of)
            if not alive:
                return []
            k = min(k, alive)
            wanted = min(max(k * self.candidates_factor, 32), self._fast.ntotal)
            approx, candidates = self._fast.search(query, wanted)
            ids = np.array([i for i in candidates[0].tolist() if i in self._person_of],
                           dtype=np.int64)
            exact = self._exact_distances(query[0], ids)
            order = np.argsort(exact, kind="stable")[:k]
            if self._kind == EXACT and not self._certified(exact[order], approx[0], k, wanted):
                self.fallbacks += 1
                squared, found = self._store.search(query, k)
                ids = found[0][found[0] >= 0]
                exact = np.sqrt(np.maximum(squared[0][: len(ids)], 0.0))
                order = np.arange(len(ids))
            return [Neighbour(int(ids[i]), self._person_of[int(ids[i])], float(exact[i]))
                    for i in order]

    def samples_among(self, person_ids: Iterable[str]) -> int:
        """How many enrolled samples a search scoped to these persons covers."""
        with self._lock:
            return sum(len(self._rows_of.get(p, ())) for p in set(person_ids))

    def search_among(self, vector: np.ndarray, k: int, person_ids: Iterable[str]
                     ) -> list[Neighbour]:
        """The k nearest samples of these persons only, exactly (float32). Nobody outside the
        scope is looked at, so nobody outside it can be matched."""
        query = _as_matrix(vector, self.dimension)[0]
        with self._lock:
            rows = [row for p in set(person_ids) for row in self._rows_of.get(p, ())]
            ids = np.asarray(sorted(rows), dtype=np.int64)
            exact = self._exact_distances(query, ids)
            order = np.argsort(exact, kind="stable")[:k]
            return [Neighbour(int(ids[i]), self._person_of[int(ids[i])], float(exact[i]))
                    for i in order]

    def _exact_distances(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        if not len(ids):
            return np.empty(0, dtype=np.float32)
        vectors = self._store.reconstruct_batch(ids)
        return np.sqrt(((vectors - query) ** 2).sum(axis=1))

    def _certified(self, best: np.ndarray, approx_squared: np.ndarray, k: int,
                   wanted: int) -> bool:
        if wanted >= self._fast.ntotal:
            return len(best) >= min(k, len(self._person_of))  # every vector was a candidate
        if len(best) < k:
            return False
        bound = float(np.sqrt(max(float(approx_squared[-1]), 0.0))) - self._delta
        return float(best[-1]) <= bound

    # ---- approximate mode -------------------------------------------------------------------
    def _rebuild_in_background(self) -> None:
        with self._lock:
            if self._rebuilding:
                return
            self._rebuilding = True
            self._rebuild_thread = threading.Thread(target=self.rebuild, name="index-rebuild",
                                                    daemon=True)
        self._rebuild_thread.start()

    def wait_for_rebuild(self, timeout: float | None = None) -> None:
        """Let a background rebuild finish (a process must not exit in the middle of one)."""
        thread = self._rebuild_thread
        if thread is not None:
            thread.join(timeout)

    def rebuild(self) -> None:
        """Build the fast structure for the current size without blocking searches, then swap."""
        try:
            with self._write_lock:  # a consistent copy; searches go on meanwhile
                ids, vectors = self._all_vectors()
            count = len(ids)
            if count > self.approximate_above:
                fast, kind = build_ivf(vectors, ids, probe_fraction=self.probe_fraction), APPROXIMATE
            else:
                fast, kind = self._new_exact(), EXACT
                fast.add_with_ids(vectors, ids)
            with self._write_lock, self._lock:
                # Catch up with what changed while building: adds are added, deletes dropped.
                built = set(ids.tolist())
                missing = [i for i in self._person_of if i not in built]
                if missing:
                    new_ids = np.asarray(missing, dtype=np.int64)
                    fast.add_with_ids(self._store.reconstruct_batch(new_ids), new_ids)
                gone = [i for i in built if i not in self._person_of]
                if gone:
                    fast.remove_ids(np.asarray(gone, dtype=np.int64))
                self._fast, self._kind = fast, kind
                if kind == EXACT:
                    self._delta = self._fp16_error(vectors) if count else 0.0
            logger.info("index rebuilt", extra={"index_type": kind, "faces": count})
        finally:
            self._rebuilding = False

    def _all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        flat = faiss.downcast_index(self._store.index)
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.empty(
            (0, self.dimension), dtype=np.float32)
        ids = faiss.vector_to_array(self._store.id_map).astype(np.int64)
        return ids, vectors

    # ---- snapshot ---------------------------------------------------------------------------
    def write_snapshot(self, write: Callable[[bytes | memoryview], object]) -> None:
        """Stream everything needed to start without re-reading the gallery to `write` (which
        encrypts it). Only the write lock is held: searches go on while it is written (adds and
        deletes wait), and the float32 vectors are passed as views, never copied whole."""
        with self._write_lock:
            ids = np.fromiter(self._person_of.keys(), dtype=np.int64, count=len(self._person_of))
            persons = sorted(self._rows_of)
            number = {p: n for n, p in enumerate(persons)}
            person_index = np.fromiter((number[self._person_of[i]] for i in ids.tolist()),
                                       dtype=np.int32, count=len(ids))
            del number
            fast = faiss.serialize_index(self._fast)  # 4-bit codes or float16: compact
            store_ids = faiss.vector_to_array(self._store.id_map).astype(np.int64)
            flat: Any = faiss.downcast_index(self._store.index)
            rows = flat.ntotal
            header = json.dumps({
                "kind": self._kind, "delta": self._delta, "persons": persons,
                "dimension": self.dimension, "mapped": len(ids), "rows": rows,
                "fast_bytes": len(fast)}).encode()
            write(len(header).to_bytes(8, "big"))
            write(header)
            for part in (ids, person_index, store_ids, fast):
                write(part.data)
            vectors = faiss.rev_swig_ptr(flat.get_xb(), rows * self.dimension) if rows else None
            for start in range(0, rows, _SNAPSHOT_ROWS):
                assert vectors is not None
                write(vectors[start * self.dimension:
                              (start + _SNAPSHOT_ROWS) * self.dimension].data)

    def read_snapshot(self, read: Callable[[int], bytes]) -> None:
        """Replace the contents with a snapshot read from `read(n)` (exactly n bytes a call).
        The vectors go straight into the new store: its memory is the only full copy made."""
        header = json.loads(read(int.from_bytes(read(8), "big")))
        if header["dimension"] != self.dimension:
            raise ValueError("snapshot dimension differs from the encoder's")
        mapped, rows, dimension = int(header["mapped"]), int(header["rows"]), self.dimension
        ids = np.frombuffer(read(8 * mapped), dtype=np.int64).tolist()
        person_index = np.frombuffer(read(4 * mapped), dtype=np.int32).tolist()
        store_ids = np.frombuffer(read(8 * rows), dtype=np.int64)
        fast = faiss.deserialize_index(np.frombuffer(read(int(header["fast_bytes"])),
                                                     dtype=np.uint8))
        store: Any = faiss.IndexIDMap2(faiss.IndexFlatL2(dimension))
        flat: Any = faiss.downcast_index(store.index)
        if rows:
            flat.codes.resize(rows * dimension * 4)
            flat.ntotal = rows
            target = faiss.rev_swig_ptr(flat.get_xb(), rows * dimension)
            for start in range(0, rows, _SNAPSHOT_ROWS):
                count = min(_SNAPSHOT_ROWS, rows - start)
                target[start * dimension:(start + count) * dimension] = np.frombuffer(
                    read(4 * count * dimension), dtype=np.float32)
            faiss.copy_array_to_vector(store_ids, store.id_map)
            store.ntotal = rows
            store.construct_rev_map()
        persons = header["persons"]
        person_of = {i: persons[n] for i, n in zip(ids, person_index, strict=True)}
        rows_of: dict[str, set[int]] = {}
        for row_id, person in person_of.items():
            rows_of.setdefault(person, set()).add(row_id)
        with self._write_lock, self._lock:
            self._store, self._fast, self._kind = store, fast, header["kind"]
            self._delta = float(header["delta"])
            self._person_of, self._rows_of = person_of, rows_of


def build_ivf(vectors: np.ndarray, ids: np.ndarray, *, probe_fraction: float) -> Any:
    """IVF over 4-bit PQ codes (SIMD fast-scan); about 1000 vectors per list."""
    count = len(vectors)
    nlist = int(min(4096, max(64, count // 1000)))
    index = faiss.index_factory(vectors.shape[1], f"IVF{nlist},PQ{vectors.shape[1] // 4}x4fs")
    # faiss asks for 39 training points per centroid at least; more only slows the start.
    train_size = max(40 * nlist, 20_000)
    rng = np.random.default_rng(0)
    sample = vectors if count <= train_size else vectors[rng.choice(count, train_size,
                                                                     replace=False)]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    faiss.extract_index_ivf(index).nprobe = max(1, round(nlist * probe_fraction))
    return index
