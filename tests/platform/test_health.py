"""`/healthz` reports the database and the migration state."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from esgx_platform.app import create_app
from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.migrate import head_revision


def test_healthy_at_head(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["migrations"] == {
        "current": head_revision(),
        "head": head_revision(),
        "at_head": True,
    }


def test_unmigrated_database_is_unhealthy(tmp_path: Path) -> None:
    settings = Settings.from_env({"ESGX_SECRET_KEY": "s" * 40, "ESGX_INSTANCE_DIR": str(tmp_path)})
    database = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        body = create_app(settings, database=database).test_client().get("/healthz")
        assert body.status_code == 503
        assert body.get_json()["migrations"]["current"] is None
    finally:
        database.dispose()


def test_unreachable_database_is_unhealthy_without_leaking_the_url(tmp_path: Path) -> None:
    settings = Settings.from_env({"ESGX_SECRET_KEY": "s" * 40, "ESGX_INSTANCE_DIR": str(tmp_path)})
    url = "postgresql+psycopg://esgx:hunter2-secret@127.0.0.1:1/none?connect_timeout=2"
    database = Database(url)
    try:
        response = create_app(settings, database=database).test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["database"] == "unreachable"
        assert "hunter2" not in response.text
    finally:
        database.dispose()
