"""The supplier's command-line path: esgx-sign makes the key events the API takes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.platform.intake.helpers import example_subject, make_filer


def esgx_sign(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "signing.cli", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_register_rotate_revoke_with_esgx_sign(
    client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    filer = make_filer(session, client)
    base = f"/api/v1/organizations/{filer.supplier.id}/keys"
    old, new = tmp_path / "old.pem", tmp_path / "new.pem"
    old_jwk = json.loads(esgx_sign("keygen", "--alg", "Ed25519", "--out", str(old)))
    new_jwk = json.loads(esgx_sign("keygen", "--alg", "ES256", "--out", str(new)))
    challenge = tmp_path / "challenge.json"
    challenge.write_text(json.dumps(filer.post(f"{base}/challenge", {}).get_json()))
    registered = filer.post(
        base, json.loads(esgx_sign("register", "--key", str(old), str(challenge)))
    )
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["kid"] == old_jwk["kid"]
    rotation = esgx_sign(
        "rotate",
        "--old",
        str(old),
        "--new",
        str(new),
        "--organization",
        filer.supplier.urn,
        "--overlap-days",
        "7",
    )
    rotated = filer.post(f"{base}/rotations", json.loads(rotation))
    assert rotated.status_code == 201, rotated.get_json()
    assert rotated.get_json()["kid"] == new_jwk["kid"]
    # A disclosure signed with the new key (on the command line) is accepted.
    subject_file = tmp_path / "subject.json"
    subject_file.write_text(json.dumps(example_subject()))
    jws = esgx_sign(
        "sign", "--key", str(new), "--issuer", filer.supplier.urn, str(subject_file)
    ).strip()
    assert filer.post("/api/v1/disclosures", {"jws": jws}).status_code == 201
    revocation = esgx_sign(
        "revoke",
        "--key",
        str(new),
        "--organization",
        filer.supplier.urn,
        "--kid",
        old_jwk["kid"],
        "--reason",
        "superseded",
    )
    revoked = filer.post(f"{base}/revocations", json.loads(revocation))
    assert revoked.status_code == 201, revoked.get_json()
    assert revoked.get_json()["status"] == "revoked"
