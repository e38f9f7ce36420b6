from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from auth_svc.accounts.schemas import USERNAME_PATTERN, Language, UserRead
from faceclock_common.bounds import ROW_ID_MAX

Role = Literal["admin", "hr", "manager", "employee", "kiosk"]


def _default_roles() -> list[Role]:
    return ["employee"]


class UserCreate(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr = Field(max_length=254)
    password: str = Field(max_length=1024)
    roles: list[Role] = Field(default_factory=_default_roles)
    employee_id: int | None = Field(None, ge=1, le=ROW_ID_MAX)
    department_id: int | None = Field(None, ge=1, le=ROW_ID_MAX)
    language: Language = "en"


class UserUpdate(BaseModel):
    """Absent fields stay as they are; `employee_id: null` unlinks the employee record."""

    model_config = ConfigDict(extra="forbid")

    roles: list[Role] | None = None
    active: bool | None = None
    employee_id: int | None = Field(None, ge=1, le=ROW_ID_MAX)
    department_id: int | None = Field(None, ge=1, le=ROW_ID_MAX)
    email: EmailStr | None = Field(None, max_length=254)
    language: Language | None = None


class UserPage(BaseModel):
    items: list[UserRead]
    total: int
