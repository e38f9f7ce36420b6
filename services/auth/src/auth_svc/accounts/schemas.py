"""Request and answer bodies of /api/v1/auth."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Language = Literal["en", "zh-CN"]
# Letters, digits and . _ - @ : no spaces or look-alikes that would make two names read the same.
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$"


class RegisterCreate(BaseModel):
    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr = Field(max_length=254)
    # Length and list checks happen in the policy so the answer says why; the cap stops abuse.
    password: str = Field(max_length=1024)
    language: Language = "en"


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    roles: list[str]
    active: bool
    employee_id: int | None
    department_id: int | None
    language: str
    created_at: datetime


class LoginRequest(BaseModel):
    username: str = Field(max_length=256)
    password: str = Field(max_length=1024)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int


class AccessToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int


class RefreshRequest(BaseModel):
    refresh_token: str = Field(max_length=256)


class LogoutRequest(BaseModel):
    refresh_token: str | None = Field(None, max_length=256)


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language | None = None


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class ForgotRequest(BaseModel):
    email: EmailStr = Field(max_length=254)


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str


class ResetRequest(BaseModel):
    token: str = Field(max_length=256)
    new_password: str = Field(max_length=1024)


class ServiceTokenRequest(BaseModel):
    client_id: str = Field(max_length=100)
    client_secret: str = Field(max_length=512)


class DeviceLoginRequest(BaseModel):
    device_secret: str = Field(max_length=256)


class KeyRotation(BaseModel):
    kid: str
    published: list[str]
