"""A supplier with a registered key and the worked-example disclosure, through the real API."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.keys.services import issue_challenge, register_key
from esgx_platform.organizations.models import Organization, SupplyRelationship
from esgx_platform.organizations.services import (
    create_organization,
    create_relationship,
    give_consent,
)
from signing import (
    PrivateKey,
    build_credential,
    build_registration,
    generate_key,
    public_jwk,
    sign,
    sign_key_event,
    sign_pop,
)
from tests.platform.factories import make_user, sign_in

EXAMPLE = Path(__file__).parents[1] / "disclosures" / "example_disclosure.json"
SUPPLIER_USCC = "91320500MA1N2K3P99"  # the issuer of docs/disclosure-model.md's example
FACTORY_USCC = "91120116MA05R7T29K"  # its customer


def example_subject() -> dict[str, Any]:
    """The worked example, less its link to a footprint filed on its own (test_footprints
    files that footprint first and submits the example exactly as documented)."""
    subject: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    subject["allocations"][0]["productFootprintIds"] = []
    return subject


@dataclass
class Filer:
    supplier: Organization
    factory: Organization
    relationship: SupplyRelationship
    admin: User
    analyst: User
    key: PrivateKey
    client: FlaskClient

    def csrf(self) -> dict[str, str]:
        with self.client.session_transaction() as sess:
            return {"X-CSRF-Token": str(sess["csrf"])}

    def post(self, url: str, body: Any) -> Any:
        return self.client.post(url, json=body, headers=self.csrf())

    def sign(self, subject: dict[str, Any], key: PrivateKey | None = None) -> str:
        credential = build_credential(subject=subject, issuer=self.supplier.urn)
        return sign(credential=credential, private_key=key or self.key)

    def submit(self, subject: dict[str, Any], key: PrivateKey | None = None) -> Any:
        return self.post("/api/v1/disclosures", {"jws": self.sign(subject, key)})


def register_key_via_api(filer: Filer, key: PrivateKey) -> Any:
    base = f"/api/v1/organizations/{filer.supplier.id}/keys"
    challenge = filer.post(f"{base}/challenge", {}).get_json()
    event = sign_key_event(
        build_registration(organization=filer.supplier.urn, public_jwk=public_jwk(key)),
        private_keys=[key],
    )
    return filer.post(
        base, {"proof": sign_pop(challenge, private_key=key), "event": event, "label": "test key"}
    )


def register_key_directly(session: Session, supplier: Organization, key: PrivateKey) -> None:
    """Register `key` for `supplier` through the service (challenge, proof of possession, the
    signed registration), as the API would."""
    challenge = issue_challenge(session, organization=supplier)
    event = sign_key_event(
        build_registration(organization=supplier.urn, public_jwk=public_jwk(key)),
        private_keys=[key],
    )
    register_key(
        session,
        organization=supplier,
        proof=sign_pop(challenge, private_key=key),
        event=event,
        actor_user_id=None,
    )


def make_filer(session: Session, client: FlaskClient, alg: str = "Ed25519") -> Filer:
    supplier = create_organization(
        session,
        {
            "kind": "supplier",
            "name_zh": "苏州示例电子",
            "name_en": "Suzhou Example Electronics",
            "uscc": SUPPLIER_USCC,
            "province": "JS",
        },
    )
    factory = create_organization(
        session,
        {
            "kind": "lead_factory",
            "name_zh": "天津示例工厂",
            "name_en": "Tianjin Example Plant",
            "uscc": FACTORY_USCC,
            "province": "TJ",
        },
    )
    rel = create_relationship(
        session,
        lead_factory=factory,
        supplier=supplier,
        scope3_category=1,
        started_on=date(2024, 1, 1),
    )
    give_consent(session, rel, actor_user_id=None)
    admin = make_user(session, supplier, Role.SUPPLIER_ADMIN)
    analyst = make_user(session, factory, Role.FACTORY_ANALYST)
    session.commit()
    sign_in(client, admin)
    filer = Filer(supplier, factory, rel, admin, analyst, generate_key(alg), client)
    response = register_key_via_api(filer, filer.key)
    assert response.status_code == 201, response.get_json()
    return filer
