"""Issue 17 item 17: the local run keeps keys outside its data directory."""

from __future__ import annotations

import json
from pathlib import Path

from faceclock_dev.stack import Stack


def _env(stack: Stack, process: str) -> dict[str, str]:
    return next(spec.env for spec in stack.processes() if spec.name == process)


def test_keys_and_secrets_live_outside_the_data_directory(tmp_path: Path) -> None:
    var = tmp_path / "var"
    stack = Stack(var_dir=var)
    key = _env(stack, "recognition")["RECOGNITION_ENCRYPTION_KEY"]
    keys_dir = Path(_env(stack, "auth")["AUTH_KEYS_DIR"])
    assert var not in keys_dir.parents and keys_dir.parent == tmp_path / "var-secrets"
    assert not list(var.rglob("*secrets*"))
    stored = tmp_path / "var-secrets" / "secrets.json"
    assert json.loads(stored.read_text())["recognition_encryption_key"] == key
    assert stored.stat().st_mode & 0o077 == 0
    # Nothing under var/ holds the encryption key (databases and snapshots go there).
    assert not [p for p in var.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]
    assert _env(Stack(var_dir=var), "recognition")["RECOGNITION_ENCRYPTION_KEY"] == key


def test_a_working_copy_from_before_moves_its_keys_out_and_keeps_them(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "keys").mkdir(parents=True)
    (var / "keys" / "2026-signing.pem").write_text("old signing key")
    (var / "secrets.json").write_text(json.dumps({
        "recognition_encryption_key": "b2xkIGtleQ==", "gateway_client_secret": "g",
        "reporting_client_secret": "r"}))
    stack = Stack(var_dir=var)
    assert _env(stack, "recognition")["RECOGNITION_ENCRYPTION_KEY"] == "b2xkIGtleQ=="
    assert not (var / "secrets.json").exists() and not (var / "keys").exists()
    moved = Path(_env(stack, "auth")["AUTH_KEYS_DIR"]) / "2026-signing.pem"
    assert moved.read_text() == "old signing key"


def test_a_working_copy_from_before_the_attendance_client_gains_its_secret(
        tmp_path: Path) -> None:
    """Attendance tells auth of requests filed and decided with its own client secret; a
    working copy made before keeps its other secrets and gains that one."""
    keys = tmp_path / "var-secrets"
    keys.mkdir(mode=0o700)
    (keys / "secrets.json").write_text(json.dumps({
        "recognition_encryption_key": "b2xkIGtleQ==", "gateway_client_secret": "g",
        "reporting_client_secret": "r"}))
    stack = Stack(var_dir=tmp_path / "var")
    attendance = _env(stack, "attendance")
    clients = json.loads(_env(stack, "auth")["AUTH_SERVICE_CLIENTS"])
    assert clients["gateway"] == "g" and clients["reporting"] == "r"
    assert clients["attendance"] == attendance["ATTENDANCE_CLIENT_SECRET"]
    assert len(attendance["ATTENDANCE_CLIENT_SECRET"]) >= 32
    assert _env(stack, "recognition")["RECOGNITION_ENCRYPTION_KEY"] == "b2xkIGtleQ=="
