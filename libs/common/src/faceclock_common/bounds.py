"""Bounds every service checks input against, framework-free (FastAPI, Flask and gRPC alike)."""

from __future__ import annotations

# Row ids: the smallest id column any service keeps or refers to (attendance's, a signed 32-bit
# INT on MariaDB), so an absurd number is a 422, never a driver overflow or an out-of-range
# error surfacing as a 500.
ROW_ID_MAX = 2**31 - 1
# Rows to skip in a list: no list is longer than the ids it can hold.
OFFSET_MAX = ROW_ID_MAX
