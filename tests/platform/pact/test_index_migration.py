"""Migration 0013 indexes the footprints on file with the same rules as the code that indexes
new ones: downgrading past it and upgrading again rebuilds exactly the rows the code wrote."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import Connection, text

from esgx_platform.app import create_app
from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.migrate import alembic_config
from tests.platform.intake.helpers import make_filer
from tests.platform.pact.helpers import file, variant

QUERIES = {
    "footprint_listing": (
        "SELECT footprint_id, organization_id, log_index, valid_from, valid_until "
        "FROM footprint_listing ORDER BY footprint_id"
    ),
    "footprint_keys": "SELECT footprint_id, kind, value FROM footprint_keys ORDER BY 1, 2, 3",
    "footprint_deprecations": (
        "SELECT footprint_id, successor_id, log_index FROM footprint_deprecations ORDER BY 1"
    ),
}


def _index(connection: Connection) -> dict[str, list[Any]]:
    return {name: list(connection.execute(text(sql)).all()) for name, sql in QUERIES.items()}


def test_downgrade_and_upgrade_rebuild_the_same_index(
    isolated_database: Database, settings: Settings
) -> None:
    app = create_app(settings, database=isolated_database, TESTING=True)
    with isolated_database.sessions() as session:
        filer = make_filer(session, app.test_client())
        old = file(filer, variant(productIds=["urn:pact:Example.com:Product-ID:Mixed-Case"]))
        file(filer, variant(precedingPfIds=[old]))
        file(filer, variant(validityPeriodStart=None, validityPeriodEnd=None))
        file(
            filer,
            variant(pcf__geographyCountry=None, pcf__geographyRegionOrSubregion="Eastern Asia"),
        )
    with isolated_database.engine.connect() as connection:
        written = _index(connection)
    assert len(written["footprint_listing"]) == 4
    assert len(written["footprint_deprecations"]) == 1
    assert ("product", "urn:pact:example.com:product-id:mixed-case") in {
        (kind, value) for _, kind, value in written["footprint_keys"]
    }
    with isolated_database.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0012_notification_reminders")
    with isolated_database.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with isolated_database.engine.connect() as connection:
        assert _index(connection) == written
