"""The log over HTTP: public checkpoint and key, authenticated entries and proofs, cosigning."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric import ed25519
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from signing import (
    cosign_checkpoint,
    cosigner_verifier_key,
    leaf_hash,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from tests.platform.factories import sign_in
from tests.platform.intake.helpers import example_subject, make_filer


def test_checkpoint_and_proofs_verify(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    index = filer.submit(example_subject()).get_json()["logIndex"]
    anonymous = client.application.test_client()
    vkey = anonymous.get("/api/v1/log/key").get_json()["data"][0]["verifierKey"]
    note = anonymous.get("/api/v1/log/checkpoint").text
    checkpoint = verify_checkpoint(note, log_key=vkey).checkpoint
    size = checkpoint.size
    assert anonymous.get(f"/api/v1/log/entries/{index}").status_code == 401
    entry = client.get(f"/api/v1/log/entries/{index}").get_json()
    assert entry["kind"] == "disclosure"
    proof = client.get(f"/api/v1/log/proofs/inclusion?index={index}&size={size}").get_json()
    verify_inclusion(
        leaf_hash(entry["entry"].encode()),
        index,
        size,
        [base64.b64decode(h) for h in proof["proof"]],
        checkpoint.root_hash,
    )
    consistency = client.get(f"/api/v1/log/proofs/consistency?first=1&second={size}").get_json()
    first_root = base64.b64decode(
        client.get("/api/v1/log/entries/0").get_json()["leafHash"]
    )  # a 1-leaf tree's root
    verify_consistency(
        1,
        size,
        [base64.b64decode(h) for h in consistency["proof"]],
        first_root,
        checkpoint.root_hash,
    )


def test_proof_parameters_are_checked(client: FlaskClient, session: Session) -> None:
    make_filer(session, client)
    for query in ("index=0&size=99", "index=x&size=1", "index=2&size=1"):
        response = client.get(f"/api/v1/log/proofs/inclusion?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"


def test_lead_factory_cosigns_a_checkpoint(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    filer.submit(example_subject())
    vkey = client.get("/api/v1/log/key").get_json()["data"][0]["verifierKey"]
    note = client.get("/api/v1/log/checkpoint").text
    size = verify_checkpoint(note, log_key=vkey).checkpoint.size
    witness = ed25519.Ed25519PrivateKey.generate()
    witness_key = cosigner_verifier_key(name="factory.witness", key=witness)
    cosigned = cosign_checkpoint(note, log_key=vkey, name="factory.witness", private_key=witness)
    body = {"witness_key": witness_key, "note": cosigned}
    # The supplier may not witness; the lead factory's analyst may.
    assert filer.post(f"/api/v1/log/checkpoints/{size}/cosignatures", body).status_code == 403
    analyst = client.application.test_client()
    sign_in(analyst, filer.analyst)
    with analyst.session_transaction() as sess:
        token = str(sess["csrf"])
    response = analyst.post(
        f"/api/v1/log/checkpoints/{size}/cosignatures", json=body, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201, response.get_json()
    published = client.get("/api/v1/log/checkpoint").text
    verified = verify_checkpoint(published, log_key=vkey, witness_keys=[witness_key], quorum=1)
    assert set(verified.witnesses) == {"factory.witness"}


def test_hostile_numbers_and_nesting_get_clean_answers(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    for path in (
        "/api/v1/log/proofs/inclusion?index=%C2%B2&size=1",
        "/api/v1/log/proofs/inclusion?index=99999999999999999999&size=1",
    ):
        assert client.get(path).status_code == 422, path
    assert client.get("/api/v1/log/entries/99999999999999999999").status_code == 404
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post(
        "/api/v1/disclosures", data=deep, content_type="application/json", headers=filer.csrf()
    )
    assert response.status_code == 400
    assert response.get_json()["type"] == "urn:esgx:problem:malformed"
