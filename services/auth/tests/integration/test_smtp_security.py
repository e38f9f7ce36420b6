"""SMTP with STARTTLS or implicit TLS and credentials from configuration, against aiosmtpd."""

from __future__ import annotations

import datetime
import ipaddress
import smtplib
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from auth_svc.config import Settings
from auth_svc.mail.mailer import Mailer
from faceclock_dev.testing import free_port

USER, SECRET = "mailer", "smtp-password-0123456789"


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.tls_seen: list[bool] = []

    async def handle_DATA(self, _server, session, envelope) -> str:
        self.tls_seen.append(session.ssl is not None)
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def authenticator(_server, _session, _envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == SECRET
    return AuthResult(success=ok)


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    cert_path, key_path = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return cert_path, context


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[int, Inbox]]:
    _, context = certificate
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=authenticator,
                            auth_require_tls=True)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def tls_server(certificate) -> Iterator[tuple[int, Inbox]]:
    _, context = certificate
    inbox = Inbox()
    port = free_port()
    # aiosmtpd's auth_require_tls only knows STARTTLS; this whole connection is TLS anyway.
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context,
                            authenticator=authenticator, auth_require_tls=False)
    controller.start()
    yield port, inbox
    controller.stop()


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "hello"
    msg["From"] = "FaceClock <no-reply@faceclock.test>"
    msg["To"] = "someone@example.com"
    msg.set_content("body")
    return msg


def mailer(port: int, security: str, ca_file: Path | None, password: str = SECRET,
           timeout: float = 5) -> Mailer:
    return Mailer(Settings(ENVIRONMENT="development", smtp_host="127.0.0.1", smtp_port=port,
                           smtp_security=security, smtp_username=USER, smtp_password=password,
                           smtp_ca_file=ca_file, smtp_timeout_seconds=timeout))


def test_starttls_with_login(starttls_server, certificate) -> None:
    port, inbox = starttls_server
    mailer(port, "starttls", certificate[0]).send(message())
    assert inbox.tls_seen == [True]
    assert inbox.received[0][0] == ["someone@example.com"]


def test_implicit_tls_with_login(tls_server, certificate) -> None:
    port, inbox = tls_server
    mailer(port, "tls", certificate[0]).send(message())
    assert inbox.received[0][0] == ["someone@example.com"]


def test_wrong_smtp_password_fails(starttls_server, certificate) -> None:
    port, inbox = starttls_server
    # aiosmtpd answers a failed AUTH by going quiet, so smtplib sees a dropped connection.
    with pytest.raises(smtplib.SMTPException):
        mailer(port, "starttls", certificate[0], password="wrong-password-xyz",
               timeout=1).send(message())
    assert inbox.received == []


def test_an_untrusted_certificate_is_refused(tls_server) -> None:
    port, inbox = tls_server
    with pytest.raises(ssl.SSLError):
        mailer(port, "tls", None).send(message())
    assert inbox.received == []


def test_plain_smtp_to_a_starttls_only_server_is_refused(starttls_server) -> None:
    port, inbox = starttls_server
    with pytest.raises(smtplib.SMTPException):
        mailer(port, "none", None).send(message())
    assert inbox.received == []
