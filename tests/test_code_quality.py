"""ruff and mypy stay clean across the repository (ARCHITECTURE.md convention 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    sources = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/*/src/*") if p.is_dir()
                     and (p / "__init__.py").exists())
    assert len(sources) >= 7, sources
    result = _run("mypy", *sources)
    assert result.returncode == 0, result.stdout + result.stderr
