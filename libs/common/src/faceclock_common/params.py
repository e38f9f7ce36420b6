"""Request parameters every HTTP service validates the same way.

Integers that reach the database must fit a signed 64-bit column: larger ones are a 422
here instead of an OverflowError (a 500) in the driver.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

DB_INT_MAX = 2**63 - 1

RowId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="A row id")]
PageLimit = Annotated[int, Query(ge=1, le=500, description="Page size")]
PageOffset = Annotated[int, Query(ge=0, le=DB_INT_MAX, description="Rows to skip")]
