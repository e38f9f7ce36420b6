"""Expired credentials are deleted; live ones and recent evidence of reuse are kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from auth_svc.accounts.models import PasswordResetToken, RefreshToken, User
from auth_svc.db import utcnow
from auth_svc.housekeeping import purge_expired
from auth_svc.throttle.models import ThrottleCounter


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_purge_expired(api) -> None:
    factory = api.runtime.session_factory
    now = utcnow()
    with factory() as session:
        user = User(username="keeper", email="k@example.com", password_hash="x", roles=[],
                    active=True)
        session.add(user)
        session.flush()
        def token(name: str, **fields) -> RefreshToken:
            return RefreshToken(user_id=user.id, family_id="f", token_hash=name.ljust(64, "0"),
                                expires_at=fields.pop("expires_at", now + timedelta(days=1)),
                                **fields)
        session.add_all([
            token("live"),
            token("expired", expires_at=now - timedelta(seconds=1)),
            token("rotated_recently", used_at=now - timedelta(days=1)),
            token("rotated_long_ago", used_at=now - timedelta(days=8)),
            PasswordResetToken(user_id=user.id, token_hash="a" * 64,
                               expires_at=now + timedelta(minutes=10)),
            PasswordResetToken(user_id=user.id, token_hash="b" * 64,
                               expires_at=now - timedelta(minutes=1)),
            ThrottleCounter(key="fresh", failures=1, last_failure_at=now),
            ThrottleCounter(key="stale", failures=9, last_failure_at=now - timedelta(hours=2)),
            # Its last failure is old, but the lock it earned still runs: kept until it ends.
            ThrottleCounter(key="locked", failures=30, last_failure_at=now - timedelta(hours=2),
                            locked_until=now + timedelta(minutes=5)),
            ThrottleCounter(key="lock_over", failures=30, last_failure_at=now - timedelta(hours=2),
                            locked_until=now - timedelta(minutes=5)),
        ])
        session.commit()
    counts = purge_expired(factory, throttle_window_seconds=3600)
    assert counts == {"refresh_tokens": 2, "reset_tokens": 1, "throttle_counters": 2}
    with factory() as session:
        hashes = {h.rstrip("0") for h in session.scalars(select(RefreshToken.token_hash))}
        assert hashes == {"live", "rotated_recently"}
        assert count(session, PasswordResetToken) == 1
        assert sorted(session.scalars(select(ThrottleCounter.key))) == ["fresh", "locked"]


def test_housekeeping_runs_in_the_app(open_api) -> None:
    import time

    with open_api(housekeeping_interval_seconds=0.05) as api:
        factory = api.runtime.session_factory
        with factory() as session:
            session.add(ThrottleCounter(key="stale", failures=9,
                                        last_failure_at=utcnow() - timedelta(days=1)))
            session.commit()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with factory() as session:
                if count(session, ThrottleCounter) == 0:
                    break
            time.sleep(0.05)
        with factory() as session:
            assert count(session, ThrottleCounter) == 0
