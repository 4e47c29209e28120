"""A lead factory files its own operations through the suppliers' signed pipeline, and only
its own: suppliers, procurement, and other factories' analysts cannot file or manage keys for it,
nor can its analysts for a supplier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.audit.models import AuditEvent
from esgx_platform.intake.models import StoredDisclosure
from esgx_platform.machine.services import create_oauth_client, issue_access_token
from esgx_platform.organizations.models import Organization
from esgx_platform.tenancy import FILER_ROLES, KEY_ADMIN_ROLES, SUPPLIER_ROLES
from signing import (
    PrivateKey,
    build_credential,
    build_registration,
    generate_key,
    public_jwk,
    sign,
    sign_key_event,
    sign_pop,
    verify_bundle,
)
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.intake.helpers import Filer, example_subject, make_filer


def own_subject() -> dict[str, Any]:
    """The worked example as a factory's own operations: nothing allocated to anyone, and
    credits no supplier retires."""
    subject = example_subject()
    del subject["allocations"]
    subject["offsets"][0]["serials"] = ["CCER-2024-OWN-000001..000100"]
    return subject


@dataclass
class Actor:
    """A signed-in person in a browser session of their own."""

    user: User
    client: FlaskClient

    def post(self, url: str, body: Any) -> Any:
        with self.client.session_transaction() as sess:
            token = str(sess["csrf"])
        return self.client.post(url, json=body, headers={"X-CSRF-Token": token})

    def register_key(self, org: Organization, key: PrivateKey) -> Any:
        base = f"/api/v1/organizations/{org.id}/keys"
        challenge = self.post(f"{base}/challenge", {})
        if challenge.status_code != 201:
            return challenge
        event = sign_key_event(
            build_registration(organization=org.urn, public_jwk=public_jwk(key)),
            private_keys=[key],
        )
        proof = sign_pop(challenge.get_json(), private_key=key)
        return self.post(base, {"proof": proof, "event": event, "label": "own operations"})

    def submit(self, subject: dict[str, Any], *, issuer: Organization, key: PrivateKey) -> Any:
        return self.post("/api/v1/disclosures", {"jws": signed(subject, issuer, key)})


def signed(subject: dict[str, Any], issuer: Organization, key: PrivateKey) -> str:
    return sign(credential=build_credential(subject=subject, issuer=issuer.urn), private_key=key)


def _actor(filer: Filer, org: Organization, role: Role) -> Actor:
    session = filer_session(filer)
    user = make_user(session, org, role)
    session.commit()
    client = filer.client.application.test_client()
    sign_in(client, user)
    return Actor(user, client)


def filer_session(filer: Filer) -> Session:
    from sqlalchemy.orm import object_session

    found = object_session(filer.supplier)
    assert found is not None
    return found


def _factory_filing(session: Session, client: FlaskClient) -> tuple[Filer, Actor, PrivateKey]:
    """A supplier filer (as in the other intake tests) whose customer's analyst has registered
    a key for the factory's own operations."""
    filer = make_filer(session, client)
    analyst = _actor(filer, filer.factory, Role.FACTORY_ANALYST)
    key = generate_key("Ed25519")
    response = analyst.register_key(filer.factory, key)
    assert response.status_code == 201, response.get_json()
    return filer, analyst, key


def _stored_for(session: Session, org: Organization) -> int | None:
    return session.scalar(
        select(func.count())
        .select_from(StoredDisclosure)
        .where(StoredDisclosure.organization_id == org.id)
    )


def _refused(response: Any, status: int, problem: str) -> None:
    assert response.status_code == status, response.get_json()
    assert response.get_json()["type"] == f"urn:esgx:problem:{problem}"


def test_who_files_and_who_manages_keys() -> None:
    assert SUPPLIER_ROLES | {Role.FACTORY_ANALYST} == FILER_ROLES
    assert {Role.SUPPLIER_ADMIN, Role.FACTORY_ANALYST} == KEY_ADMIN_ROLES
    for role in (Role.PROCUREMENT, Role.OPERATOR_ADMIN):
        assert role not in FILER_ROLES and role not in KEY_ADMIN_ROLES


def test_factory_analyst_files_own_operations_like_a_supplier(
    client: FlaskClient, session: Session
) -> None:
    filer, analyst, key = _factory_filing(session, client)
    jws = signed(own_subject(), filer.factory, key)
    response = analyst.post("/api/v1/disclosures", {"jws": jws})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["receipt"] and body["duplicate"] is False
    row = session.get(StoredDisclosure, uuid.UUID(body["id"]))
    assert row is not None
    assert (row.organization_id, row.issuer, row.submitted_by) == (
        filer.factory.id,
        filer.factory.urn,
        analyst.user.id,
    )
    bundle = analyst.client.get(f"/api/v1/disclosures/{row.id}/bundle").get_json()
    verified = verify_bundle(bundle, log_key=bundle["logKey"])
    assert verified.credential.issuer == filer.factory.urn
    # The same credential again is the same disclosure, as for suppliers.
    again = analyst.post("/api/v1/disclosures", {"jws": jws})
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    # ... and the supplier still files for itself exactly as before.
    assert filer.submit(example_subject()).status_code == 201
    assert (_stored_for(session, filer.factory), _stored_for(session, filer.supplier)) == (1, 1)


