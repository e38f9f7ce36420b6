"""Static checks of the web UI files: both languages complete, nothing the CSP would refuse."""

from __future__ import annotations

import json
import re
from pathlib import Path

from faceclock_dev.testing import REPO_ROOT

WEB = REPO_ROOT / "services" / "gateway" / "src" / "gateway_svc" / "web"


def _scripts() -> list[Path]:
    return sorted((WEB / "js").rglob("*.js"))


def _catalogue(code: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((WEB / "i18n" / f"{code}.json").read_text(encoding="utf-8"))
    return data


def test_both_languages_have_every_key_the_code_uses() -> None:
    english, chinese = _catalogue("en"), _catalogue("zh-CN")
    assert set(english) == set(chinese)
    used = {key for path in _scripts()
            for key in re.findall(r"\bt\('([^']+)'", path.read_text(encoding="utf-8"))}
    assert used, "no t('...') call found: the pattern is out of date"
    assert sorted(used - set(english)) == []
    # Placeholders must match, or a Chinese sentence would lose its number or name.
    for key, text in english.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", chinese[key])), key
    assert all(chinese[key].strip() for key in chinese)


def test_nothing_inline_that_the_csp_refuses() -> None:
    index = (WEB / "index.html").read_text(encoding="utf-8")
    # Every script is an external module; no inline script, handler or style.
    assert re.findall(r"<script(?![^>]*\bsrc=)", index) == []
    assert not re.search(r"\son\w+=", index)
    assert "style=" not in index and "<style" not in index
    for path in _scripts():
        code = path.read_text(encoding="utf-8")
        assert "innerHTML" not in code, path
        assert "eval(" not in code and "new Function" not in code, path
        assert not re.search(r"setAttribute\('style'|\.style\s*=|cssText", code), path
        # No third-party origin: everything is fetched from this origin.
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", code), path


def test_no_third_party_code_is_vendored() -> None:
    files = [p for p in WEB.rglob("*") if p.is_file() and p != WEB / "README.md"]  # for developers
    assert {p.suffix for p in files} <= {".html", ".css", ".js", ".json", ".svg"}
    assert not any(p.name.endswith(".min.js") or "vendor" in p.parts for p in files)
