"""Secrets are never logged: flows that handle every kind of secret the platform has, then a
search of everything logged (every logger at DEBUG, including esgx_platform, werkzeug, flask
and gunicorn) and of every audit row for each secret; and gunicorn's access log, whose lines
carry paths, referrers and (with a custom format) headers.

The secrets: passwords (right, wrong, one typed into the e-mail field, an invitee's new
one), a supplier API token, OAuth2 client secrets (issued and rotated), an access token, a
bearer token that does not exist, webhook signing secrets (issued and rotated), PACT callback
credentials and an invitation link's token.
"""

from __future__ import annotations

import base64
import logging
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.config import Config
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.audit.models import AuditEvent
from esgx_platform.server import RedactingLogger
from tests.platform.factories import PASSWORD, World, make_user, make_world

HOST = "https://esgx.test"
WRONG = "Wrong-Horse-Battery-9"
TYPED_AS_EMAIL = "Typed-As-Email-Secret-7"
INVITEE_PASSWORD = "Invitee-Password-Secret-5"
PACT_SECRET = "Pact-Callback-Secret-3"
NO_SUCH_BEARER = "esgx_oa_ThisTokenDoesNotExistButIsSecret0123456"
CLIENT_SECRET = re.compile(r'<code class="wrap" id="secret">([^<]+)</code>')
CLIENT_ID = re.compile(r'<code class="wrap" id="client-id">(esgxc_[0-9a-f]+)</code>')
WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{44}")
INVITATION = re.compile(r"<code>https?://[^<]*/invite/([^<]+)</code>")


def _signed_in(app: Flask, email: str, password: str = PASSWORD) -> tuple[FlaskClient, str]:
    client = app.test_client()
    client.get(HOST + "/login")
    with client.session_transaction(base_url=HOST) as sess:
        token = str(sess["csrf"])
    form = {"email": email, "password": password, "csrf_token": token}
    assert client.post(HOST + "/login", data=form).status_code == 302
    with client.session_transaction(base_url=HOST) as sess:
        return client, str(sess["csrf"])


def _passwords(app: Flask, world: World) -> list[str]:
    client = app.test_client()
    client.get(HOST + "/login")
    with client.session_transaction(base_url=HOST) as sess:
        token = str(sess["csrf"])
    email = world.users["a_admin"].email
    for login, password in ((email, WRONG), (TYPED_AS_EMAIL, PASSWORD)):
        form = {"email": login, "password": password, "csrf_token": token}
        assert client.post(HOST + "/login", data=form).status_code == 401
    _signed_in(app, email)
    return [PASSWORD, WRONG, TYPED_AS_EMAIL]


