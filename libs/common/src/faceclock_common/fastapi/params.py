"""Request parameters every HTTP service validates the same way.

Ids and offsets are bounded by faceclock_common.bounds: larger ones are a 422 here instead
of an overflow (a 500) in the driver.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from faceclock_common.bounds import OFFSET_MAX, ROW_ID_MAX

RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="A row id")]
PageLimit = Annotated[int, Query(ge=1, le=500, description="Page size")]
PageOffset = Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Rows to skip")]
