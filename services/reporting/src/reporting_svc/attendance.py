"""Reads from the attendance service with a service token, one page at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from faceclock_common.logging import outgoing_headers
from faceclock_common.service_auth import ServiceTokenClient


class PeerError(Exception):
    """The attendance service failed in a way that may pass (down, 5xx, timeout): retry."""


class PeerRefused(Exception):
    """The attendance service answered a definite no (404, 4xx): the report fails with this."""


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int | None


class AttendanceClient:
    def __init__(self, base_url: str, tokens: ServiceTokenClient, *, timeout: float = 30.0,
                 page_size: int = 500) -> None:
        self.page_size = page_size
        # What attendance writes in its answers (explanations) is in this language.
        self.language = "en"
        self._tokens = tokens
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AttendanceClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            headers = {**self._tokens.headers(), **outgoing_headers(),
                       "Accept-Language": self.language}
            response = self._http.get(path, params=_clean(params), headers=headers)
        except httpx.HTTPError as exc:
            raise PeerError(f"attendance service unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code in (401, 429):
            raise PeerError(f"attendance service answered {response.status_code} on {path}")
        if response.status_code >= 400:
            raise PeerRefused(_error_message(response, path))
        return response.json()

    def page(self, path: str, params: dict[str, Any], offset: int) -> Page:
        body = self.get_json(path, {**params, "limit": self.page_size, "offset": offset})
        if isinstance(body, list):  # an unpaginated answer is a single page
            return Page(items=body, total=len(body))
        items = body.get("items", [])
        total = body.get("total")
        return Page(items=items, total=int(total) if isinstance(total, int) else None)

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[Page]:
        """Every page of a `{items, total}` list, fetched only when the previous one is written."""
        offset = 0
        while True:
            page = self.page(path, params, offset)
            yield page
            offset += len(page.items)
            if len(page.items) < self.page_size or (page.total is not None and offset >= page.total):
                return


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}


def _error_message(response: httpx.Response, path: str) -> str:
    try:
        error = response.json().get("error", {})
        message = str(error.get("message") or error.get("code") or "")
    except (ValueError, AttributeError):
        message = ""
    return f"attendance service answered {response.status_code} on {path}: {message}".rstrip(": ")
