"""`?limit=&offset=` for every list, bounded by the configured maximum page size."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from attendance_svc.deps import SettingsDep
from faceclock_common.bounds import OFFSET_MAX
from faceclock_common.errors import ApiError


class Page:
    def __init__(self, limit: int, offset: int) -> None:
        self.limit = limit
        self.offset = offset


def get_page(settings: SettingsDep, limit: Annotated[int, Query(ge=1)] = 50,
             offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0) -> Page:
    if limit > settings.max_page_size:
        raise ApiError(422, "validation_error", f"limit: at most {settings.max_page_size}")
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(get_page)]
