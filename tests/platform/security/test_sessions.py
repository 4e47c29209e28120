"""Session rotation at sign-in and the session cookie's flags.

Signing in gives a new session (a new sign-in record id and CSRF token, nothing of the
anonymous session kept); a copy of a cookie stops authenticating once its owner signs out or
signs in again; another browser's session is untouched. The cookie is HttpOnly and
SameSite=Lax always, and Secure in production.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.logins import LoginSession, expired_logins
from esgx_platform.app import create_app
from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from tests.conftest import TEST_SECRET
from tests.platform.factories import csrf_from, make_world, sign_in

COOKIE = "esgx_session"


def _cookie(client: FlaskClient) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return found.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    """Another browser holding a copy of the cookie `value`."""
    copy = app.test_client()
    copy.set_cookie(COOKIE, value)
    return copy


def _session_values(client: FlaskClient) -> dict[str, object]:
    with client.session_transaction() as sess:
        return dict(sess)


def test_sign_in_gives_a_new_session(app: Flask, client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    before_token = csrf_from(client)
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"  # session fixation: nothing survives sign-in
    anonymous_cookie = _cookie(client)
    sign_in(client, world.users["analyst"])
    after = _session_values(client)
    assert after["csrf"] != before_token and "planted" not in after
    assert _cookie(client) != anonymous_cookie
    # The token of the anonymous session is worthless now, and its cookie is still nobody.
    refused = client.post("/language", data={"locale": "zh", "csrf_token": before_token})
    assert refused.status_code == 403
    assert _with_cookie(app, anonymous_cookie).get("/api/v1/me").status_code == 401


def test_signing_in_again_ends_the_previous_session(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    sign_in(client, world.users["analyst"])
    first_cookie, first = _cookie(client), _session_values(client)
    assert _with_cookie(app, first_cookie).get("/api/v1/me").status_code == 200
    sign_in(client, world.users["procurement"])
    second = _session_values(client)
    assert second["login"] != first["login"] and second["csrf"] != first["csrf"]
    assert _with_cookie(app, first_cookie).get("/api/v1/me").status_code == 401
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == world.users["procurement"].email


def test_a_copied_cookie_dies_with_sign_out(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    user = world.users["analyst"]
    sign_in(client, user)
    other_browser = app.test_client()
    sign_in(other_browser, user)
    copied = _cookie(client)
    assert _with_cookie(app, copied).get("/api/v1/me").status_code == 200
    token = _session_values(client)["csrf"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert _with_cookie(app, copied).get("/api/v1/me").status_code == 401
    # Signing out ends this browser's session only.
    assert other_browser.get("/api/v1/me").get_json()["email"] == user.email
    ended = session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert sorted(r.ended_at is None for r in ended) == [False, True]


def test_a_forged_sign_in_record_id_authenticates_nobody(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """The cookie is signed, but even with the secret key a session needs a live record of
    the same user: another user's record id does not do."""
    world = make_world(session)
    sign_in(client, world.users["analyst"])
    theirs = app.test_client()
    sign_in(theirs, world.users["procurement"])
    with client.session_transaction() as sess:
        sess["login"] = _session_values(theirs)["login"]
    assert client.get("/api/v1/me").status_code == 401


def _set_cookie(app: Flask) -> SimpleCookie:
    response = app.test_client().get("/login")
    header = response.headers["Set-Cookie"]
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(header)
    assert COOKIE in parsed, header
    return parsed


def test_cookie_flags_in_development_and_test(app: Flask) -> None:
    morsel = _set_cookie(app)[COOKIE]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert not morsel["secure"]


def test_cookie_is_secure_in_production(test_db: Database, tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "ESGX_ENV": "production",
            "ESGX_SECRET_KEY": TEST_SECRET,
            "ESGX_ENCRYPTION_KEYS": "A" * 43 + "=",
            "ESGX_DATABASE_URL": "sqlite:///unused.sqlite3",
            "ESGX_INSTANCE_DIR": str(tmp_path),
            "ESGX_MAIL_HOST": "127.0.0.1",
        }
    )
    app = create_app(settings, database=test_db)
    morsel = _set_cookie(app)[COOKIE]
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"


def test_housekeeping_deletes_old_sign_in_records(session: Session) -> None:
    user = make_world(session).users["analyst"]
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    records = [
        LoginSession(user_id=user.id, expires_at=t0 + timedelta(hours=12)),
        LoginSession(user_id=user.id, expires_at=t0 + timedelta(days=3), ended_at=t0),
        LoginSession(user_id=user.id, expires_at=t0 + timedelta(days=3)),
    ]
    session.add_all(records)
    session.flush()
    live = records[2].id
    with clock_at(t0 + timedelta(days=2)):
        session.execute(expired_logins())
    assert session.scalars(select(LoginSession.id)).all() == [live]
