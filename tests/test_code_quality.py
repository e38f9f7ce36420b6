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


def test_mypy_checks_names_across_the_workspace_packages(tmp_path: Path) -> None:
    """mypy finds the workspace packages from their source roots (pyproject's mypy_path): a
    wrong name or module imported from another package is an error, not an Any that hides it."""
    probe = tmp_path / "probe.py"
    probe.write_text("from faceclock_common.contracts import ClockInAnswer, NoSuchMessage\n"
                     "from attendance_svc.liveness import no_such_module\n\n"
                     "ClockInAnswer(punch_id='one')\n")
    result = _run("mypy", str(probe))
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Module "faceclock_common.contracts" has no attribute "NoSuchMessage"' in result.stdout
    # A module of ours that is gone is an error too (only untyped third parties are ignored).
    assert 'Module "attendance_svc.liveness" has no attribute "no_such_module"' in result.stdout
    assert "ClockInAnswer" in result.stdout  # the pydantic plugin checks the fields too
