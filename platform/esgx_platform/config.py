"""Settings read once from `ESGX_*` environment variables into a frozen object."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from esgx_platform.errors import ConfigurationError
from esgx_platform.i18n import Text

# The repository root when running from a checkout (editable install): instance/ and migrations/
# live there. A deployment can point elsewhere with ESGX_INSTANCE_DIR.
REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class Settings:
    """Everything the platform reads from its environment; see the README's configuration table."""

    environment: str
    database_url: str
    secret_key: str
    instance_dir: Path
    server_name: str | None
    log_level: str
    mail_host: str | None
    mail_port: int
    mail_sender: str
    max_body_bytes: int
    session_cookie_secure: bool
    encryption_keys: tuple[str, ...]
    log_origin: str
    token_lifetime_seconds: int
    # Mail and the scheduler (docs/scheduler.md).
    mail_backend: str
    mail_security: str
    mail_user: str | None
    mail_password: str | None = field(repr=False)  # kept out of logs and tracebacks
    mail_dir: Path
    base_url: str
    checkpoint_minutes: int
    scheduler_retry_seconds: int
    job_run_retention_days: int
    job_intervals: tuple[tuple[str, int], ...]
    # Calls the platform makes: webhooks and PACT callbacks (docs/pact.md).
    outbound_ca_file: Path | None = None
    pact_https_only: bool = True
    # The refresh job (docs/scheduler.md): snapshots once new data has settled.
    refresh_quiet_minutes: int = 10
    refresh_max_wait_minutes: int = 60

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: os.environ); raises ConfigurationError."""
        env = os.environ if env is None else env
        environment = env.get("ESGX_ENV", "development")
        if environment not in ("development", "production", "test"):
            raise _config_error("ESGX_ENV", "development, production or test")
        instance_dir = Path(env.get("ESGX_INSTANCE_DIR", str(REPO_ROOT / "instance")))
        database_url = env.get("ESGX_DATABASE_URL") or _default_sqlite_url(instance_dir)
        log_level = env.get("ESGX_LOG_LEVEL", "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise _config_error("ESGX_LOG_LEVEL", ", ".join(LOG_LEVELS))
        return cls(
            environment=environment,
            database_url=database_url,
            secret_key=_secret_key(env, environment, instance_dir),
            instance_dir=instance_dir,
            server_name=env.get("ESGX_SERVER_NAME") or None,
            log_level=log_level,
            mail_host=env.get("ESGX_MAIL_HOST") or None,
            mail_port=_int(env, "ESGX_MAIL_PORT", 25),
            mail_sender=env.get("ESGX_MAIL_SENDER", "esgx@localhost"),
            max_body_bytes=_int(env, "ESGX_MAX_BODY_BYTES", 1024 * 1024),
            session_cookie_secure=_bool(env, "ESGX_SECURE_COOKIES", environment == "production"),
            encryption_keys=_encryption_keys(env, environment, instance_dir),
            log_origin=env.get("ESGX_LOG_ORIGIN", "esgx.localhost/log"),
            token_lifetime_seconds=_token_lifetime(env),
            **_mail_and_jobs(env, environment, instance_dir),
            **_outbound(env),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (tests, CLI flags)."""
        return replace(self, **changes)


def _token_lifetime(env: Mapping[str, str]) -> int:
    seconds = _int(env, "ESGX_TOKEN_LIFETIME", 3600)
    if not 60 <= seconds <= 86400:
        raise _config_error("ESGX_TOKEN_LIFETIME", "seconds from 60 to 86400")
    return seconds


MAIL_BACKENDS = ("console", "file", "smtp")
MAIL_SECURITY = ("none", "starttls", "ssl")


def _mail_and_jobs(env: Mapping[str, str], environment: str, instance_dir: Path) -> dict[str, Any]:
    """The mail and scheduler settings (their own function: they grow with the scheduler)."""
    host = env.get("ESGX_MAIL_HOST") or None
    # Without a host, development prints mail; production insists on SMTP, so a missing host
    # stops the scheduler with a clear message instead of losing reminders to a console.
    default_backend = "smtp" if host or environment == "production" else "console"
    backend = env.get("ESGX_MAIL_BACKEND") or default_backend
    if backend not in MAIL_BACKENDS:
        raise _config_error("ESGX_MAIL_BACKEND", ", ".join(MAIL_BACKENDS))
    security = env.get("ESGX_MAIL_SECURITY") or "none"
    if security not in MAIL_SECURITY:
        raise _config_error("ESGX_MAIL_SECURITY", ", ".join(MAIL_SECURITY))
    return {
        "mail_backend": backend,
        "mail_security": security,
        "mail_user": env.get("ESGX_MAIL_USER") or None,
        "mail_password": env.get("ESGX_MAIL_PASSWORD") or None,
        "mail_dir": Path(env.get("ESGX_MAIL_DIR") or instance_dir / "mail"),
        "base_url": _base_url(env, environment),
        "checkpoint_minutes": _int(env, "ESGX_CHECKPOINT_MINUTES", 10),
        "scheduler_retry_seconds": _int(env, "ESGX_SCHEDULER_RETRY_SECONDS", 5),
        "job_run_retention_days": _int(env, "ESGX_JOB_RUN_RETENTION_DAYS", 90),
        "job_intervals": _job_intervals(env),
        "refresh_quiet_minutes": _int(env, "ESGX_REFRESH_QUIET_MINUTES", 10),
        "refresh_max_wait_minutes": _int(env, "ESGX_REFRESH_MAX_WAIT_MINUTES", 60),
    }


