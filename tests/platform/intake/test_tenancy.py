"""Who may read a supplier's disclosures, receipts, bundles and keys, and who may change keys."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.machine.services import create_oauth_client, issue_access_token
from esgx_platform.organizations.services import withdraw_consent
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.intake.helpers import Filer, example_subject, make_filer


def _paths(filer: Filer, disclosure_id: str) -> list[str]:
    return [
        f"/api/v1/disclosures/{disclosure_id}",
        f"/api/v1/disclosures/{disclosure_id}/receipt",
        f"/api/v1/disclosures/{disclosure_id}/bundle",
        f"/api/v1/organizations/{filer.supplier.id}/keys",
        f"/api/v1/organizations/{filer.supplier.id}/key-events",
    ]


def _client_for(filer: Filer, role: Role, kind: str) -> FlaskClient:
    session_org = make_org(filer_session(filer), kind, f"Outsider {role.value}")
    user = make_user(filer_session(filer), session_org, role)
    filer_session(filer).commit()
    client = filer.client.application.test_client()
    sign_in(client, user)
    return client


def filer_session(filer: Filer) -> Session:
    from sqlalchemy.orm import object_session

    found = object_session(filer.supplier)
    assert found is not None
    return found


def test_customer_with_consent_reads_outsiders_do_not(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    disclosure_id = filer.submit(example_subject()).get_json()["id"]
    analyst = client.application.test_client()
    sign_in(analyst, filer.analyst)
    other_supplier = _client_for(filer, Role.SUPPLIER_ADMIN, "supplier")
    other_factory = _client_for(filer, Role.FACTORY_ANALYST, "lead_factory")
    for path in _paths(filer, disclosure_id):
        assert client.get(path).status_code == 200, path  # the supplier itself
        assert analyst.get(path).status_code == 200, path  # its customer, with consent
        assert other_supplier.get(path).status_code == 404, path
        assert other_factory.get(path).status_code == 404, path
        assert client.application.test_client().get(path).status_code == 401, path
    withdraw_consent(session, filer.relationship, actor_user_id=None)
    session.commit()
    for path in _paths(filer, disclosure_id):
        assert analyst.get(path).status_code == 404, path  # consent withdrawn


def test_oauth_client_reads_bundles_of_consenting_suppliers(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    disclosure_id = filer.submit(example_subject()).get_json()["id"]
    issued = create_oauth_client(
        session,
        organization=filer.factory,
        name="erp",
        scopes=["disclosures:read"],
        actor_user_id=None,
    )
    token, _ = issue_access_token(
        session,
        client_id=issued.record.client_id,
        client_secret=issued.secret,
        lifetime=timedelta(minutes=5),
    )
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    machine = client.application.test_client()
    assert (
        machine.get(f"/api/v1/disclosures/{disclosure_id}/bundle", headers=headers).status_code
        == 200
    )
    # Reading does not make it a submitter.
    response = machine.post("/api/v1/disclosures", json={"jws": "x.y.z"}, headers=headers)
    assert response.status_code == 403


def test_only_the_suppliers_admin_manages_keys(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    member = make_user(session, filer.supplier, Role.SUPPLIER_MEMBER)
    session.commit()
    member_client = client.application.test_client()
    sign_in(member_client, member)
    with member_client.session_transaction() as sess:
        token = str(sess["csrf"])
    url = f"/api/v1/organizations/{filer.supplier.id}/keys/challenge"
    assert member_client.post(url, json={}, headers={"X-CSRF-Token": token}).status_code == 403
    outsider = _client_for(filer, Role.SUPPLIER_ADMIN, "supplier")
    with outsider.session_transaction() as sess:
        token = str(sess["csrf"])
    assert outsider.post(url, json={}, headers={"X-CSRF-Token": token}).status_code == 404
    assert filer.post(url, {}).status_code == 201
