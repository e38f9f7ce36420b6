"""Issue 16: a concern the codebase already handles once is not handled a second way.

Each check reads the service sources: a new module that writes its own id bound, its own
"come back later" error or its own name for the production check fails here, naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from faceclock_common import bounds, settings

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> list[Path]:
    return [path for path in ROOT.glob("*/*/src/**/*.py")
            if "migrations" not in path.parts and ".venv" not in path.parts]


def test_sources_are_found() -> None:
    assert len(_sources()) > 100


def test_row_ids_and_offsets_are_bounded_in_one_place() -> None:
    power_of_two_bound = re.compile(r"2\s*\*\*\s*(31|53|63)\b|9007199254740991|2147483647")
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "bounds.py" and power_of_two_bound.search(path.read_text())]
    assert own == [], f"use faceclock_common.bounds instead: {own}"
    assert bounds.ROW_ID_MAX == 2**31 - 1  # fits attendance's INT ids on MariaDB


def test_retry_after_is_set_by_one_constructor() -> None:
    own = [str(path.relative_to(ROOT)) for path in _sources()
           if path.name != "errors.py" and '"Retry-After"' in path.read_text()]
    assert own == [], f"use faceclock_common.errors.try_later instead: {own}"


def test_every_service_names_its_production_check_the_same() -> None:
    other_names = re.compile(r"def (check_safe|check_secrets|check_production)\(")
    own = [str(path.relative_to(ROOT)) for path in _sources() if other_names.search(path.read_text())]
    assert own == [], own
    assert hasattr(settings.ServiceSettings, "check_production_safety")
