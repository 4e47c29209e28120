"""API tokens and OAuth2 clients: issued once, hashed at rest, scoped, revocable, tenant-bound."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.errors import InvalidInput, Unauthenticated
from esgx_platform.machine.models import ApiToken
from esgx_platform.machine.services import (
    authenticate_access_token,
    create_api_token,
    create_oauth_client,
    issue_access_token,
    revoke_api_token,
    revoke_oauth_client,
    rotate_oauth_client_secret,
    sha256_hex,
)
from tests.platform.factories import make_world


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_token_is_shown_once_and_stored_hashed(session: Session) -> None:
    world = make_world(session)
    issued = create_api_token(
        session,
        organization=world.supplier_a,
        name="ERP",
        scopes=["disclosures:submit"],
        actor_user_id=None,
    )
    stored = session.scalar(select(ApiToken).where(ApiToken.id == issued.record.id))
    assert stored is not None
    assert stored.token_sha256 == sha256_hex(issued.secret)
    assert issued.secret not in repr(stored.__dict__)
    assert issued.secret.startswith(stored.prefix)


def test_token_reads_own_org_but_not_another(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    issued = create_api_token(
        session,
        organization=world.supplier_a,
        name="ERP",
        scopes=["disclosures:read"],
        actor_user_id=None,
    )
    session.commit()
    own = client.get(f"/api/v1/organizations/{world.supplier_a.id}", headers=_bearer(issued.secret))
    assert own.status_code == 200
    other = client.get(
        f"/api/v1/organizations/{world.supplier_b.id}", headers=_bearer(issued.secret)
    )
    assert other.status_code == 404


def test_revoked_and_expired_tokens_are_refused(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    revoked = create_api_token(
        session,
        organization=world.supplier_a,
        name="old",
        scopes=["disclosures:read"],
        actor_user_id=None,
    )
    revoke_api_token(session, revoked.record, actor_user_id=None)
    expired = create_api_token(
        session,
        organization=world.supplier_a,
        name="short",
        scopes=["disclosures:read"],
        actor_user_id=None,
        expires_at=utcnow() - timedelta(seconds=1),
    )
    session.commit()
    for secret in (revoked.secret, expired.secret, "esgx_at_made-up"):
        response = client.get(
            f"/api/v1/organizations/{world.supplier_a.id}", headers=_bearer(secret)
        )
        assert response.status_code == 401
        assert response.get_json()["type"] == "urn:esgx:problem:unauthenticated"


def test_bearer_request_ignores_the_session_cookie(client: FlaskClient, session: Session) -> None:
    from tests.platform.factories import sign_in

    world = make_world(session)
    sign_in(client, world.users["operator"])  # the cookie could read everything
    response = client.get(
        f"/api/v1/organizations/{world.supplier_b.id}", headers=_bearer("esgx_at_not-a-token")
    )
    assert response.status_code == 401


def test_scopes_are_checked(session: Session) -> None:
    world = make_world(session)
    with pytest.raises(InvalidInput, match="Scopes must be some of"):
        create_api_token(
            session,
            organization=world.supplier_a,
            name="x",
            scopes=["everything"],
            actor_user_id=None,
        )
    with pytest.raises(InvalidInput, match="for suppliers"):
        create_api_token(
            session,
            organization=world.factory,
            name="x",
            scopes=["disclosures:read"],
            actor_user_id=None,
        )


def test_oauth_client_credentials_flow(session: Session) -> None:
    world = make_world(session)
    issued = create_oauth_client(
        session,
        organization=world.factory,
        name="SAP",
        scopes=["footprints:read"],
        actor_user_id=None,
    )
    client_id = issued.record.client_id
    secret, _token = issue_access_token(
        session, client_id=client_id, client_secret=issued.secret, lifetime=timedelta(hours=1)
    )
    assert authenticate_access_token(session, secret).id == issued.record.id
    with pytest.raises(Unauthenticated):
        issue_access_token(
            session, client_id=client_id, client_secret="wrong", lifetime=timedelta(hours=1)
        )
    rotated = rotate_oauth_client_secret(session, issued.record, actor_user_id=None)
    with pytest.raises(Unauthenticated):
        authenticate_access_token(session, secret)  # tokens die with the old secret
    with pytest.raises(Unauthenticated):
        issue_access_token(
            session, client_id=client_id, client_secret=issued.secret, lifetime=timedelta(hours=1)
        )
    fresh, _ = issue_access_token(
        session, client_id=client_id, client_secret=rotated.secret, lifetime=timedelta(hours=1)
    )
    revoke_oauth_client(session, issued.record, actor_user_id=None)
    with pytest.raises(Unauthenticated):
        authenticate_access_token(session, fresh)


def test_oauth_client_sees_only_consented_suppliers(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    issued = create_oauth_client(
        session,
        organization=world.other_factory,
        name="other",
        scopes=["disclosures:read"],
        actor_user_id=None,
    )
    secret, _ = issue_access_token(
        session,
        client_id=issued.record.client_id,
        client_secret=issued.secret,
        lifetime=timedelta(hours=1),
    )
    session.commit()
    response = client.get(f"/api/v1/organizations/{world.supplier_a.id}", headers=_bearer(secret))
    assert response.status_code == 404


def test_supplier_admin_manages_tokens_over_the_api(client: FlaskClient, session: Session) -> None:
    from tests.platform.factories import sign_in

    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    with client.session_transaction() as sess:
        headers = {"X-CSRF-Token": str(sess["csrf"])}
    base = f"/api/v1/organizations/{world.supplier_a.id}/tokens"
    created = client.post(
        base,
        json={"name": "ERP", "scopes": ["disclosures:submit"], "expires_in_days": 90},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    secret = created.get_json()["secret"]
    listed = client.get(base).get_json()["data"]
    assert [t["name"] for t in listed] == ["ERP"]
    assert "secret" not in listed[0]
    assert secret not in client.get(base).text
    # The token works until it is revoked.
    probe = client.application.test_client()
    own = f"/api/v1/organizations/{world.supplier_a.id}"
    assert probe.get(own, headers=_bearer(secret)).status_code == 200
    token_id = created.get_json()["id"]
    assert client.delete(f"{base}/{token_id}", headers=headers).status_code == 204
    assert probe.get(own, headers=_bearer(secret)).status_code == 401


def test_tokens_are_managed_by_people_of_that_supplier_only(
    client: FlaskClient, session: Session
) -> None:
    from tests.platform.factories import sign_in

    world = make_world(session)
    issued = create_api_token(
        session,
        organization=world.supplier_a,
        name="erp",
        scopes=["keys:manage"],
        actor_user_id=None,
    )
    session.commit()
    base = f"/api/v1/organizations/{world.supplier_a.id}/tokens"
    # A token cannot mint tokens, even one with keys:manage.
    machine = client.application.test_client()
    assert machine.get(base, headers=_bearer(issued.secret)).status_code == 401
    member = client.application.test_client()
    sign_in(member, world.users["a_member"])
    assert member.get(base).status_code == 403
    outsider = client.application.test_client()
    sign_in(outsider, world.users["b_admin"])
    assert outsider.get(base).status_code == 404
    with outsider.session_transaction() as sess:
        headers = {"X-CSRF-Token": str(sess["csrf"])}
    gone = outsider.delete(f"{base}/{issued.record.id}", headers=headers)
    assert gone.status_code == 404
