"""What the RPCs do, without gRPC: enrol with quality checks, identify, verify, erase, follow.

Photos arrive already analysed (pipeline.py); everything here is synchronous index or database
work that the servicer runs in threads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import faiss
import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from faceclock_common.db import exclusive_lock, session_scope
from recognition_svc.calibration import ThresholdPolicy
from recognition_svc.config import Settings
from recognition_svc.crypto import EncodingCipher, SealedReader, SealedWriter
from recognition_svc.encoder import EncodedFace, FaceBox
from recognition_svc.faces import service as faces
from recognition_svc.index import FaceIndex
from recognition_svc.matching import (
    Candidate,
    Decision,
    decide,
    effective_threshold,
    nearest_per_person,
)
from recognition_svc.pipeline import Analysis

logger = logging.getLogger(__name__)

# A change-log id that is still missing after this long was rolled back or skipped by the
# database's auto-increment; stop waiting for it.
GAP_TIMEOUT_SECONDS = 10.0
# Enrolments wait this long for one running elsewhere (each holds the lock for milliseconds).
ENROL_LOCK_SECONDS = 10.0
CHANGE_BATCH = 10_000
SNAPSHOT_MAGIC = b"FCIDX2"  # then chunk-sealed: the change id, then the index
SNAPSHOT_LABEL = "faceclock-recognition-index-snapshot"
# Neighbours looked at when enrolling: enough to count the other persons a sample resembles.
LOOKALIKE_NEIGHBOURS = 64


@dataclass(frozen=True)
class Refused:
    code: str
    message: str


@dataclass
class EnrollResult:
    face_id: str = ""
    refusal: Refused | None = None
    box: FaceBox | None = None
    face_width_px: int = 0
    sharpness: float = 0.0
    nearest_own_distance: float = -1.0
    resembles: list[Candidate] = field(default_factory=list)
    lookalike: bool = False
    change_id: int = 0


@dataclass(frozen=True)
class IdentifiedFace:
    box: FaceBox
    decision: Decision


@dataclass(frozen=True)
class IdentifyResult:
    faces: list[IdentifiedFace]
    width: int
    height: int
    threshold: float  # 0: no threshold holds the target for this gallery; all unknown
    gallery_faces: int


@dataclass(frozen=True)
class VerifyResult:
    match: bool
    distance: float
    face_found: bool
    threshold: float = 0.0
    faces: int = 0


class Recognizer:
    def __init__(self, *, settings: Settings, session_factory: sessionmaker[Session],
                 cipher: EncodingCipher, encoder_name: str, index: FaceIndex,
                 policy: ThresholdPolicy) -> None:
        self.settings = settings
        self.policy = policy
        self.session_factory = session_factory
        self.cipher = cipher
        self.encoder_name = encoder_name
        self.index = index
        self._sync_lock = threading.Lock()
        # Enrolments run one at a time in the whole deployment (threads here, and replicas through
        # the database): the check that a face is nobody else's and storing it must not
        # interleave with another person's enrolment of that face.
        self._enrol_lock = threading.Lock()
        self._engine: Engine = session_factory.kw["bind"]
        self._low = 0  # every change id ≤ this is applied (or given up on)
        self._seen: set[int] = set()  # applied ids above _low
        self._gap_since: dict[int, float] = {}
        self.loaded = False
        self.snapshot_change_id = -1
        self._batch_was_full = False

    def _neighbour_k(self) -> int:
        # More than a person's maximum sample count: the two nearest persons are then exact.
        return self.settings.max_samples + 6

    # ---- RPC bodies -------------------------------------------------------------------------
    def enroll(self, *, person_id: str, analysis: Analysis) -> EnrollResult:
        found = analysis.faces
        if not found:
            return EnrollResult(refusal=Refused("no_face", "No face was found in the photo."))
        if len(found) > 1:
            return EnrollResult(refusal=Refused(
                "multiple_faces", f"{len(found)} faces were found; an enrolment photo shows one."))
        face = found[0]
        result = EnrollResult(box=face.box, face_width_px=face.box.width, sharpness=face.sharpness)
        if face.box.width < self.settings.min_face_px:
            result.refusal = Refused("face_too_small", (
                f"The face is {face.box.width} px wide; at least {self.settings.min_face_px} px "
                "is needed."))
            return result
        if face.sharpness < self.settings.min_sharpness:
            result.refusal = Refused("too_blurry", (
                f"The face is too blurry (sharpness {face.sharpness:.0f}, at least "
                f"{self.settings.min_sharpness:.0f} is needed)."))
            return result
        with self._enrol_lock, exclusive_lock(self._engine, "enrol",
                                              timeout_seconds=ENROL_LOCK_SECONDS):
            # Every enrolment committed anywhere before this one is in the index we check against.
            self.catch_up()
            result = self._check_and_store(person_id, face, result)
            # ... and this one is in ours before the next enrolment here checks.
            self.sync()
        return result

    def _check_and_store(self, person_id: str, face: EncodedFace, result: EnrollResult
                         ) -> EnrollResult:
        with session_scope(self.session_factory) as session:
            own = faces.person_encodings(session, cipher=self.cipher, person_id=person_id)
            if own:
                own_matrix = np.vstack([vector for _, vector in own])
                result.nearest_own_distance = float(
                    np.linalg.norm(own_matrix - face.encoding, axis=1).min())
            if len(own) >= self.settings.max_samples:
                result.refusal = Refused("too_many_samples", (
                    f"This person already has {len(own)} samples (the maximum)."))
                return result
            if 0 <= result.nearest_own_distance < self.settings.duplicate_distance:
                result.refusal = Refused("duplicate_sample", (
                    "This photo is a near-duplicate of one of the person's samples "
                    f"(distance {result.nearest_own_distance:.3f})."))
                return result
            others = self._other_persons(face.encoding, person_id)
            same_face = self._same_face_threshold()
            taken = [c for c in others if c.distance <= same_face]
            if taken:
                result.resembles = taken
                result.refusal = Refused("matches_other_person", (
                    "This face is already enrolled as another person "
                    f"(distance {taken[0].distance:.3f}, at most {same_face:.3f} allowed)."))
                return result
            stored, change_id = faces.add_face(session, cipher=self.cipher, person_id=person_id,
                                               encoding=face.encoding)
            result.face_id = stored.face_id
            result.change_id = change_id
            one_to_one = self.policy.for_gallery(1) or 0.0
            result.resembles = [c for c in others if c.distance <= one_to_one]
            result.lookalike = self._is_lookalike(len(result.resembles), one_to_one)
        return result

    def _other_persons(self, encoding: np.ndarray, person_id: str) -> list[Candidate]:
        """Other persons near this encoding, nearest sample each, nearest first."""
        neighbours = self.index.search(encoding, LOOKALIKE_NEIGHBOURS)
        return [c for c in nearest_per_person(neighbours) if c.person_id != person_id]

    def _same_face_threshold(self) -> float:
        """Within this distance a new sample is taken for someone already enrolled: calibrated
        so that a genuinely new person is refused at most at the configured rate, whatever the
        gallery's size (at the strictest rate measured when the gallery outgrows it)."""
        calibration = self.policy.calibration
        rate = max(self.settings.enrol_false_refusal_rate / max(1, len(self.index)),
                   calibration.min_fmr)
        return calibration.threshold_for_fmr(rate) or 0.0

    def _is_lookalike(self, close_persons: int, threshold: float) -> bool:
        """Close to many more other persons than the calibrated false-match rate explains."""
        expected = self.index.persons * self.policy.calibration.false_match_rate(threshold)
        return close_persons >= max(self.settings.lookalike_min_persons, 4 * expected)

    def gallery_faces(self, scope: Sequence[str] | None) -> int:
        """Enrolled samples a search covers: a scope's persons', or the whole gallery."""
        return len(self.index) if scope is None else self.index.samples_among(scope)

    def identify(self, *, analysis: Analysis, requested_threshold: float = 0.0,
                 scope: Sequence[str] | None = None) -> IdentifyResult:
        """Every face against the gallery (or only the scope's persons), at the threshold
        calibrated for the number of samples searched (a caller may only tighten it)."""
        searched = self.gallery_faces(scope)
        calibrated = self.policy.for_gallery(searched)
        threshold = 0.0 if calibrated is None else effective_threshold(requested_threshold,
                                                                       calibrated)
        identified = []
        for face in analysis.faces:
            if scope is None:
                neighbours = self.index.search(face.encoding, self._neighbour_k())
            else:
                neighbours = self.index.search_among(face.encoding, self._neighbour_k(), scope)
            if calibrated is None:  # no threshold holds the target here: nobody is named
                ranked = nearest_per_person(neighbours)
                decision = Decision(person_id="", confidence=0.0,
                                    distance=ranked[0].distance if ranked else -1.0)
            else:
                decision = decide(neighbours, threshold=threshold,
                                  margin=self.settings.ambiguity_margin)
            identified.append(IdentifiedFace(face.box, decision))
        return IdentifyResult(identified, analysis.width, analysis.height, threshold, searched)

    def verify(self, *, person_id: str, analysis: Analysis) -> VerifyResult:
        """1:1 against the person's samples, at the threshold calibrated for that many."""
        found = analysis.faces
        if not found:
            return VerifyResult(match=False, distance=-1.0, face_found=False)
        # The subject of a 1:1 check is the largest face, not whoever stands behind them.
        face = max(found, key=lambda f: f.box.width * (f.box.bottom - f.box.top))
        with session_scope(self.session_factory) as session:
            own = faces.person_encodings(session, cipher=self.cipher, person_id=person_id)
        if not own:
            return VerifyResult(match=False, distance=-1.0, face_found=True, faces=len(found))
        matrix = np.vstack([vector for _, vector in own])
        distance = float(np.linalg.norm(matrix - face.encoding, axis=1).min())
        threshold = self.policy.for_gallery(len(own))
        return VerifyResult(match=threshold is not None and distance <= threshold,
                            distance=distance, face_found=True, threshold=threshold or 0.0,
                            faces=len(found))

    def list_faces(self, *, person_id: str) -> list[faces.StoredFace]:
        with session_scope(self.session_factory) as session:
            return faces.list_faces(session, person_id=person_id)

    def delete_faces(self, *, person_id: str, face_ids: Sequence[str]) -> tuple[int, int]:
        with session_scope(self.session_factory) as session:
            row_ids, change_id = faces.delete_faces(session, person_id=person_id,
                                                    face_ids=face_ids)
        if row_ids:
            with self.session_factory() as session:
                faces.flush_erased_pages(session)
        # Erasure is effective here at once, whatever the change follower is doing.
        self.index.remove(row_ids)
        self.sync()
        return len(row_ids), change_id

    # ---- replica state ----------------------------------------------------------------------
    @property
    def applied_change_id(self) -> int:
        return max(self._seen, default=self._low)

    def load(self) -> None:
        """Fill the index (from the snapshot if there is a good one, else from the database),
        then catch up with the change log."""
        started = time.monotonic()
        source = "snapshot"
        start_change = self._load_snapshot()
        if start_change is None:
            source = "database"
            with session_scope(self.session_factory) as session:
                # Read the log position first: changes made while we load are replayed after.
                start_change = faces.last_change_id(session)
                large = faces.count_all(session) > self.index.approximate_above
                for ids, vectors, persons in faces.iter_all_faces(session, cipher=self.cipher):
                    self.index.add(ids, vectors, persons, rebuild=False, store_only=large)
            if large:
                # Nothing is searched before SERVING, so the build may use every core.
                faiss.omp_set_num_threads(os.cpu_count() or 1)
                try:
                    self.index.rebuild()
                finally:
                    faiss.omp_set_num_threads(1)
        with self._sync_lock:
            self._low = start_change
            self._seen.clear()
        self.catch_up()
        self.loaded = True
        logger.info("index loaded", extra={
            "faces": len(self.index), "index_type": self.index.kind, "source": source,
            "seconds": round(time.monotonic() - started, 2)})

    def _load_snapshot(self) -> int | None:
        """The change id the snapshot is complete up to, or None to load from the database."""
        path = self.settings.snapshot_path
        if not path or not os.path.exists(path):
            return None
        try:
            with open(path, "rb") as handle:
                if handle.read(len(SNAPSHOT_MAGIC)) != SNAPSHOT_MAGIC:
                    raise ValueError("not an index snapshot (or an older format)")
                sealed = SealedReader(self.cipher, handle, label=SNAPSHOT_LABEL)
                low = int.from_bytes(sealed.read(8), "big")
                with session_scope(self.session_factory) as session:
                    first = faces.first_change_id(session)
                if first is not None and first > low + 1:
                    raise ValueError("the change log no longer reaches back to the snapshot")
                self.index.read_snapshot(sealed.read)
        except Exception:  # a stale or foreign snapshot only costs a slower start
            logger.warning("index snapshot unusable; loading from the database", exc_info=True)
            self.index = FaceIndex(self.index.dimension,
                                   approximate_above=self.index.approximate_above,
                                   probe_fraction=self.index.probe_fraction)
            return None
        return low

    def prune_changes(self) -> int:
        """Forget change-log entries older than the retention (replicas apply them in seconds;
        only a snapshot older than the retention needs them, and it is then not used)."""
        cutoff = datetime.now(UTC) - timedelta(days=self.settings.change_retention_days)
        with session_scope(self.session_factory) as session:
            return faces.prune_changes(session, before=cutoff)

    def save_snapshot(self) -> bool:
        """Write the encrypted snapshot atomically; False when no path is configured."""
        path = self.settings.snapshot_path
        if not path or not self.loaded:
            return False
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".snapshot-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(SNAPSHOT_MAGIC)
                sealed = SealedWriter(self.cipher, out, label=SNAPSHOT_LABEL)
                # Streamed in sealed chunks: no second copy of the index in memory, and
                # searches go on while it is written (FaceIndex.write_snapshot).
                with self._sync_lock:
                    low = self._low
                    sealed.write(low.to_bytes(8, "big"))
                    self.index.write_snapshot(sealed.write)
                sealed.close()
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        self.snapshot_change_id = low
        logger.info("index snapshot written", extra={"faces": len(self.index), "change_id": low})
        return True

    def catch_up(self) -> int:
        """Apply the change log until nothing is left (it is read in batches)."""
        total = 0
        while True:
            applied = self.sync()
            total += applied
            if not (applied and self._batch_was_full):
                return total

    def sync(self) -> int:
        """Apply one batch of change-log entries not applied yet; returns how many."""
        with self._sync_lock:
            with session_scope(self.session_factory) as session:
                batch = faces.changes_after(session, after_id=self._low, limit=CHANGE_BATCH)
                self._batch_was_full = len(batch) == CHANGE_BATCH
                changes = [c for c in batch if c.id not in self._seen]
                pending_adds: list[int] = []
                for change in changes:
                    if change.op == faces.ADD:
                        pending_adds.append(change.row_id)
                        continue
                    self._add_rows(session, pending_adds)
                    pending_adds = []
                    self.index.remove([change.row_id])
                self._add_rows(session, pending_adds)
            self._seen.update(c.id for c in changes)
            self._advance_watermark()
            return len(changes)

    def _add_rows(self, session: Session, row_ids: list[int]) -> None:
        # Rows read now: an add whose face was deleted since finds nothing, so it stays erased.
        rows = faces.faces_by_row_ids(session, cipher=self.cipher,
                                      row_ids=[r for r in row_ids if r not in self.index])
        if rows:
            self.index.add(np.asarray([r[0] for r in rows], dtype=np.int64),
                           np.vstack([r[2] for r in rows]), [r[1] for r in rows])

    def _advance_watermark(self) -> None:
        now = time.monotonic()
        while self._seen:
            expected = self._low + 1
            if expected in self._seen:
                self._seen.discard(expected)
                self._low = expected
                self._gap_since.pop(expected, None)
                continue
            first_noticed = self._gap_since.setdefault(expected, now)
            if now - first_noticed < GAP_TIMEOUT_SECONDS:
                break
            logger.warning("change-log gap skipped", extra={"change_id": expected})
            self._gap_since.pop(expected, None)
            self._low = expected
