"""Unicode look-alikes and invisible characters in identifiers: a key's kid, an issuer's and a
customer's URN, a unified social credit code, the e-mail at sign-in. A look-alike never matches
the real identifier: it is refused (or, at sign-in, signs nobody in), and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.errors import InvalidInput
from esgx_platform.organizations.uscc import complete_uscc, validate_uscc
from signing import build_credential, canonicalize, public_jwk
from signing._encoding import b64url_encode
from signing._jws import sign_message
from tests.platform.factories import PASSWORD, csrf_from, make_org, make_user
from tests.platform.intake.helpers import SUPPLIER_USCC, example_subject
from tests.platform.security.hostile import HostileWorld, build_world, stored_counts

ZWSP, ZWJ, NBSP, BOM = "\u200b", "\u200d", "\u00a0", "\ufeff"
CYRILLIC = str.maketrans({"A": "\u0410", "M": "\u041c", "P": "\u0420", "K": "\u041a"})
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def look_alikes(real: str) -> list[str]:
    """The identifier with a character swapped for a look-alike, or an invisible one added."""
    found = [
        real + ZWSP,
        ZWSP + real,
        real[:3] + ZWJ + real[3:],
        real[:5] + BOM + real[5:],
        real + NBSP,
        real.translate(CYRILLIC),
        real.replace("0", FULLWIDTH["0"], 1),
        real.replace("1", FULLWIDTH["1"], 1),
    ]
    return [f for f in found if f != real]


@pytest.fixture
def world(app: Flask, session: Session) -> HostileWorld:
    return build_world(app, session)


def signed(world: HostileWorld, subject: dict[str, Any], *, issuer: str, kid: str) -> str:
    """A compact JWS of the disclosure credential with this issuer, under this kid, signed by
    the supplier's registered key."""
    # The issuer is set after building: `signing` itself refuses a URN with a look-alike.
    credential = {**build_credential(subject=subject, issuer="urn:esgx:org:x"), "issuer": issuer}
    header = {"alg": "EdDSA", "cty": "vc", "kid": kid, "typ": "vc+jwt"}
    signing_input = (
        b64url_encode(json.dumps(header).encode()) + "." + b64url_encode(canonicalize(credential))
    )
    signature = sign_message(world.filer.key, signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def submit_all(app: Flask, world: HostileWorld, session: Session, jws: list[str]) -> set[str]:
    """Submit each; return the problem types; nothing but audit events may be stored."""
    client = world.callers["supplier"].client(app)
    before = stored_counts(session)
    types = set()
    for one in jws:
        answer = client.post("/api/v1/disclosures", json={"jws": one})
        assert 400 <= answer.status_code < 500, answer.get_json()
        types.add(answer.get_json()["type"].removeprefix("urn:esgx:problem:"))
    after = stored_counts(session)
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }
    return types


def _subject(period: str = "2025-Q4") -> dict[str, Any]:
    subject = example_subject()
    subject["period"] = period  # a quarter not yet filed: the real identifiers would pass
    del subject["offsets"]  # the filed quarter retired these serials already
    return subject


def _kid(world: HostileWorld) -> str:
    return str(public_jwk(world.filer.key)["kid"])


def test_a_look_alike_kid_is_an_unknown_key(
    app: Flask, world: HostileWorld, session: Session
) -> None:
    urn = world.filer.supplier.urn
    forged = [signed(world, _subject(), issuer=urn, kid=k) for k in look_alikes(_kid(world))]
    assert submit_all(app, world, session, forged) == {"key-unknown"}


def test_a_look_alike_issuer_is_not_the_keys_organization(
    app: Flask, world: HostileWorld, session: Session
) -> None:
    kid = _kid(world)
    forged = [
        signed(world, _subject(), issuer=f"urn:esgx:org:{code}", kid=kid)
        for code in look_alikes(SUPPLIER_USCC)
    ]
    forged.append(signed(world, _subject(), issuer=world.filer.supplier.urn.lower(), kid=kid))
    assert submit_all(app, world, session, forged) <= {"wrong-issuer", "malformed"}


def test_a_look_alike_customer_is_refused_at_its_path(
    app: Flask, world: HostileWorld, session: Session
) -> None:
    kid, urn = _kid(world), world.filer.supplier.urn
    client = world.callers["supplier"].client(app)
    real = example_subject()["allocations"][0]["customer"]
    for customer in look_alikes(real):
        subject = _subject()
        subject["allocations"][0]["customer"] = customer
        answer = client.post(
            "/api/v1/disclosures", json={"jws": signed(world, subject, issuer=urn, kid=kid)}
        )
        assert answer.status_code == 422, (customer, answer.get_json())
        paths = [e["path"] for e in answer.get_json()["errors"]]
        assert "$.credentialSubject.allocations[0].customer" in paths, (customer, paths)
    honest = client.post(
        "/api/v1/disclosures", json={"jws": signed(world, _subject(), issuer=urn, kid=kid)}
    )
    assert honest.status_code == 201, honest.get_json()  # the same credential, real identifiers


def test_a_look_alike_credit_code_is_refused() -> None:
    real = complete_uscc("91320500MAFF0001")  # with "FF": one ligature "ﬀ" upper-cases to it
    assert validate_uscc(real) == real
    # Surrounding whitespace, NBSP and the ideographic space included, is trimmed as typed.
    others = [real.replace("FF", "\ufb00"), real.replace("F", "\uff26", 1)]
    for code in [c for c in look_alikes(real) if c.strip() != real] + others:
        with pytest.raises(InvalidInput):
            validate_uscc(code)


def test_a_look_alike_email_signs_nobody_in(app: Flask, session: Session) -> None:
    org = make_org(session, "supplier", "Look-alike Supplier")
    user = make_user(session, org, Role.SUPPLIER_ADMIN)
    session.commit()
    local, domain = user.email.split("@")
    forged = [
        local.replace("u", "\u0443") + "@" + domain,  # Cyrillic u
        local + "\uff20" + domain,  # fullwidth at sign
        local + ZWSP + "@" + domain,
        local + "@" + domain.replace("e", "\u0435", 1),  # Cyrillic e
        local + "@" + domain + BOM,
    ]
    for email in forged:
        client = app.test_client()
        token = csrf_from(client)
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert client.get("/api/v1/me").status_code == 401, email
    client = app.test_client()
    token = csrf_from(client)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.get("/api/v1/me").status_code == 200  # the real address does sign in
