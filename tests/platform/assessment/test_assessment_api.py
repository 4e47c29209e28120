"""Assessments over HTTP: run, list and read them, and the evidence pack an auditor verifies
offline with the signing library alone (as `esgx-sign verify-bundle` does)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.organizations.services import withdraw_consent
from signing import VerificationError, verify_bundle
from tests.platform.factories import csrf_from
from tests.platform.rollups.test_rollup_api import ApiWorld, _as, _oauth, _token, _world


def _run(app: Flask, session: Session) -> tuple[ApiWorld, str, dict[str, Any]]:
    world = _world(session)
    client = _as(app, world.users["analyst"])
    url = f"/api/v1/factories/{world.w.factory.id}/assessments"
    response = client.post(url, json={"year": 2025}, headers=_csrf(client))
    assert response.status_code == 201, response.get_json()
    return world, url, response.get_json()


def _csrf(client: FlaskClient) -> dict[str, str]:
    """A signed-in browser's JSON request carries the session's CSRF token in a header."""
    return {"X-CSRF-Token": csrf_from(client)}


def test_the_analyst_runs_lists_and_reads_an_assessment(app: Flask, session: Session) -> None:
    world, url, created = _run(app, session)
    client = _as(app, world.users["analyst"])
    assert created["period"] == "2025"
    assert created["inputs"]["supplierDisclosures"] == [world.content_id]
    listed = client.get(url).get_json()["data"]
    assert [a["id"] for a in listed] == [created["id"]]
    one = client.get(f"{url}/{created['id']}").get_json()
    assert (one["grade"], one["totalScore"], one["metrics"]) == (
        created["grade"],
        created["totalScore"],
        created["metrics"],
    )


def test_the_evidence_pack_verifies_offline(app: Flask, session: Session) -> None:
    world, url, created = _run(app, session)
    client = _as(app, world.users["analyst"])
    response = client.get(f"{url}/{created['id']}/evidence.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    files = {name: archive.read(name) for name in archive.namelist()}
    # Every file is in the manifest with its SHA-256, and nothing else is.
    manifest: dict[str, str] = {}
    for line in files["MANIFEST.sha256"].decode().splitlines():
        digest, name = line.split("  ", 1)
        manifest[name] = digest
    assert set(manifest) == set(files) - {"MANIFEST.sha256"}
    for name, digest in manifest.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    # The one disclosure used, as filed, with a bundle that verifies against the log key.
    cid = world.content_id
    assert f"disclosures/{cid}.jws" in files
    key = files["log/verifier-key.txt"].decode().strip()
    verified = verify_bundle(files[f"bundles/{cid}.json"], log_key=key)
    assert verified.credential.content_id == cid
    assert {"README.md", "summary/summary.xlsx", "assessment/snapshot.json"} <= set(files)
    assert f"key-events/{world.alpha.org.uscc}.json" in files
    # A byte changed in the bundle's JWS is caught.
    tampered = files[f"bundles/{cid}.json"].replace(b'"credential": "ey', b'"credential": "eZ')
    with pytest.raises(VerificationError):
        verify_bundle(tampered, log_key=key)


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_analyst", 404), ("supplier", 404), ("procurement", 403), ("operator", 200)],
)
def test_who_may_read_assessments(app: Flask, session: Session, who: str, status: int) -> None:
    world, url, created = _run(app, session)
    client = _as(app, world.users[who])
    for path in ("", f"/{created['id']}", f"/{created['id']}/evidence.zip"):
        assert client.get(url + path).status_code == status, path
    if status != 200:
        assert client.post(url, json={"year": 2025}, headers=_csrf(client)).status_code == status


def test_anonymous_and_machine_access(app: Flask, session: Session) -> None:
    world, url, created = _run(app, session)
    assert app.test_client().get(url).status_code == 401
    client_id, secret = _oauth(session, world.w.factory, ["assessments:read"])
    machine = app.test_client()
    bearer = {"Authorization": f"Bearer {_token(machine, client_id, secret)}"}
    assert machine.get(f"{url}/{created['id']}", headers=bearer).status_code == 200
    # A machine reads; running an assessment is a person's act.
    assert machine.post(url, json={"year": 2025}, headers=bearer).status_code == 403
    rollups_only, secret2 = _oauth(session, world.w.factory, ["rollups:read"])
    other = {"Authorization": f"Bearer {_token(machine, rollups_only, secret2)}"}
    assert machine.get(url, headers=other).status_code == 403


def test_a_bad_year_is_refused_in_both_languages(app: Flask, session: Session) -> None:
    world, url, _ = _run(app, session)
    client = _as(app, world.users["analyst"])
    response = client.post(url, json={"year": "twenty"}, headers=_csrf(client))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"][0]["path"] == "$.year"
    assert problem["errors"][0]["message_zh"]


def test_a_factory_replaces_its_model_over_the_api(app: Flask, session: Session) -> None:
    world, url, first = _run(app, session)
    client = _as(app, world.users["analyst"])
    model_url = f"/api/v1/factories/{world.w.factory.id}/assessment-model"
    model = client.get(model_url).get_json()
    assert model["id"] == "esgx-zero-carbon-factory"
    model["version"] = "1.1.0"
    changed = client.put(model_url, json=model, headers=_csrf(client))
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["version"] == "1.1.0"
    assert client.get(model_url).get_json()["version"] == "1.1.0"
    second = client.post(url, json={"year": 2025}, headers=_csrf(client)).get_json()
    assert second["model"]["version"] == "1.1.0"
    # The earlier snapshot keeps the model it was made with.
    again = client.get(f"{url}/{first['id']}").get_json()
    assert again["model"]["version"] == "1.0.0"
    # A broken model: 422 with the JSON path, and the factory keeps its model.
    del model["grades"]
    refused = client.put(model_url, json=model, headers=_csrf(client))
    assert refused.status_code == 422
    assert any(e["path"] == "$.grades" for e in refused.get_json()["errors"])
    assert client.get(model_url).get_json()["version"] == "1.1.0"
    # Only the factory's analysts may replace it.
    procurement = _as(app, world.users["procurement"])
    assert procurement.put(model_url, json=model, headers=_csrf(procurement)).status_code == 403


def test_the_pack_is_the_same_bytes_each_time_and_follows_consent(
    app: Flask, session: Session
) -> None:
    world, url, created = _run(app, session)
    client = _as(app, world.users["analyst"])
    pack_url = f"{url}/{created['id']}/evidence.zip"
    first = client.get(pack_url).data
    assert client.get(pack_url).data == first  # same snapshot, same access: same bytes
    # Alpha withdraws its consent: its disclosure leaves the pack, listed as withheld.
    withdraw_consent(session, world.alpha.relationship, actor_user_id=None)
    session.commit()
    files = zipfile.ZipFile(io.BytesIO(client.get(pack_url).data))
    names = set(files.namelist())
    assert f"disclosures/{world.content_id}.jws" not in names
    assert json.loads(files.read("withheld.json"))["contentIds"] == [world.content_id]
    assert (
        "1 disclosure(s) the assessment used are not included" in files.read("README.md").decode()
    )


def test_machines_need_both_scopes_for_the_pack(app: Flask, session: Session) -> None:
    world, url, created = _run(app, session)
    machine = app.test_client()
    pack_url = f"{url}/{created['id']}/evidence.zip"
    for scopes, status in (
        (["assessments:read"], 403),
        (["assessments:read", "disclosures:read"], 200),
    ):
        client_id, secret = _oauth(session, world.w.factory, scopes)
        bearer = {"Authorization": f"Bearer {_token(machine, client_id, secret)}"}
        assert machine.get(pack_url, headers=bearer).status_code == status


def test_only_whole_past_years_are_assessed(app: Flask, session: Session) -> None:
    world, url, _ = _run(app, session)
    client = _as(app, world.users["analyst"])
    for year, path in ((2026, "$.year"), (2025.5, "$.year")):
        refused = client.post(url, json={"year": year}, headers=_csrf(client))
        assert refused.status_code == 422, year
        assert refused.get_json()["errors"][0]["path"] in (path, "year")
