"""PACT and feed reads run in autocommit sessions (no BEGIN and ROLLBACK round trips), on a database
whose transactions really commit, and leave nothing of that behind for the next session."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event, select

from esgx_platform.app import create_app
from esgx_platform.config import Settings
from esgx_platform.db import Database, utcnow
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import latest_checkpoint
from esgx_platform.organizations.models import Organization
from tests.platform.factories import make_org
from tests.platform.intake.helpers import example_subject, make_filer
from tests.platform.pact.helpers import client_token, file, pact_world, variant


def _isolation_of_statements(db: Database, app: Flask, run: Any) -> list[str]:
    """The isolation level each statement of `run()` was executed under, in order."""
    seen: list[str] = []

    def note(conn: Any, *_: Any) -> None:
        seen.append(str(conn.get_execution_options().get("isolation_level", "default")))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        with app.app_context():
            run()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return seen


def test_listing_and_get_run_in_autocommit_and_see_committed_data(
    isolated_database: Database, settings: Settings
) -> None:
    app = create_app(settings, database=isolated_database, TESTING=True)
    with isolated_database.sessions() as session:
        filer, pact = pact_world(session, app.test_client())
        filed = [file(filer, variant()) for _ in range(3)]
    levels = _isolation_of_statements(
        isolated_database, app, lambda: pact.ids("/3/footprints?limit=2")
    )
    assert levels and set(levels) == {"AUTOCOMMIT"}
    first = pact.get("/3/footprints?limit=2")
    link = first.headers["Link"]
    rest = pact.ids(link[1 : link.index(">")])
    assert pact.ids("/3/footprints?limit=2") + rest == filed
    one = pact.get(f"/3/footprints/{filed[1]}")
    assert one.status_code == 200 and one.get_json()["data"]["id"] == filed[1]
    # A state-changing request on the same app still runs in a transaction of its own.
    levels = _isolation_of_statements(isolated_database, app, lambda: file(filer, variant()))
    assert "AUTOCOMMIT" not in levels


def test_a_connection_leaves_autocommit_behind_when_returned(
    isolated_database: Database,
) -> None:
    """One pooled connection: used for statement reads, then for a session that writes and
    rolls back; the write must be undone (autocommit would have kept it)."""
    url = isolated_database.engine.url.render_as_string(hide_password=False)
    db = Database(url, pool_size=1, max_overflow=0)
    try:
        with db.statement_reads() as reads:
            assert reads.execute(select(Organization.id)).all() == []
        with db.sessions() as session:
            make_org(session, "supplier", "Rolled Back Supplier Co., Ltd.")
            session.flush()
            session.rollback()
        with db.sessions() as session:
            assert session.execute(select(Organization.id)).all() == []
    finally:
        db.dispose()


def test_the_feed_reads_in_autocommit_and_signs_in_a_transaction(
    isolated_database: Database, settings: Settings
) -> None:
    """On a real database the feed's reads autocommit, and the checkpoint it signs for an
    entry no checkpoint covers is committed by a transaction of its own."""
    app = create_app(settings, database=isolated_database, TESTING=True)
    with isolated_database.sessions() as session:
        filer = make_filer(session, app.test_client())
        filed = filer.submit(example_subject()).get_json()
        token = client_token(session, filer, ["disclosures:read"])
        log.append(session, kind="test", body=b'{"uncovered":true}', logged_at=utcnow())
        session.commit()
        size = log.current_state(session).size
    reader = app.test_client()
    answers: list[Any] = []
    levels = _isolation_of_statements(
        isolated_database,
        app,
        lambda: answers.append(
            reader.get("/api/v1/feed/disclosures", headers={"Authorization": f"Bearer {token}"})
        ),
    )
    assert answers[0].status_code == 200, answers[0].get_json()
    assert [item["id"] for item in answers[0].get_json()["data"]] == [filed["id"]]
    assert "AUTOCOMMIT" in levels and "default" in levels  # reads, then the signer
    with isolated_database.sessions() as session:
        latest = latest_checkpoint(session)
        assert latest is not None and latest.size == size
