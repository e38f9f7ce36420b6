#!/usr/bin/python3
"""A mail catcher with the subset of Mailpit's HTTP API the deployment test uses.

  /mailpit             serve: SMTP on :1025, HTTP on :8025 (messages kept in memory)
  /mailpit readyz      exit 0 when the HTTP side answers /readyz (Mailpit's health command)

HTTP: GET /readyz, /livez; GET /api/v1/messages (newest first); GET /api/v1/search?query=;
GET /api/v1/message/<ID>; GET /api/v1/message/<ID>/raw; DELETE /api/v1/messages.
"""

from __future__ import annotations

import email
import email.policy
import json
import sys
import threading
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SMTP_PORT = 1025
HTTP_PORT = 8025


class Store:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []

    def add(self, raw: bytes) -> None:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        text = html = ""
        for part in parsed.walk():
            if part.get_content_maintype() == "multipart" or part.is_attachment():
                continue
            if part.get_content_type() == "text/plain" and not text:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and not html:
                html = part.get_content()

        def address(pair: tuple[str, str]) -> dict[str, str]:
            return {"Name": pair[0], "Address": pair[1]}

        message = {
            "ID": uuid.uuid4().hex,
            "MessageID": str(parsed.get("Message-ID", "")).strip("<>"),
            "From": address(parseaddr(str(parsed.get("From", "")))),
            "To": [address(pair) for pair in getaddresses([str(v) for v in parsed.get_all("To", [])])],
            "Subject": str(parsed.get("Subject", "")),
            "Created": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "Size": len(raw),
            "Text": text,
            "HTML": html,
            "raw": raw,
        }
        message["Snippet"] = " ".join(text.split())[:250]
        with self._lock:
            self._messages.insert(0, message)

    def summaries(self, query: str = "") -> list[dict[str, Any]]:
        keys = ("ID", "MessageID", "From", "To", "Subject", "Created", "Size", "Snippet")
        with self._lock:
            found = [m for m in self._messages if _matches(m, query)]
        return [{key: m[key] for key in keys} for m in found]

    def get(self, message_id: str) -> dict[str, Any] | None:
        with self._lock:
            return next((m for m in self._messages if m["ID"] == message_id), None)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def _matches(message: dict[str, Any], query: str) -> bool:
    """Mailpit's `to:`, `from:`, `subject:` filters and plain words, all of which must match."""
    for term in query.split():
        field, _, value = term.partition(":")
        value = value.lower() if value else field.lower()
        if field == "to" and value:
            haystack = " ".join(a["Address"] for a in message["To"])
        elif field == "from" and value:
            haystack = message["From"]["Address"]
        elif field == "subject" and value:
            haystack = message["Subject"]
        else:
            haystack = f"{message['Subject']} {message['Text']}"
        if value not in haystack.lower():
            return False
    return True


def http_handler(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, value: Any, status: int = 200) -> None:
            self._send(status, json.dumps(value).encode())

        def do_GET(self) -> None:
            path, _, query_string = self.path.partition("?")
            params = dict(urllib.parse.parse_qsl(query_string))
            if path in ("/readyz", "/livez"):
                self._send(200, b"ok", "text/plain")
            elif path in ("/api/v1/messages", "/api/v1/search"):
                found = store.summaries(params.get("query", "") if path.endswith("search") else "")
                self._json({"total": len(found), "messages_count": len(found), "count": len(found),
                            "start": 0, "messages": found})
            elif path.startswith("/api/v1/message/"):
                message_id, _, rest = path.removeprefix("/api/v1/message/").partition("/")
                message = store.get(message_id)
                if message is None:
                    self._send(404, b"message not found", "text/plain")
                elif rest == "raw":
                    self._send(200, message["raw"], "text/plain")
                else:
                    self._json({key: value for key, value in message.items() if key != "raw"})
            else:
                self._send(404, b"not found", "text/plain")

        def do_DELETE(self) -> None:
            if self.path == "/api/v1/messages":
                store.clear()
                self._send(200, b"ok", "text/plain")
            else:
                self._send(404, b"not found", "text/plain")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class SmtpHandler:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.store.add(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def serve() -> None:
    from aiosmtpd.controller import Controller

    store = Store()
    smtp = Controller(SmtpHandler(store), hostname="0.0.0.0", port=SMTP_PORT)  # noqa: S104
    smtp.start()
    http = ThreadingHTTPServer(("0.0.0.0", HTTP_PORT), http_handler(store))  # noqa: S104
    sys.stderr.write(f"mail catcher: SMTP :{SMTP_PORT}, HTTP :{HTTP_PORT}\n")
    try:
        http.serve_forever()
    finally:
        smtp.stop()


def readyz() -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/readyz", timeout=3) as reply:
            return 0 if reply.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["readyz"]:
        sys.exit(readyz())
    serve()
