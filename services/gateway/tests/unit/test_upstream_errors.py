from __future__ import annotations

import httpx
import pytest

from faceclock_common.errors import ApiError
from gateway_svc.upstream import raise_for_upstream


def test_success_passes() -> None:
    raise_for_upstream(httpx.Response(201, json={"id": 1}))


def test_upstream_error_is_passed_on_with_the_headers_clients_act_on() -> None:
    upstream = httpx.Response(
        429, json={"error": {"code": "too_many_attempts", "message": "Wait."}},
        headers={"Retry-After": "900", "Set-Cookie": "x=y"})
    with pytest.raises(ApiError) as caught:
        raise_for_upstream(upstream)
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        429, "too_many_attempts", "Wait.")
    assert caught.value.headers == {"retry-after": "900"}


def test_an_answer_outside_the_error_format_becomes_a_502() -> None:
    with pytest.raises(ApiError) as caught:
        raise_for_upstream(httpx.Response(500, text="Traceback ..."))
    assert (caught.value.status, caught.value.code) == (502, "upstream_error")
    assert "Traceback" not in caught.value.message
