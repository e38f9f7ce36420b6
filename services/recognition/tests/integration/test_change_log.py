"""Following the change log: out-of-order commits, gaps, replays and batches."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag

from faceclock_common.db import make_engine, make_session_factory, session_scope
from recognition_svc import recognizer as recognizer_module
from recognition_svc.crypto import EncodingCipher
from recognition_svc.encoder import EncodedFace, FaceBox
from recognition_svc.faces import service as faces
from recognition_svc.faces.models import Face, FaceChange
from recognition_svc.index import FaceIndex
from recognition_svc.main import migrate, threshold_policy
from recognition_svc.pipeline import Analysis
from recognition_svc.recognizer import Recognizer

from ..conftest import make_settings

POLICY = threshold_policy(make_settings("sqlite://", "http://127.0.0.1:9"), "dlib_resnet_v1")


@pytest.fixture
def replica(database_url, token_mint):
    settings = make_settings(database_url, token_mint.jwks_url)
    migrate(settings)
    engine = make_engine(database_url)
    recognizer = Recognizer(settings=settings, session_factory=make_session_factory(engine),
                            cipher=EncodingCipher(settings.encryption_key_bytes()),
                            encoder_name="test", index=FaceIndex(),
                            policy=POLICY)
    recognizer.load()
    yield recognizer
    engine.dispose()


def _vector(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=128).astype(np.float32) * 0.1


def test_late_commit_below_the_watermark_is_still_applied(replica) -> None:
    with session_scope(replica.session_factory) as session:
        first, _ = faces.add_face(session, cipher=replica.cipher, person_id="a",
                                  encoding=_vector(1))
        second, _ = faces.add_face(session, cipher=replica.cipher, person_id="b",
                                   encoding=_vector(2))
        # Change 2 "commits late": take it out of the log for now.
        late = session.scalars(sa.select(FaceChange).where(
            FaceChange.face_row_id == second.row_id)).one()
        late_id = late.id
        session.delete(late)
        third, _ = faces.add_face(session, cipher=replica.cipher, person_id="c",
                                  encoding=_vector(3))
    replica.sync()
    assert first.row_id in replica.index and third.row_id in replica.index
    assert second.row_id not in replica.index
    assert replica.applied_change_id == late_id + 1
    with session_scope(replica.session_factory) as session:
        session.add(FaceChange(id=late_id, op="add", face_row_id=second.row_id))
    replica.sync()
    assert second.row_id in replica.index and len(replica.index) == 3
    assert replica._low == late_id + 1  # the gap closed: the watermark moved past it


def test_gap_that_never_fills_is_skipped_after_the_timeout(replica, monkeypatch) -> None:
    with session_scope(replica.session_factory) as session:
        faces.add_face(session, cipher=replica.cipher, person_id="a", encoding=_vector(1))
        session.execute(sa.delete(FaceChange))
        session.add(FaceChange(id=5, op="add", face_row_id=1))
    replica.sync()
    assert replica._low == 0 and 1 in replica.index
    monkeypatch.setattr(recognizer_module, "GAP_TIMEOUT_SECONDS", 0.0)
    replica.sync()
    assert replica._low == 5 and replica.applied_change_id == 5


def test_replayed_add_of_an_erased_face_stays_erased(replica) -> None:
    with session_scope(replica.session_factory) as session:
        stored, _ = faces.add_face(session, cipher=replica.cipher, person_id="a",
                                   encoding=_vector(1))
    with session_scope(replica.session_factory) as session:
        faces.delete_faces(session, person_id="a")
    replica.sync()  # sees add then delete in one batch
    assert stored.row_id not in replica.index
    replica._low = 0  # force a full replay
    replica._seen.clear()
    replica.sync()
    assert stored.row_id not in replica.index and len(replica.index) == 0


def test_catch_up_reads_every_batch(replica, monkeypatch) -> None:
    monkeypatch.setattr(recognizer_module, "CHANGE_BATCH", 3)
    with session_scope(replica.session_factory) as session:
        for n in range(8):
            faces.add_face(session, cipher=replica.cipher, person_id=str(n), encoding=_vector(n))
    assert replica.catch_up() == 8
    assert len(replica.index) == 8 and replica.applied_change_id == 8


def test_wrong_key_cannot_read_the_gallery(replica) -> None:
    with session_scope(replica.session_factory) as session:
        faces.add_face(session, cipher=replica.cipher, person_id="a", encoding=_vector(1))
    other = Recognizer(
        settings=replica.settings, session_factory=replica.session_factory,
        cipher=EncodingCipher(bytes(32)), encoder_name="test", index=FaceIndex(),
                            policy=POLICY)
    with pytest.raises(InvalidTag):
        other.load()


def test_pruning_keeps_the_newest_entry_and_retires_old_snapshots(replica, tmp_path) -> None:
    with session_scope(replica.session_factory) as session:
        for n in range(3):
            faces.add_face(session, cipher=replica.cipher, person_id=str(n), encoding=_vector(n))
    replica.catch_up()
    replica.settings.snapshot_path = str(tmp_path / "index.snap")
    assert replica.save_snapshot()
    with session_scope(replica.session_factory) as session:
        faces.add_face(session, cipher=replica.cipher, person_id="late", encoding=_vector(9))
    assert replica.prune_changes() == 0  # nothing is older than the retention yet
    replica.settings.change_retention_days = 0
    assert replica.prune_changes() == 3
    with session_scope(replica.session_factory) as session:
        assert faces.first_change_id(session) == faces.last_change_id(session) == 4
    # The snapshot (complete up to change 3) still connects to the log (first id 4): used.
    fresh = Recognizer(settings=replica.settings, session_factory=replica.session_factory,
                       cipher=replica.cipher, encoder_name="test", index=FaceIndex(),
                            policy=POLICY)
    assert fresh._load_snapshot() == 3
    with session_scope(replica.session_factory) as session:
        faces.add_face(session, cipher=replica.cipher, person_id="later", encoding=_vector(8))
    replica.prune_changes()  # now change 4 is gone too: the log starts at 5
    stale = Recognizer(settings=replica.settings, session_factory=replica.session_factory,
                       cipher=replica.cipher, encoder_name="test", index=FaceIndex(),
                            policy=POLICY)
    assert stale._load_snapshot() is None
    stale.load()
    assert len(stale.index) == 5


def _one_face(encoding: np.ndarray) -> Analysis:
    return Analysis(faces=[EncodedFace(FaceBox(top=0, right=200, bottom=200, left=0),
                                       encoding.astype(np.float32), sharpness=100.0)],
                    width=640, height=480)


def _second_replica(replica: Recognizer) -> Recognizer:
    """Another replica on the same database: its own index, its own engine."""
    engine = make_engine(str(replica.session_factory.kw["bind"].url.render_as_string(False)))
    other = Recognizer(settings=replica.settings, session_factory=make_session_factory(engine),
                       cipher=replica.cipher, encoder_name="test", index=FaceIndex(),
                       policy=POLICY)
    other.load()
    return other


def test_a_face_enrolled_through_one_replica_is_refused_for_someone_else_on_another(
        replica) -> None:
    other = _second_replica(replica)  # loaded before the enrolment: its index lags behind
    face = _vector(1)
    assert replica.enroll(person_id="alice", analysis=_one_face(face)).face_id
    taken = other.enroll(person_id="bob", analysis=_one_face(face + 0.001))
    assert taken.refusal is not None and taken.refusal.code == "matches_other_person"
    assert [c.person_id for c in taken.resembles] == ["alice"]


def test_one_face_enrolled_at_once_as_eight_people_on_two_replicas_is_stored_once(
        replica) -> None:
    replicas = [replica, _second_replica(replica)]
    face = _vector(2)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(
            lambda n: replicas[n % 2].enroll(person_id=f"p{n}", analysis=_one_face(face)),
            range(8)))
    assert sum(1 for r in results if r.face_id) == 1
    assert sorted(r.refusal.code for r in results if r.refusal) == ["matches_other_person"] * 7
    with session_scope(replica.session_factory) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Face)) == 1
