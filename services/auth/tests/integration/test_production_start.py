"""Production refuses to build the app: no self-made key, no development admin password."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth_svc.config import Settings
from auth_svc.main import build_runtime
from faceclock_common.settings import UnsafeConfiguration

SAFE = {
    "ENVIRONMENT": "production",
    "smtp_host": "smtp.example.com",
    "bootstrap_admin_username": "admin",
    "bootstrap_admin_password": "a-real-long-admin-password",
    "service_clients": {"gateway": "0123456789abcdef0123456789abcdef"},
}


def test_production_will_not_generate_its_own_signing_key(tmp_path: Path) -> None:
    from auth_svc.keys.keyring import NoSigningKey

    settings = Settings(**SAFE, keys_dir=tmp_path / "empty",
                        database_url=f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(NoSigningKey):
        build_runtime(settings)
    assert not (tmp_path / "empty").exists()


def test_app_refuses_to_build_with_the_dev_admin_password(tmp_path: Path) -> None:
    settings = Settings(**{**SAFE, "bootstrap_admin_password": "admin12345"},
                        keys_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'a.db'}")
    with pytest.raises(UnsafeConfiguration):
        build_runtime(settings)