def _supplier_token(app: Flask, world: World) -> list[str]:
    client, csrf = _signed_in(app, world.users["a_admin"].email)
    base = f"{HOST}/api/v1/organizations/{world.supplier_a.id}"
    body = {"name": "ERP", "scopes": ["disclosures:read", "keys:manage"]}
    created = client.post(base + "/tokens", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.get_json()
    secret = created.get_json()["secret"]
    machine = app.test_client()
    assert (
        machine.get(base + "/keys", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    refused = machine.get(base + "/keys", headers={"Authorization": f"Bearer {NO_SUCH_BEARER}"})
    assert refused.status_code == 401
    return [secret, NO_SUCH_BEARER]


def _oauth_client(app: Flask, world: World, admin_email: str) -> list[str]:
    """An OAuth2 client made on the page, its secret exchanged for an access token that reads
    the assessment model and PACT, then rotated on the page."""
    client, csrf = _signed_in(app, admin_email)
    base = f"{HOST}/factories/{world.factory.id}/clients"
    form = {"name": "ERP", "scopes": ["assessments:read", "footprints:read", "webhooks:manage"]}
    created = client.post(base, data={**form, "csrf_token": csrf})
    secret_match, id_match = CLIENT_SECRET.search(created.text), CLIENT_ID.search(created.text)
    assert secret_match and id_match, created.text
    secret, client_id = secret_match.group(1), id_match.group(1)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    machine = app.test_client()
    issued = machine.post(
        HOST + "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    access = issued.get_json()["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}
    assert (
        machine.get(
            f"{HOST}/api/v1/factories/{world.factory.id}/assessment-model", headers=bearer
        ).status_code
        == 200
    )
    assert machine.get(HOST + "/3/footprints", headers=bearer).status_code == 200
    hooks = _webhooks(app, world, client, csrf, access)
    rotated = client.post(f"{base}/{client_id}/rotate", data={"csrf_token": csrf})
    new_secret = CLIENT_SECRET.search(rotated.text)
    assert new_secret is not None
    return [secret, access, new_secret.group(1), *hooks]


def _webhooks(app: Flask, world: World, client: FlaskClient, csrf: str, access: str) -> list[str]:
    """An endpoint registered on the page, its secret rotated by the client through the API;
    PACT callback credentials saved on the page."""
    base = f"{HOST}/factories/{world.factory.id}"
    form = {"url": "https://erp.example/hooks", "eventTypes": ["disclosure.verified"]}
    created = client.post(base + "/webhooks", data={**form, "csrf_token": csrf})
    secret = WEBHOOK_SECRET.search(created.text)
    assert secret is not None, created.text
    machine = app.test_client()
    bearer = {"Authorization": f"Bearer {access}"}
    (endpoint,) = machine.get(HOST + "/api/v1/webhooks/endpoints", headers=bearer).get_json()[
        "data"
    ]
    rotated = machine.post(
        f"{HOST}/api/v1/webhooks/endpoints/{endpoint['id']}/rotate-secret", headers=bearer
    )
    pact = {"base_url": "https://erp.example/pact", "client_id": "esgx", "secret": PACT_SECRET}
    saved = client.post(base + "/pact/credentials", data={**pact, "csrf_token": csrf})
    assert saved.status_code == 303, saved.text
    return [secret.group(0), rotated.get_json()["secret"], PACT_SECRET]


def _invitation(app: Flask, world: World) -> list[str]:
    client, csrf = _signed_in(app, world.users["a_admin"].email)
    form = {"email": "new.person@esgx.example", "role": "supplier_member", "locale": "en"}
    page = client.post(
        f"{HOST}/portal/orgs/{world.supplier_a.id}/invitations", data={**form, "csrf_token": csrf}
    )
    found = INVITATION.search(page.text)
    assert found is not None, page.text
    token = found.group(1)
    invitee = app.test_client()
    invitee.get(f"{HOST}/invite/{token}")
    with invitee.session_transaction(base_url=HOST) as sess:
        csrf = str(sess["csrf"])
    accept = {"display_name": "New", "password": INVITEE_PASSWORD, "password2": INVITEE_PASSWORD}
    joined = invitee.post(f"{HOST}/invite/{token}", data={**accept, "csrf_token": csrf})
    assert joined.status_code == 302, joined.text
    return [token, INVITEE_PASSWORD]


def test_no_secret_is_ever_logged(
    app: Flask, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("esgx_platform", "werkzeug", "flask", "gunicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    world = make_world(session)
    admin = make_user(session, world.factory, Role.FACTORY_ADMIN)
    session.commit()
    secrets = [
        *_passwords(app, world),
        *_supplier_token(app, world),
        *_oauth_client(app, world, admin.email),
        *_invitation(app, world),
    ]
    assert len(set(secrets)) == len(secrets) == 13
    logged = [caplog.text] + [
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    ]
    session.expire_all()
    audited = [
        repr((e.action, e.details, e.target_type, e.target_id, e.remote_addr))
        for e in session.scalars(select(AuditEvent))
    ]
    assert len(audited) > 20  # the flows were audited: sign-ins, tokens, clients, endpoints
    for secret in secrets:
        assert not any(secret in line for line in logged), f"logged: {secret[:6]}…"
        assert not any(secret in row for row in audited), f"audited: {secret[:6]}…"


def test_the_access_log_keeps_no_secret(capsys: pytest.CaptureFixture[str]) -> None:
    """gunicorn's access log (`esgx serve` sets RedactingLogger) writes no invitation token,
    whether in the path, a `next` parameter or the Referer, and no credential header even
    when the format names them."""
    token = "Inv1tationTokenSecret_abcdefghijklmnopqrstu"
    bearer, cookie = "esgx_at_BearerSecretInAHeader", "esgx_session=CookieSecret"
    config = Config()
    config.set("accesslog", "-")
    config.set(
        "access_log_format",
        config.access_log_format + ' "%({authorization}i)s" "%({cookie}i)s"',
    )
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/invite/{token}",
        "PATH_INFO": f"/invite/{token}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://esgx.example/login?next=%2Finvite%2F{token}",
    }
    request = SimpleNamespace(headers=[("Authorization", f"Bearer {bearer}"), ("Cookie", cookie)])
    response = SimpleNamespace(status="302 FOUND", sent=0, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    line = capsys.readouterr().out
    assert "/invite/[redacted]" in line and "%2Finvite%2F[redacted]" in line
    assert token not in line and bearer not in line and "CookieSecret" not in line
