"""The native feed: verified disclosures with their proof, a stable cursor, ETags, tenancy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.db import utcnow
from esgx_platform.ledger import log
from esgx_platform.ledger.checkpoints import add_cosignature, latest_checkpoint
from esgx_platform.organizations.services import withdraw_consent
from signing import (
    CheckpointError,
    cosign_checkpoint,
    cosigner_verifier_key,
    parse_receipt,
    verify_bundle,
)
from tests.platform.factories import make_org
from tests.platform.intake.helpers import Filer, example_subject, make_filer
from tests.platform.pact.helpers import client_token

FEED = "/api/v1/feed/disclosures"


def _reader(filer: Filer, session: Session, scopes: list[str] | None = None) -> FlaskClient:
    http = filer.client.application.test_client()
    token = client_token(session, filer, scopes or ["disclosures:read"])
    http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return http


def _restate(filer: Filer) -> tuple[dict[str, Any], dict[str, Any]]:
    original = filer.submit(example_subject()).get_json()
    changed = example_subject()
    changed.update(
        scope1={"tco2e": "812.50"},
        allocations=[],
        restates=original["contentId"],
        restatementReason="Meter reading corrected",
    )
    restated = filer.submit(changed)
    assert restated.status_code == 201, restated.get_json()
    return original, restated.get_json()


def _next_quarter() -> dict[str, Any]:
    later = example_subject()
    later.update(period="2025-Q4", allocations=[], offsets=[])
    return later


def test_records_come_with_their_subject_and_a_bundle_that_verifies_offline(
    client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    filer = make_filer(session, client)
    original, restated = _restate(filer)
    reader = _reader(filer, session)
    response = reader.get(FEED)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [item["id"] for item in body["data"]] == [original["id"], restated["id"]]
    first, second = body["data"]
    assert first["supplier"]["urn"] == filer.supplier.urn
    assert first["period"] == "2025-Q3"
    assert first["credentialSubject"]["scope1"] != second["credentialSubject"]["scope1"]
    assert second["restatesId"] == original["id"]
    assert second["restatementReason"] == "Meter reading corrected"
    for item in body["data"]:
        verified = verify_bundle(item["bundle"], log_key=item["bundle"]["logKey"])
        assert item["bundle"]["credential"] == item["bundle"]["credential"].strip()
        assert verified.credential.content_id == item["contentId"]
        assert verified.credential.payload["credentialSubject"] == item["credentialSubject"]
    # And with the command a lead factory would run, in a process of its own.
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(second["bundle"]), encoding="utf-8")
    log_key = client.get("/api/v1/log/key").get_json()["data"][0]["verifierKey"]
    checked = subprocess.run(
        [sys.executable, "-m", "signing.cli", "verify-bundle", "--log-key", log_key, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_cursor_pages_and_then_waits_for_new_records(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    original, restated = _restate(filer)
    reader = _reader(filer, session)
    first = reader.get(f"{FEED}?limit=1").get_json()
    assert [i["id"] for i in first["data"]] == [original["id"]]
    assert first["hasMore"] is True
    page = reader.get(f"{FEED}?limit=1")
    assert page.headers["Link"].startswith("<http://localhost/api/v1/feed/disclosures?limit=1&")
    second = reader.get(f"{FEED}?limit=1&cursor={first['cursor']}").get_json()
    assert [i["id"] for i in second["data"]] == [restated["id"]]
    assert second["hasMore"] is False
    again = reader.get(f"{FEED}?limit=1&cursor={first['cursor']}").get_json()
    assert again == second  # the same page each time
    caught_up = reader.get(f"{FEED}?cursor={second['cursor']}").get_json()
    assert caught_up["data"] == []
    assert caught_up["cursor"] == second["cursor"]  # poll with the same cursor
    filed = filer.submit(_next_quarter())
    assert filed.status_code == 201, filed.get_json()
    news = reader.get(f"{FEED}?cursor={second['cursor']}").get_json()
    assert [i["id"] for i in news["data"]] == [filed.get_json()["id"]]


def test_an_unchanged_page_answers_not_modified(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    filer.submit(example_subject())
    reader = _reader(filer, session)
    etag = reader.get(FEED).headers["ETag"]
    assert reader.get(FEED, headers={"If-None-Match": etag}).status_code == 304
    assert filer.submit(_next_quarter()).status_code == 201
    assert reader.get(FEED, headers={"If-None-Match": etag}).status_code == 200


def test_only_consenting_suppliers_of_the_callers_factory_are_in_the_feed(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    filer.submit(example_subject())
    other_factory = make_org(session, "lead_factory", "Another Plant")
    session.commit()
    outsider = Filer(
        filer.supplier,
        other_factory,
        filer.relationship,
        filer.admin,
        filer.analyst,
        filer.key,
        client,
    )
    assert _reader(outsider, session).get(FEED).get_json()["data"] == []
    reader = _reader(filer, session)
    assert len(reader.get(FEED).get_json()["data"]) == 1
    withdraw_consent(session, filer.relationship, actor_user_id=None)
    session.commit()
    assert reader.get(FEED).get_json()["data"] == []


def test_bad_cursors_limits_and_scopes_are_refused(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    filer.submit(example_subject())
    reader = _reader(filer, session)
    for query in ("cursor=made-up", "limit=0", "limit=101", "limit=x"):
        response = reader.get(f"{FEED}?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"
    footprints_only = _reader(filer, session, ["footprints:read"])
    assert footprints_only.get(FEED).status_code == 403
    assert client.application.test_client().get(FEED).status_code == 401


def test_bundles_follow_new_cosignatures_and_checkpoints(
    client: FlaskClient, session: Session
) -> None:
    """Bundles are kept per process once built; a witness's later cosignature and a newer
    checkpoint still reach the next answer (the kept bundle is keyed by the note served)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    filer = make_filer(session, client)
    first = filer.submit(example_subject()).get_json()
    reader = _reader(filer, session)
    before = reader.get(FEED).get_json()["data"][0]["bundle"]
    log_key = before["logKey"]
    witness = ed25519.Ed25519PrivateKey.generate()
    witness_key = cosigner_verifier_key(name="witness.example", key=witness)
    checkpoint = latest_checkpoint(session)
    assert checkpoint is not None
    cosigned = cosign_checkpoint(
        checkpoint.note, log_key=log_key, name="witness.example", private_key=witness
    )
    add_cosignature(session, checkpoint=checkpoint, witness_key=witness_key, cosigned_note=cosigned)
    session.commit()
    with pytest.raises(CheckpointError):  # built before the witness signed
        verify_bundle(before, log_key=log_key, witness_keys=[witness_key], quorum=1)
    after = reader.get(FEED).get_json()["data"][0]["bundle"]
    verified = verify_bundle(after, log_key=log_key, witness_keys=[witness_key], quorum=1)
    assert verified.credential.content_id == first["contentId"]
    assert filer.submit(_next_quarter()).status_code == 201
    newer = reader.get(FEED).get_json()["data"][0]["bundle"]
    sizes = [_checkpoint_size(b["receipt"]) for b in (before, after, newer)]
    assert sizes[0] == sizes[1] < sizes[2]  # proved against the newer checkpoint
    verify_bundle(newer, log_key=log_key)


def _checkpoint_size(receipt: str) -> int:
    """The tree size of a receipt's checkpoint (its second line: origin, then size)."""
    return int(parse_receipt(receipt).checkpoint.split("\n")[1])


def test_entries_no_checkpoint_covers_get_one_signed(client: FlaskClient, session: Session) -> None:
    """A log grown past its latest checkpoint (an entry appended without a receipt): the feed
    signs a checkpoint covering it, in a transaction of its own, and serves against it."""
    filer = make_filer(session, client)
    filed = filer.submit(example_subject()).get_json()
    before = latest_checkpoint(session)
    assert before is not None
    log.append(session, kind="test", body=b'{"uncovered":true}', logged_at=utcnow())
    session.commit()
    size = log.current_state(session).size
    assert size == before.size + 1
    response = _reader(filer, session).get(FEED)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    session.expire_all()
    after = latest_checkpoint(session)
    assert after is not None and after.size == size
    assert [item["id"] for item in body["data"]] == [filed["id"]]
    assert _checkpoint_size(body["data"][0]["bundle"]["receipt"]) == size
