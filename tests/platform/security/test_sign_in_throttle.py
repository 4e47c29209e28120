"""Sign-in throttling and lockout (accounts/throttle.py), with the clock under the test's control:
ACCOUNT_LIMIT failures for an e-mail within WINDOW lock it for LOCK, ADDRESS_LIMIT failures
from one address lock the address; the refusal is the same whether or not the account exists,
in both languages; locks live in the database (another app instance sees them), are audited,
and end on time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from esgx_platform.accounts.throttle import (
    ACCOUNT_LIMIT,
    ADDRESS_LIMIT,
    LOCK,
    WINDOW,
    SignInFailure,
    expired_failures,
)
from esgx_platform.app import create_app
from esgx_platform.audit.models import AuditEvent
from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from tests.platform.factories import PASSWORD, csrf_from, make_world

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WRONG = "not the password"


def _attempt(
    client: FlaskClient, email: str, password: str, *, address: str = "198.51.100.7", **headers: str
) -> TestResponse:
    """A sign-in from `address` (as the local proxy forwards it)."""
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(client)},
        headers={"X-Forwarded-For": address, **headers},
    )


def _fail(client: FlaskClient, email: str, times: int, **kwargs: str) -> list[int]:
    return [_attempt(client, email, WRONG, **kwargs).status_code for _ in range(times)]


def _message(response: TestResponse) -> str:
    found = re.search(r'<div class="error-summary"[^>]*>\s*<p>([^<]*)</p>', response.text)
    assert found is not None, response.text
    return found.group(1)


def _actions(session: Session) -> list[tuple[str, str | None]]:
    session.expire_all()
    rows = session.execute(select(AuditEvent.action, AuditEvent.details)).all()
    return [(a, (d or {}).get("reason") or (d or {}).get("scope")) for a, d in rows]


def test_an_account_locks_after_repeated_failures_and_unlocks_on_time(
    client: FlaskClient, session: Session
) -> None:
    user = make_world(session).users["analyst"]
    with clock_at(T0):
        assert _fail(client, user.email, ACCOUNT_LIMIT - 1) == [401] * (ACCOUNT_LIMIT - 1)
    with clock_at(T0 + timedelta(minutes=1)):
        locking = _attempt(client, user.email, WRONG)
        assert locking.status_code == 429
        assert _message(locking) == "Too many failed sign-ins. Try again in 15 minutes."
        assert locking.headers["Retry-After"] == str(int(LOCK.total_seconds()))
    with clock_at(T0 + timedelta(minutes=10)):
        # The right password too: it is not even checked while the lock holds.
        right = _attempt(client, user.email, PASSWORD)
        assert right.status_code == 429
        assert _message(right) == "Too many failed sign-ins. Try again in 6 minutes."
    assert client.get("/api/v1/me").status_code == 401
    with clock_at(T0 + timedelta(minutes=1) + LOCK):
        assert _attempt(client, user.email, PASSWORD).status_code == 302
    assert client.get("/api/v1/me").get_json()["email"] == user.email
    actions = _actions(session)
    assert actions.count(("auth.login_failed", "bad_password")) == ACCOUNT_LIMIT
    assert ("auth.sign_in_locked", "account") in actions
    assert ("auth.login_refused", "account_locked") in actions
    assert actions[-1] == ("auth.login", None)


def test_failures_spread_beyond_the_window_do_not_lock(
    client: FlaskClient, session: Session
) -> None:
    user = make_world(session).users["analyst"]
    for n in range(2 * ACCOUNT_LIMIT):
        with clock_at(T0 + n * (WINDOW / (ACCOUNT_LIMIT - 1))):
            assert _attempt(client, user.email, WRONG).status_code == 401, n


def test_a_success_starts_the_account_afresh(client: FlaskClient, session: Session) -> None:
    user = make_world(session).users["analyst"]
    with clock_at(T0):
        _fail(client, user.email, ACCOUNT_LIMIT - 1)
        assert _attempt(client, user.email, PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_from(client)})
        assert _fail(client, user.email, ACCOUNT_LIMIT - 1) == [401] * (ACCOUNT_LIMIT - 1)


def test_an_unknown_email_is_refused_exactly_like_an_account(
    client: FlaskClient, session: Session
) -> None:
    """Locked or not, the answers for an account and for an e-mail without one are the same
    in status, message and headers: the throttle tells nothing about who has an account."""
    user = make_world(session).users["analyst"]
    nobody = "nobody.here@esgx.example"
    with clock_at(T0):
        real = _fail(client, user.email, ACCOUNT_LIMIT + 1)
        fake = _fail(client, nobody, ACCOUNT_LIMIT + 1, address="198.51.100.8")
        assert real == fake == [401] * (ACCOUNT_LIMIT - 1) + [429, 429]
        a = _attempt(client, user.email, PASSWORD)
        b = _attempt(client, nobody, PASSWORD, address="198.51.100.8")
    assert (a.status_code, _message(a), a.headers["Retry-After"]) == (
        b.status_code,
        _message(b),
        b.headers["Retry-After"],
    )
    stored = session.scalars(select(SignInFailure.key)).all()
    assert nobody not in stored and user.email not in stored  # e-mails only as an HMAC


def test_the_refusal_is_in_chinese_too(client: FlaskClient, session: Session) -> None:
    user = make_world(session).users["analyst"]
    with clock_at(T0):
        _fail(client, user.email, ACCOUNT_LIMIT)
        response = _attempt(client, user.email, PASSWORD, **{"Accept-Language": "zh-CN"})
    assert response.status_code == 429
    assert _message(response) == "登录失败次数过多，请 15 分钟后再试。"


def test_an_address_locks_after_many_failures_on_any_accounts(
    client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    user = world.users["analyst"]
    with clock_at(T0):
        for n in range(ADDRESS_LIMIT):
            status = _attempt(client, f"guess{n}@esgx.example", WRONG, address="203.0.113.5")
            assert status.status_code == (429 if n == ADDRESS_LIMIT - 1 else 401)
        # Any account from that address is refused; from elsewhere the account is fine.
        assert _attempt(client, user.email, PASSWORD, address="203.0.113.5").status_code == 429
        assert _attempt(client, user.email, PASSWORD, address="203.0.113.6").status_code == 302
    assert ("auth.sign_in_locked", "address") in _actions(session)


def test_only_the_local_proxy_may_name_the_client_address(
    client: FlaskClient, session: Session
) -> None:
    """X-Forwarded-For from anywhere but the trusted local proxy is the client's own claim:
    a client cannot dodge the address count by changing it."""
    world = make_world(session)
    remote = {"REMOTE_ADDR": "192.0.2.44"}
    client.environ_base.update(remote)
    with clock_at(T0):
        for n in range(ADDRESS_LIMIT):
            _attempt(client, f"guess{n}@esgx.example", WRONG, address=f"10.0.0.{n}")
        response = _attempt(client, world.users["analyst"].email, PASSWORD, address="10.9.9.9")
    assert response.status_code == 429


def test_locks_hold_across_app_instances(
    app: Flask, session: Session, settings: Settings, test_db: Database
) -> None:
    """Another worker (another app on the same database) sees the same counts and locks."""
    user = make_world(session).users["analyst"]
    other = create_app(settings, database=test_db, TESTING=True).test_client()
    with clock_at(T0):
        _fail(app.test_client(), user.email, ACCOUNT_LIMIT - 1)
        assert _attempt(other, user.email, WRONG).status_code == 429
        assert _attempt(app.test_client(), user.email, PASSWORD).status_code == 429


def test_housekeeping_deletes_old_failures(session: Session) -> None:
    """Counts older than a day go (the lock they started long over)."""
    session.add_all(
        [
            SignInFailure(scope="address", key="x", failed_at=T0, locks_until=T0 + LOCK),
            SignInFailure(scope="address", key="y", failed_at=T0 + timedelta(days=2)),
        ]
    )
    session.flush()
    with clock_at(T0 + timedelta(days=2, hours=1)):
        session.execute(expired_failures())
    assert session.scalars(select(SignInFailure.key)).all() == ["y"]
