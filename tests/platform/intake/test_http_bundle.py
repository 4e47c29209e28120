"""End to end over real HTTP: token, key registration, submission, bundle, offline verification
with `esgx-sign verify-bundle` in a subprocess that has no database and no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from signing import (
    build_credential,
    build_registration,
    generate_key,
    public_jwk,
    sign,
    sign_key_event,
    sign_pop,
)
from tests.platform.intake.helpers import FACTORY_USCC, SUPPLIER_USCC, example_subject
from tests.platform.live import live_server


def _secret(output: str) -> str:
    return output.rsplit(": ", 1)[1].strip()


def test_bundle_downloaded_over_http_verifies_offline(tmp_path: Path) -> None:
    with live_server(tmp_path) as live:
        live.esgx(
            "org",
            "create",
            "--kind",
            "supplier",
            "--name-zh",
            "苏州示例电子",
            "--name-en",
            "Suzhou Example",
            "--uscc",
            SUPPLIER_USCC,
            "--province",
            "JS",
        )
        live.esgx(
            "org",
            "create",
            "--kind",
            "lead_factory",
            "--name-zh",
            "天津示例工厂",
            "--name-en",
            "Tianjin Example",
            "--uscc",
            FACTORY_USCC,
            "--province",
            "TJ",
        )
        supplier_id = live.esgx("org", "list", "--uscc", SUPPLIER_USCC).split()[0]
        live.esgx(
            "relationship",
            "create",
            "--factory",
            FACTORY_USCC,
            "--supplier",
            SUPPLIER_USCC,
            "--category",
            "1",
            "--consent",
        )
        token = _secret(
            live.esgx(
                "token",
                "create",
                "--org",
                SUPPLIER_USCC,
                "--name",
                "erp",
                "--scope",
                "keys:manage",
                "--scope",
                "disclosures:submit",
                "--scope",
                "disclosures:read",
            )
        )
        key = generate_key("ES256")
        urn = f"urn:esgx:org:{SUPPLIER_USCC}"
        base = f"/api/v1/organizations/{supplier_id}/keys"
        status, challenge, _ = live.request("POST", f"{base}/challenge", {}, token=token)
        assert status == 201, challenge
        event = sign_key_event(
            build_registration(organization=urn, public_jwk=public_jwk(key)), private_keys=[key]
        )
        status, body, _ = live.request(
            "POST",
            base,
            {"proof": sign_pop(challenge, private_key=key), "event": event},
            token=token,
        )
        assert status == 201, body
        jws = sign(
            credential=build_credential(subject=example_subject(), issuer=urn), private_key=key
        )
        status, accepted, _ = live.request(
            "POST", "/api/v1/disclosures", jws, token=token, content_type="application/vc+jwt"
        )
        assert status == 201, accepted
        status, _, bundle = live.request("GET", accepted["bundleUrl"], token=token)
        assert status == 200
        _, keys, _ = live.request("GET", "/api/v1/log/key")
    log_key = keys["data"][0]["verifierKey"]
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(bundle, encoding="utf-8")
    verify = [
        sys.executable,
        "-m",
        "signing.cli",
        "verify-bundle",
        "--log-key",
        log_key,
        str(bundle_file),
    ]
    ok = subprocess.run(verify, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    # One changed figure in the bundle's JWS and the offline check fails, saying why.
    doc = json.loads(bundle)
    header, payload, signature = doc["credential"].split(".")
    doc["credential"] = (
        f"{header}.{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{signature}"
    )
    bundle_file.write_text(json.dumps(doc), encoding="utf-8")
    bad = subprocess.run(verify, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert bad.stderr.strip()
    assert "Traceback" not in bad.stderr
