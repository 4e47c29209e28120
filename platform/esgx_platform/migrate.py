"""Run Alembic from code: upgrade to head, report the revision, and detect model drift."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from esgx_platform.config import REPO_ROOT
from esgx_platform.models import Base

MIGRATIONS_DIR = REPO_ROOT / "migrations"
# APScheduler creates and owns its job store table (`esgx scheduler`); the models do not
# describe it, so drift checks and autogenerate leave it alone.
JOB_STORE_TABLE = "apscheduler_jobs"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's filter: everything but the tables the platform does not own."""
    return not (type_ == "table" and name == JOB_STORE_TABLE)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the repository's migrations, optionally bound to a connection."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every pending migration, in one transaction where the database allows it."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def is_at_head(connection: Connection) -> bool:
    return current_revision(connection) == head_revision()


def schema_drift(connection: Connection) -> list[str]:
    """Differences between the models and the migrated schema, one line each (empty: none)."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return [repr(diff) for diff in compare_metadata(context, Base.metadata)]
