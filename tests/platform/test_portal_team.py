"""Inviting people: a one-time link, a password set by the invitee, tenancy kept."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Invitation, Membership, Role
from tests.platform.factories import make_world, sign_in


def _invite(client: FlaskClient, org_id: object, email: str, role: str = "supplier_member") -> str:
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    response = client.post(
        f"/portal/orgs/{org_id}/invitations",
        data={"email": email, "role": role, "locale": "en", "csrf_token": token},
    )
    assert response.status_code == 201, response.text
    found = re.search(r"<code>(http[^<]+/invite/[^<]+)</code>", response.text)
    assert found is not None
    return found.group(1).split("localhost", 1)[-1]


def test_invited_person_sets_a_password_and_joins(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    path = _invite(client, world.supplier_a.id, "New.Person@Esgx.Example")
    stored = session.scalars(select(Invitation)).one()
    assert path.rsplit("/", 1)[1] not in stored.token_sha256  # only the hash is kept
    newcomer = client.application.test_client()
    form = newcomer.get(path)
    assert form.status_code == 200 and "new.person@esgx.example" in form.text
    with newcomer.session_transaction() as sess:
        token = str(sess["csrf"])
    short = newcomer.post(
        path,
        data={"display_name": "N", "password": "short", "password2": "short", "csrf_token": token},
    )
    assert short.status_code == 422
    assert "password" in short.text.lower()
    joined = newcomer.post(
        path,
        data={
            "display_name": "New Person",
            "password": "a long password",
            "password2": "a long password",
            "csrf_token": token,
        },
    )
    assert joined.status_code == 302
    assert newcomer.get("/").headers["Location"] == "/portal/"  # signed in, a supplier member
    roles = session.scalars(
        select(Membership.role).where(Membership.organization_id == world.supplier_a.id)
    ).all()
    assert roles.count(Role.SUPPLIER_MEMBER) == 2
    again = client.application.test_client().get(path)
    assert again.status_code == 404  # used: the link is spent


def test_only_the_suppliers_admin_invites(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    for user, expected in (("a_member", 403), ("b_admin", 404)):
        other = client.application.test_client()
        sign_in(other, world.users[user])
        with other.session_transaction() as sess:
            token = str(sess["csrf"])
        response = other.post(
            f"/portal/orgs/{world.supplier_a.id}/invitations",
            data={"email": "x@esgx.example", "role": "supplier_admin", "csrf_token": token},
        )
        assert response.status_code == expected, user
    assert session.scalars(select(Invitation)).all() == []
    outsider = client.application.test_client()
    sign_in(outsider, world.users["b_admin"])
    assert outsider.get(f"/portal/orgs/{world.supplier_a.id}/users").status_code == 404


def test_existing_account_joins_only_signed_in_as_itself(
    client: FlaskClient, session: Session
) -> None:
    """The link never takes an existing account's password (no guessing through it): the
    account's owner signs in and confirms; anyone else is refused."""
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    existing = world.users["b_admin"]  # has an account at supplier B
    path = _invite(client, world.supplier_a.id, existing.email)
    # The inviting admin, still signed in as themselves, cannot accept for the account.
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    refused = client.post(path, data={"csrf_token": token, "password": "guess-guess-guess"})
    assert refused.status_code == 403
    page = client.application.test_client().get(path).text
    assert 'type="password"' not in page  # no password field for an existing account
    owner = client.application.test_client()
    sign_in(owner, existing)
    owner.get(path)
    with owner.session_transaction() as sess:
        token = str(sess["csrf"])
    assert owner.post(path, data={"csrf_token": token}).status_code == 302
    assert (
        session.scalar(
            select(Membership).where(
                Membership.user_id == existing.id, Membership.organization_id == world.supplier_a.id
            )
        )
        is not None
    )
