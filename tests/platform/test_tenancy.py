"""Tenant scoping: nobody reads another tenant's data by changing an id."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.errors import Forbidden, NotFound
from esgx_platform.organizations.models import Organization
from esgx_platform.organizations.services import withdraw_consent
from esgx_platform.tenancy import Purpose, TenantScope, load_principal
from tests.platform.factories import make_world, sign_in


def test_supplier_cannot_read_another_supplier_by_id(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_member"])
    assert client.get(f"/api/v1/organizations/{world.supplier_a.id}").status_code == 200
    for url in (
        f"/api/v1/organizations/{world.supplier_b.id}",
        f"/api/v1/organizations/{world.supplier_b.id}/relationships",
        f"/orgs/{world.supplier_b.id}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Supplier B" not in response.text


def test_unknown_and_invisible_ids_look_the_same(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    invisible = client.get(f"/api/v1/organizations/{world.supplier_b.id}").get_json()
    unknown = client.get(f"/api/v1/organizations/{uuid.uuid4()}").get_json()
    assert invisible["type"] == unknown["type"] == "urn:esgx:problem:not-found"
    assert invisible["detail"] == unknown["detail"]


def test_supplier_cannot_change_another_suppliers_consent(
    client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_admin"])
    with client.session_transaction() as sess:
        token = sess["csrf"]
    response = client.post(
        f"/portal/relationships/{world.rel_b.id}/consent/give", data={"csrf_token": token}
    )
    assert response.status_code == 404
    session.refresh(world.rel_b)
    assert not world.rel_b.has_consent


def test_supplier_member_cannot_change_own_consent(client: FlaskClient, session: Session) -> None:
    world = make_world(session)
    sign_in(client, world.users["a_member"])
    with client.session_transaction() as sess:
        token = sess["csrf"]
    response = client.post(
        f"/portal/relationships/{world.rel_a.id}/consent/withdraw", data={"csrf_token": token}
    )
    assert response.status_code == 403
    session.refresh(world.rel_a)
    assert world.rel_a.has_consent


def test_lead_factory_sees_its_suppliers_but_not_others(
    client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    sign_in(client, world.users["analyst"])
    assert client.get(f"/api/v1/organizations/{world.supplier_a.id}").status_code == 200
    rels = client.get(f"/api/v1/organizations/{world.factory.id}/relationships").get_json()
    assert {r["supplier_id"] for r in rels["data"]} == {
        str(world.supplier_a.id),
        str(world.supplier_b.id),
    }
    # A supplier's own list of customers is the supplier's business, not the factory's.
    assert (
        client.get(f"/api/v1/organizations/{world.supplier_a.id}/relationships").status_code == 403
    )
    assert client.get(f"/api/v1/organizations/{world.other_factory.id}").status_code == 404


def test_other_lead_factory_sees_none_of_these_suppliers(
    client: FlaskClient, session: Session
) -> None:
    world = make_world(session)
    sign_in(client, world.users["other_analyst"])
    for org in (world.supplier_a, world.supplier_b, world.factory):
        assert client.get(f"/api/v1/organizations/{org.id}").status_code == 404
    assert client.get(f"/api/v1/organizations/{world.factory.id}/relationships").status_code == 404


def test_consent_governs_data_but_not_profile(session: Session) -> None:
    world = make_world(session)
    scope = TenantScope(session, load_principal(session, world.users["analyst"].id))
    assert scope.can_read(world.supplier_a.id, Purpose.DATA)
    assert not scope.can_read(world.supplier_b.id, Purpose.DATA)  # no consent
    assert scope.can_read(world.supplier_b.id, Purpose.PROFILE)
    withdraw_consent(session, world.rel_a, actor_user_id=None)
    assert not scope.can_read(world.supplier_a.id, Purpose.DATA)


def test_restrict_narrows_list_queries(session: Session) -> None:
    world = make_world(session)
    scope = TenantScope(session, load_principal(session, world.users["a_admin"].id))
    ids = set(session.scalars(scope.restrict(select(Organization.id), Organization.id)))
    assert ids == {world.supplier_a.id}
    operator = TenantScope(session, load_principal(session, world.users["operator"].id))
    every = set(session.scalars(operator.restrict(select(Organization.id), Organization.id)))
    assert {world.supplier_a.id, world.supplier_b.id, world.factory.id} <= every


def test_require_checks_roles(session: Session) -> None:
    world = make_world(session)
    scope = TenantScope(session, load_principal(session, world.users["a_member"].id))
    from esgx_platform.accounts.models import Role

    assert scope.require(world.supplier_a.id, Role.SUPPLIER_MEMBER) is world.supplier_a
    with pytest.raises(Forbidden):
        scope.require(world.supplier_a.id, Role.SUPPLIER_ADMIN)
    with pytest.raises(NotFound):
        scope.require(world.supplier_b.id, Role.SUPPLIER_MEMBER)