def _outbound(env: Mapping[str, str]) -> dict[str, Any]:
    ca_file = env.get("ESGX_OUTBOUND_CA_FILE") or None
    if ca_file is not None and not Path(ca_file).is_file():
        raise _config_error("ESGX_OUTBOUND_CA_FILE", "the path of a PEM file of trusted CAs")
    return {
        "outbound_ca_file": Path(ca_file) if ca_file else None,
        "pact_https_only": _bool(env, "ESGX_PACT_HTTPS_ONLY", True),
    }


def _base_url(env: Mapping[str, str], environment: str) -> str:
    """Where people reach the platform, for links in mail: ESGX_BASE_URL, else the server name."""
    explicit = env.get("ESGX_BASE_URL")
    if explicit:
        if not explicit.startswith(("http://", "https://")):
            raise _config_error("ESGX_BASE_URL", "an http:// or https:// URL")
        return explicit.rstrip("/")
    server_name = env.get("ESGX_SERVER_NAME")
    if server_name:
        return f"{'https' if environment == 'production' else 'http'}://{server_name}"
    return "http://127.0.0.1:8000"


def _job_intervals(env: Mapping[str, str]) -> tuple[tuple[str, int], ...]:
    """`ESGX_JOB_INTERVALS=checkpoint=60,mail-outbox=30`: run those jobs every so many seconds
    instead of on their declared trigger (tuning, and tests that cannot wait an hour)."""
    pairs: list[tuple[str, int]] = []
    for item in filter(None, (i.strip() for i in env.get("ESGX_JOB_INTERVALS", "").split(","))):
        job_id, _, seconds = item.partition("=")
        if not job_id.strip() or not seconds.strip().isdigit() or int(seconds) <= 0:
            raise _config_error("ESGX_JOB_INTERVALS", "job=seconds pairs separated by commas")
        pairs.append((job_id.strip(), int(seconds)))
    return tuple(pairs)


def _default_sqlite_url(instance_dir: Path) -> str:
    return f"sqlite:///{instance_dir / 'esgx.sqlite3'}"


def _secret_key(env: Mapping[str, str], environment: str, instance_dir: Path) -> str:
    key = env.get("ESGX_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise _config_error("ESGX_SECRET_KEY", "at least 32 characters")
        return key
    if environment == "production":
        raise ConfigurationError(
            Text(
                "ESGX_SECRET_KEY must be set in production; refusing to start.",
                "生产环境必须设置 ESGX_SECRET_KEY，拒绝启动。",
            )
        )
    # Development: generate once and keep it, so sessions survive restarts.
    return _instance_secret(instance_dir / "secret_key", lambda: secrets.token_urlsafe(48))


def _encryption_keys(
    env: Mapping[str, str], environment: str, instance_dir: Path
) -> tuple[str, ...]:
    """Fernet keys for secrets at rest (the log's signing key); the first encrypts, all decrypt,
    so a key is rotated by putting a new one first and re-encrypting (see docs/operations.md)."""
    raw = env.get("ESGX_ENCRYPTION_KEYS", "")
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if keys:
        for key in keys:
            if len(key) != 44 or not key.endswith("="):
                raise _config_error("ESGX_ENCRYPTION_KEYS", "comma-separated Fernet keys")
        return keys
    if environment == "production":
        raise ConfigurationError(
            Text(
                "ESGX_ENCRYPTION_KEYS must be set in production; refusing to start.",
                "生产环境必须设置 ESGX_ENCRYPTION_KEYS，拒绝启动。",
            )
        )
    return (_instance_secret(instance_dir / "encryption_key", _new_fernet_key),)


def _new_fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _instance_secret(path: Path, make: Callable[[], str]) -> str:
    """A development secret generated once into the instance folder (mode 0600) and reused."""
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _config_error(name, "a whole number") from None
    if value <= 0:
        raise _config_error(name, "a positive whole number")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise _config_error(name, "true or false")


def _config_error(name: str, expected: str) -> ConfigurationError:
    return ConfigurationError(
        Text(f"{name} must be {expected}.", f"{name} 的取值必须为：{expected}。")
    )
