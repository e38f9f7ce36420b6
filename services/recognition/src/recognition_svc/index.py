"""The in-memory FAISS index of one replica: opaque int64 ids and vectors, nothing else.

The id → person map lives beside it in memory (persons are opaque ids too). Exact search
(`IndexIDMap2(IndexFlatL2)`) below `approximate_above` faces; above, an IVF index whose
`remove_ids` makes deletion immediate. faiss is not thread-safe for concurrent writes, so one
lock guards every call; a single-vector search takes about a millisecond, so contention is low.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import faiss
import numpy as np

faiss.omp_set_num_threads(1)  # process-wide: on 2 cores, one thread per search wins


@dataclass(frozen=True)
class Neighbour:
    row_id: int
    person_id: str
    distance: float  # Euclidean, like face_recognition.face_distance


class FaceIndex:
    def __init__(self, dimension: int = 128, *, approximate_above: int = 300_000,
                 nprobe: int = 16) -> None:
        self.dimension = dimension
        self.approximate_above = approximate_above
        self.nprobe = nprobe
        self._lock = threading.RLock()
        self._index: Any = self._flat()
        self._kind = "flat"
        self._person_of: dict[int, str] = {}
        self._rows_of: dict[str, set[int]] = defaultdict(set)

    def _flat(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatL2(self.dimension))

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

    def add(self, row_ids: np.ndarray, vectors: np.ndarray, person_ids: list[str]) -> None:
        ids = np.ascontiguousarray(row_ids, dtype=np.int64)
        data = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dimension)
        with self._lock:
            fresh = np.fromiter((i not in self._person_of for i in ids.tolist()), dtype=bool,
                                count=len(ids))
            if not fresh.any():
                return
            ids, data = ids[fresh], data[fresh]
            persons = [p for p, keep in zip(person_ids, fresh.tolist(), strict=True) if keep]
            self._index.add_with_ids(data, ids)
            for row_id, person in zip(ids.tolist(), persons, strict=True):
                self._person_of[row_id] = person
                self._rows_of[person].add(row_id)
            if self._kind == "flat" and len(self._person_of) > self.approximate_above:
                self._to_approximate()

    def remove(self, row_ids: list[int]) -> int:
        with self._lock:
            present = sorted({r for r in row_ids if r in self._person_of})
            if not present:
                return 0
            self._index.remove_ids(np.asarray(present, dtype=np.int64))
            for row_id in present:
                person = self._person_of.pop(row_id)
                rows = self._rows_of[person]
                rows.discard(row_id)
                if not rows:
                    del self._rows_of[person]
            return len(present)

    def search(self, vector: np.ndarray, k: int) -> list[Neighbour]:
        query = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dimension)
        with self._lock:
            if not self._person_of:
                return []
            distances, ids = self._index.search(query, min(k, len(self._person_of)))
            found = []
            for squared, row_id in zip(distances[0].tolist(), ids[0].tolist(), strict=True):
                person = self._person_of.get(row_id)
                if row_id >= 0 and person is not None:
                    found.append(Neighbour(row_id, person, float(np.sqrt(max(squared, 0.0)))))
        return found

    def _to_approximate(self) -> None:
        """Rebuild as IVF: train centroids on the current vectors, then move every vector over."""
        flat = faiss.downcast_index(self._index.index)
        vectors = flat.reconstruct_n(0, flat.ntotal)
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        self._index = build_ivf(vectors, ids, nprobe=self.nprobe)
        self._kind = "ivf"


def build_ivf(vectors: np.ndarray, ids: np.ndarray, *, nprobe: int,
              nlist: int | None = None, train_size: int = 64_000) -> Any:
    """An IVF-Flat index over these vectors; lists ≈ 1000 vectors each at a million."""
    count = len(vectors)
    nlist = nlist or max(16, min(4096, int(count / 1000)))
    quantizer = faiss.IndexFlatL2(vectors.shape[1])
    index = faiss.IndexIVFFlat(quantizer, vectors.shape[1], nlist)
    rng = np.random.default_rng(0)
    sample = vectors if count <= train_size else vectors[rng.choice(count, train_size, replace=False)]
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
    index.nprobe = nprobe
    return index