def test_factory_analyst_cannot_file_or_manage_keys_for_a_supplier(
    client: FlaskClient, session: Session
) -> None:
    filer, analyst, factory_key = _factory_filing(session, client)
    # The supplier's profile is visible to its customer, so this is a 403, not a 404.
    _refused(analyst.register_key(filer.supplier, generate_key("Ed25519")), 403, "forbidden")
    # Neither the supplier's key nor the factory's own key can carry a supplier credential.
    _refused(
        analyst.submit(example_subject(), issuer=filer.supplier, key=filer.key),
        403,
        "wrong-issuer",
    )
    _refused(
        analyst.submit(example_subject(), issuer=filer.supplier, key=factory_key),
        403,
        "wrong-issuer",
    )
    assert _stored_for(session, filer.supplier) == 0
    refusals = session.scalars(
        select(AuditEvent.organization_id).where(AuditEvent.action == "disclosure.rejected")
    ).all()
    assert refusals == [filer.factory.id, filer.factory.id]  # the factory sees its refusals


def test_supplier_cannot_file_or_manage_keys_for_its_customer(
    client: FlaskClient, session: Session
) -> None:
    filer, _, factory_key = _factory_filing(session, client)
    member = _actor(filer, filer.supplier, Role.SUPPLIER_MEMBER)
    admin = Actor(filer.admin, filer.client)
    for supplier_user in (admin, member):
        # A supplier cannot even see its customer's keys.
        _refused(
            supplier_user.register_key(filer.factory, generate_key("Ed25519")), 404, "not-found"
        )
        _refused(
            supplier_user.submit(own_subject(), issuer=filer.factory, key=factory_key),
            403,
            "wrong-issuer",
        )
        _refused(
            supplier_user.submit(own_subject(), issuer=filer.factory, key=filer.key),
            403,
            "wrong-issuer",
        )
    assert _stored_for(session, filer.factory) == 0


def test_analyst_of_another_factory_cannot_file_for_this_one(
    client: FlaskClient, session: Session
) -> None:
    filer, _, factory_key = _factory_filing(session, client)
    other_factory = make_org(session, "lead_factory", "Factory B", "HB")
    outsider = _actor(filer, other_factory, Role.FACTORY_ANALYST)
    _refused(outsider.register_key(filer.factory, generate_key("Ed25519")), 404, "not-found")
    _refused(
        outsider.submit(own_subject(), issuer=filer.factory, key=factory_key),
        403,
        "wrong-issuer",
    )
    # Its own key, registered for its own factory, does not make it A's issuer either.
    own_key = generate_key("Ed25519")
    assert outsider.register_key(other_factory, own_key).status_code == 201
    _refused(outsider.submit(own_subject(), issuer=filer.factory, key=own_key), 403, "wrong-issuer")
    assert _stored_for(session, filer.factory) == 0
    # What it may do is file for its own factory.
    filed = outsider.submit(own_subject(), issuer=other_factory, key=own_key)
    assert filed.status_code == 201, filed.get_json()


def test_procurement_neither_files_nor_manages_keys(client: FlaskClient, session: Session) -> None:
    filer, _, factory_key = _factory_filing(session, client)
    buyer = _actor(filer, filer.factory, Role.PROCUREMENT)
    _refused(buyer.register_key(filer.factory, generate_key("Ed25519")), 403, "forbidden")
    _refused(
        buyer.submit(own_subject(), issuer=filer.factory, key=factory_key), 403, "wrong-issuer"
    )
    assert _stored_for(session, filer.factory) == 0


def test_factory_machine_client_cannot_manage_keys(client: FlaskClient, session: Session) -> None:
    """An OAuth2 client acts as the factory's analyst, but only within its read scopes."""
    filer, _, _ = _factory_filing(session, client)
    issued = create_oauth_client(
        session,
        organization=filer.factory,
        name="erp",
        scopes=["disclosures:read", "rollups:read"],
        actor_user_id=None,
    )
    token, _ = issue_access_token(
        session,
        client_id=issued.record.client_id,
        client_secret=issued.secret,
        lifetime=timedelta(minutes=5),
    )
    session.commit()
    machine = client.application.test_client()
    response = machine.post(
        f"/api/v1/organizations/{filer.factory.id}/keys/challenge",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    _refused(response, 403, "forbidden")
