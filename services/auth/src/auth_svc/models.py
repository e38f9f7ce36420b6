"""Every ORM model, imported once so Alembic and create_all see the whole schema."""

from auth_svc.accounts.models import PasswordResetToken, RefreshToken, User
from auth_svc.db import Base
from auth_svc.invitations.models import Invitation
from auth_svc.kiosks.models import Kiosk
from auth_svc.notifications.models import DigestSent, Notification
from auth_svc.throttle.models import ThrottleCounter

__all__ = ["Base", "DigestSent", "Invitation", "Kiosk", "Notification", "PasswordResetToken",
           "RefreshToken", "ThrottleCounter", "User"]
