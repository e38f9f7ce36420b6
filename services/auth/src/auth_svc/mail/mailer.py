"""Outgoing e-mail over SMTP (plain, STARTTLS or implicit TLS, with optional login)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from auth_svc.config import Settings

logger = logging.getLogger(__name__)


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _tls_context(self) -> ssl.SSLContext:
        cafile = str(self.settings.smtp_ca_file) if self.settings.smtp_ca_file else None
        return ssl.create_default_context(cafile=cafile)

    def send(self, message: EmailMessage) -> None:
        settings = self.settings
        if not settings.smtp_host:
            # Only possible in development (production refuses to start without SMTP).
            logger.warning("no SMTP host configured: e-mail not sent",
                           extra={"subject": message["Subject"]})
            return
        if "Message-ID" not in message:
            message["Message-ID"] = make_msgid(domain="faceclock")
        smtp: smtplib.SMTP
        if settings.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                    timeout=settings.smtp_timeout_seconds,
                                    context=self._tls_context())
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port,
                                timeout=settings.smtp_timeout_seconds)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=self._tls_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
        logger.info("e-mail sent", extra={"subject": message["Subject"]})
