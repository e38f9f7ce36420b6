from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from auth_svc.accounts.schemas import USERNAME_PATTERN, Language
from faceclock_common.bounds import ROW_ID_MAX


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    employee_id: int = Field(ge=1, le=ROW_ID_MAX)
    email: EmailStr = Field(max_length=254)
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=200)] = Field(
        description="the employee's name, to greet them")
    language: Language = "en"


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    employee_id: int
    email: str
    expires_at: datetime


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=256)
    username: str = Field(pattern=USERNAME_PATTERN)
    password: str = Field(max_length=1024)


class AccountCreated(BaseModel):
    username: str
    employee_id: int
