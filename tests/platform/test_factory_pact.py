"""A lead factory's PACT page: the host's addresses, callback credentials its administrators
set and remove (the secret never shown again), the footprint requests and how each ended; its
analysts only look; another factory's people and suppliers find nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.audit.models import AuditEvent
from esgx_platform.machine.services import create_oauth_client
from esgx_platform.pact.models import PactCallbackCredential, PactRequest
from tests.platform.factories import make_user, make_world, sign_in


def _as(app: Flask, user: User) -> tuple[FlaskClient, str]:
    client = app.test_client()
    sign_in(client, user)
    with client.session_transaction() as sess:
        return client, str(sess["csrf"])


def _credentials(session: Session) -> list[PactCallbackCredential]:
    session.expire_all()
    return list(session.scalars(select(PactCallbackCredential)))


def test_an_administrator_sets_and_removes_callback_credentials(
    app: Flask, session: Session
) -> None:
    world = make_world(session)
    admin = make_user(session, world.factory, Role.FACTORY_ADMIN)
    session.commit()
    client, csrf = _as(app, admin)
    base = f"/factories/{world.factory.id}/pact"
    page = client.get(base)
    assert page.status_code == 200
    assert "/3/footprints" in page.text and "/auth/token" in page.text
    saved = client.post(
        f"{base}/credentials",
        data={
            "csrf_token": csrf,
            "base_url": "https://pact.factory.example/",
            "client_id": "esgx-at-factory",
            "secret": "top-secret-value",
        },
    )
    assert saved.status_code == 303
    (row,) = _credentials(session)
    assert (row.base_url, row.client_id) == ("https://pact.factory.example", "esgx-at-factory")
    shown = client.get(saved.headers["Location"]).text
    assert "https://pact.factory.example" in shown
    assert "top-secret-value" not in shown
    removed = client.post(
        f"{base}/credentials/remove",
        data={"csrf_token": csrf, "base_url": "https://pact.factory.example"},
    )
    assert removed.status_code == 303
    assert _credentials(session) == []
    session.expire_all()
    actions = [e.action for e in session.scalars(select(AuditEvent))]
    assert "pact.callback_credentials_set" in actions
    assert "pact.callback_credentials_removed" in actions


def test_a_plain_http_source_is_refused_at_its_field(app: Flask, session: Session) -> None:
    world = make_world(session)
    admin = make_user(session, world.factory, Role.FACTORY_ADMIN, locale="zh")
    session.commit()
    client, csrf = _as(app, admin)
    refused = client.post(
        f"/factories/{world.factory.id}/pact/credentials",
        data={"csrf_token": csrf, "base_url": "http://x.example", "client_id": "a", "secret": "b"},
    )
    assert refused.status_code == 422
    assert 'id="base_url-error"' in refused.text
    assert "请填写贵方 PACT 接口的 https:// 基础地址" in refused.text
    assert _credentials(session) == []


def test_changes_need_the_forms_security_token(app: Flask, session: Session) -> None:
    world = make_world(session)
    admin = make_user(session, world.factory, Role.FACTORY_ADMIN)
    session.commit()
    client, _ = _as(app, admin)
    refused = client.post(
        f"/factories/{world.factory.id}/pact/credentials",
        data={"base_url": "https://x.example", "client_id": "a", "secret": "b"},
    )
    assert refused.status_code in (400, 403)
    assert _credentials(session) == []


def test_analysts_see_requests_but_do_not_change_credentials(app: Flask, session: Session) -> None:
    world = make_world(session)
    issued = create_oauth_client(
        session,
        organization=world.factory,
        name="pact",
        scopes=["footprints:read"],
        actor_user_id=None,
    )
    session.add(
        PactRequest(
            organization_id=world.factory.id,
            oauth_client_id=issued.record.id,
            event_id="request-77",
            source="https://pact.factory.example",
            criteria={"productId": ["urn:pact:null"]},
            received_at=datetime(2026, 11, 20, tzinfo=UTC),
            state="failed",
            attempts=17,
            last_error="events endpoint answered 503",
        )
    )
    session.commit()
    client, csrf = _as(app, world.users["analyst"])
    page = client.get(f"/factories/{world.factory.id}/pact")
    assert page.status_code == 200
    for shown in ("request-77", "urn:pact:null", "events endpoint answered 503", "gave up"):
        assert shown in page.text, shown
    assert "Save the credentials" not in page.text
    refused = client.post(
        f"/factories/{world.factory.id}/pact/credentials",
        data={"csrf_token": csrf, "base_url": "https://x.example", "client_id": "a", "secret": "b"},
    )
    assert refused.status_code == 403
    assert _credentials(session) == []


def test_nobody_else_reaches_the_page(app: Flask, session: Session) -> None:
    world = make_world(session)
    other_admin = make_user(session, world.other_factory, Role.FACTORY_ADMIN)
    session.commit()
    path = f"/factories/{world.factory.id}/pact"
    assert _as(app, other_admin)[0].get(path).status_code == 404
    assert _as(app, world.users["other_analyst"])[0].get(path).status_code == 404
    assert _as(app, world.users["a_admin"])[0].get(path).status_code in (403, 404)
    assert _as(app, world.users["procurement"])[0].get(path).status_code == 403
    assert app.test_client().get(path).status_code == 303  # to sign in
