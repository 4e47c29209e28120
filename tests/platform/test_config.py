"""Settings from the environment."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from esgx_platform.config import Settings
from esgx_platform.errors import ConfigurationError
from esgx_platform.i18n import Text


def test_development_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    env = {"ESGX_INSTANCE_DIR": str(tmp_path)}
    first = Settings.from_env(env)
    second = Settings.from_env(env)
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_default_database_is_sqlite_under_instance(tmp_path: Path) -> None:
    settings = Settings.from_env({"ESGX_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'esgx.sqlite3'}"


def test_production_refuses_to_start_without_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ESGX_SECRET_KEY must be set"):
        Settings.from_env({"ESGX_ENV": "production", "ESGX_INSTANCE_DIR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


FERNET_KEY = "A" * 43 + "="


def test_production_refuses_to_start_without_encryption_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ESGX_ENCRYPTION_KEYS must be set"):
        Settings.from_env(
            {
                "ESGX_ENV": "production",
                "ESGX_SECRET_KEY": "k" * 40,
                "ESGX_INSTANCE_DIR": str(tmp_path),
            }
        )


def test_development_encryption_key_is_generated_once(tmp_path: Path) -> None:
    env = {"ESGX_INSTANCE_DIR": str(tmp_path)}
    keys = Settings.from_env(env).encryption_keys
    assert keys == Settings.from_env(env).encryption_keys
    assert len(keys) == 1
    assert stat.S_IMODE((tmp_path / "encryption_key").stat().st_mode) == 0o600


def test_production_defaults_to_secure_cookies(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "ESGX_ENV": "production",
            "ESGX_SECRET_KEY": "k" * 40,
            "ESGX_ENCRYPTION_KEYS": FERNET_KEY,
            "ESGX_INSTANCE_DIR": str(tmp_path),
        }
    )
    assert settings.session_cookie_secure
    assert settings.is_production


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("ESGX_ENV", "staging", "ESGX_ENV"),
        ("ESGX_LOG_LEVEL", "LOUD", "ESGX_LOG_LEVEL"),
        ("ESGX_MAIL_PORT", "twenty-five", "whole number"),
        ("ESGX_MAX_BODY_BYTES", "-1", "positive"),
        ("ESGX_SECRET_KEY", "short", "32 characters"),
        ("ESGX_SECURE_COOKIES", "maybe", "true or false"),
        ("ESGX_ENCRYPTION_KEYS", "not-a-fernet-key", "Fernet keys"),
    ],
)
def test_bad_values_are_named(tmp_path: Path, name: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings.from_env({name: value, "ESGX_INSTANCE_DIR": str(tmp_path)})
    assert fragment in info.value.detail.en


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Missing data for required field.", "缺少必填字段。"),
        ("Must be one of: AR5, AR6.", "必须是以下之一：AR5, AR6。"),
        (
            "Must be greater than or equal to 1 and less than or equal to 15.",
            "必须大于或等于 1 且小于或等于 15。",
        ),
        ("Longer than maximum length 200.", "长度超过最大值 200。"),
    ],
)
def test_marshmallow_messages_have_chinese(english: str, chinese: str) -> None:
    from esgx_platform.schemas import as_text

    assert as_text(english) == Text(english, chinese)
