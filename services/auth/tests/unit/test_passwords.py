"""SECURITY.md, accounts: argon2id with m >= 19 MiB and t >= 2; the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.low_level import Type

from auth_svc.config import Settings
from auth_svc.passwords import Passwords, common_passwords, policy_problem


def settings(**overrides: object) -> Settings:
    return Settings(**{"ENVIRONMENT": "development", **overrides})


def test_hash_is_argon2id_with_at_least_owasp_minimum_cost() -> None:
    stored = Passwords(settings()).hash("a long enough password")
    assert stored.startswith("$argon2id$v=19$")
    params = dict(part.split("=") for part in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024
    assert int(params["t"]) >= 2


def test_settings_refuse_weaker_argon2_than_the_minimum() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        settings(argon2_memory_kib=8192)
    with pytest.raises(ValidationError):
        settings(argon2_time_cost=1)


def test_verify_and_needs_rehash_when_parameters_rise() -> None:
    old = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1, type=Type.ID)
    stored = old.hash("s3cret passphrase")
    stronger = Passwords(settings(argon2_time_cost=3))
    assert stronger.verify(stored, "s3cret passphrase")
    assert not stronger.verify(stored, "S3cret passphrase")
    assert stronger.needs_rehash(stored)
    assert not stronger.needs_rehash(stronger.hash("s3cret passphrase"))


def test_verify_of_a_garbage_hash_is_false_not_an_error() -> None:
    assert not Passwords(settings()).verify("not-a-hash", "whatever123")


def check(password: str, username: str = "") -> str | None:
    return policy_problem(password, min_length=8, max_length=128, username=username)


def test_length_rules_without_composition_rules() -> None:
    assert check("seven77") is not None
    assert check("eightchr") is None  # lower-case letters only: no composition rules
    assert check("x" * 64) is None
    assert check("y" * 128) is None
    assert check("z" * 129) is not None


def test_common_passwords_are_refused_case_insensitively() -> None:
    assert len(common_passwords()) > 5000
    assert "password1" in common_passwords()
    assert check("password1") is not None
    assert check("PassWord1") is not None
    assert check("iloveyou") is not None
    assert check("admin12345") is not None


def test_password_equal_to_user_name_is_refused() -> None:
    assert check("longusername", username="LongUserName") is not None


def test_passwords_are_verified_exactly_as_typed() -> None:
    passwords = Passwords(settings())
    stored = passwords.hash("  Spaces Around  ")
    assert passwords.verify(stored, "  Spaces Around  ")
    assert not passwords.verify(stored, "Spaces Around")
    assert not passwords.verify(stored, "  spaces around  ")
    unicode = passwords.hash("пароль-密码-ﬁ")
    assert passwords.verify(unicode, "пароль-密码-ﬁ")
    assert not passwords.verify(unicode, "пароль-密码-fi")  # no NFKC folding either
