"""Small builders for test data, going through the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.accounts.services import add_membership, create_user
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    give_consent,
)
from esgx_platform.organizations.uscc import complete_uscc

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_org(session: Session, kind: str, name: str, province: str = "TJ") -> Organization:
    n = next(_counter)
    code = complete_uscc(f"91120116MA{n:06d}")
    return create_organization(
        session,
        {
            "kind": kind,
            "name_zh": f"{name}（中文）",
            "name_en": name,
            "uscc": code,
            "province": province,
        },
    )


def make_user(session: Session, org: Organization, role: Role, locale: str = "en") -> User:
    n = next(_counter)
    user = create_user(
        session,
        {
            "email": f"user{n}@esgx.example",
            "display_name": f"User {n}",
            "password": PASSWORD,
            "locale": locale,
        },
    )
    add_membership(session, user, org, role)
    return user


@dataclass
class World:
    supplier_a: Organization
    supplier_b: Organization
    factory: Organization
    other_factory: Organization
    operator: Organization
    rel_a: SupplyRelationship  # factory <- supplier A, with consent
    rel_b: SupplyRelationship  # factory <- supplier B, without consent
    users: dict[str, User]


def make_world(session: Session) -> World:
    a = make_org(session, "supplier", "Supplier A", "JS")
    b = make_org(session, "supplier", "Supplier B", "GD")
    factory = make_org(session, "lead_factory", "Factory L")
    other = make_org(session, "lead_factory", "Factory M", "HB")
    operator = make_org(session, "operator", "Operator", "BJ")
    rel_a = create_relationship(
        session, lead_factory=factory, supplier=a, scope3_category=1, started_on=date(2025, 1, 1)
    )
    give_consent(session, rel_a, actor_user_id=None)
    rel_b = create_relationship(
        session, lead_factory=factory, supplier=b, scope3_category=4, started_on=date(2025, 1, 1)
    )
    users = {
        "a_admin": make_user(session, a, Role.SUPPLIER_ADMIN),
        "a_member": make_user(session, a, Role.SUPPLIER_MEMBER),
        "b_admin": make_user(session, b, Role.SUPPLIER_ADMIN),
        "procurement": make_user(session, factory, Role.PROCUREMENT),
        "analyst": make_user(session, factory, Role.FACTORY_ANALYST),
        "other_analyst": make_user(session, other, Role.FACTORY_ANALYST),
        "operator": make_user(session, operator, Role.OPERATOR_ADMIN),
    }
    session.commit()
    return World(a, b, factory, other, operator, rel_a, rel_b, users)


def csrf_from(client: FlaskClient) -> str:
    """The CSRF token of the client's session (as a page would embed it)."""
    client.get("/login")
    with client.session_transaction() as sess:
        return str(sess["csrf"])


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    token = csrf_from(client)
    response = client.post(
        "/login", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.text
