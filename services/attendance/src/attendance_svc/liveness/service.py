"""Who must pass a liveness check, and the challenges: drawn at random, used once, short-lived."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from attendance_svc.config import Settings
from attendance_svc.liveness.models import LivenessChallenge
from attendance_svc.organisation.models import Employee
from attendance_svc.sites.models import Site, SiteKiosk
from faceclock_common.contracts import ChallengeIssued, ChallengeRequest, LivenessScope
from faceclock_common.db import session_scope
from faceclock_common.errors import Conflict, Expired, NotFound

TURNS = ("turn_left", "turn_right")
# Used or expired challenges are kept this long (the audit of a refused replay), then pruned.
KEEP_FOR = timedelta(hours=1)


def mode_for(*, session: Session, settings: Settings, scope: LivenessScope) -> str:
    """The liveness setting of the site the clock-in happens at; the organisation's default
    where there is no site (a kiosk bound to none, an employee of none)."""
    site_id = None
    if scope.channel == "kiosk" and scope.kiosk_id is not None:
        binding = session.get(SiteKiosk, scope.kiosk_id)
        site_id = binding.site_id if binding is not None else None
    elif scope.channel == "phone" and scope.employee_id is not None:
        employee = session.get(Employee, scope.employee_id)
        site_id = employee.site_id if employee is not None else None
    site = session.get(Site, site_id) if site_id is not None else None
    return site.liveness if site is not None else settings.liveness_default


def required(mode: str, channel: str) -> bool:
    return mode == "everywhere" or (mode == "kiosks" and channel == "kiosk")


def draw_steps() -> list[str]:
    """A head turn to a random side and a blink, in a random order (a blink in every challenge:
    it is what no photo can do)."""
    steps = [secrets.choice(TURNS), "blink"]
    if secrets.randbelow(2):
        steps.reverse()
    return steps


def issue(*, session: Session, settings: Settings, request: ChallengeRequest) -> ChallengeIssued:
    mode = mode_for(session=session, settings=settings, scope=request)
    if not required(mode, request.channel):
        return ChallengeIssued(required=False, mode=mode)
    now = datetime.now(UTC)
    session.execute(delete(LivenessChallenge).where(LivenessChallenge.expires_at < now - KEEP_FOR))
    challenge = LivenessChallenge(
        id=secrets.token_urlsafe(32), actor=request.actor, steps=",".join(draw_steps()),
        created_at=now, expires_at=now + timedelta(seconds=settings.liveness_challenge_seconds))
    session.add(challenge)
    return ChallengeIssued(required=True, mode=mode, challenge_id=challenge.id,
                           steps=challenge.steps.split(","), expires_at=challenge.expires_at)


def use(*, factory: sessionmaker[Session], challenge_id: str, actor: str) -> list[str]:
    """Marks the challenge used (whatever comes of the check) and answers its steps; a second
    use, another caller's challenge or an expired one is refused. The mark is committed on its
    own, before any refusal: a try that is refused (expired) uses the challenge up too."""
    now = datetime.now(UTC)
    with session_scope(factory) as session:
        taken = session.execute(
            update(LivenessChallenge)
            .where(LivenessChallenge.id == challenge_id, LivenessChallenge.actor == actor,
                   LivenessChallenge.used_at.is_(None))
            .values(used_at=now))
        challenge = session.get(LivenessChallenge, challenge_id)
    if challenge is None or challenge.actor != actor:
        raise NotFound("challenge_not_found", "No such liveness challenge for this caller.")
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("challenge_used",
                       "This liveness challenge was already used; ask for a new one.")
    if challenge.expires_at <= now:
        raise Expired("challenge_expired",
                      "This liveness challenge has expired; ask for a new one.")
    return challenge.steps.split(",")
