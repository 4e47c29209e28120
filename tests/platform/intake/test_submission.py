"""Signed submissions over the API: accepted with a receipt, idempotent, restated, rejected."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.intake.models import DisclosureHead, StoredDisclosure
from esgx_platform.ledger import log
from esgx_platform.ledger.models import LogKey
from signing import generate_key, leaf_hash, verify_receipt
from tests.platform.intake.helpers import example_subject, make_filer


def _stored(session: Session) -> int | None:
    return session.scalar(select(func.count()).select_from(StoredDisclosure))


@pytest.mark.parametrize("alg", ["Ed25519", "ES256"])
def test_worked_example_is_accepted_with_a_receipt(
    client: FlaskClient, session: Session, alg: str
) -> None:
    filer = make_filer(session, client, alg)
    response = filer.submit(example_subject())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["period"] == "2025-Q3"
    assert body["duplicate"] is False
    row = session.get(StoredDisclosure, uuid.UUID(body["id"]))
    assert row is not None
    # Typed figures straight from the example: 812.40 + 2282.77 + (15230.00 + 420.50)
    # = 18745.67 t allocable.
    assert row.scope1_tco2e == Decimal("812.40")
    allocable = row.scope1_tco2e + row.scope2_market_tco2e + row.scope3_upstream_tco2e
    assert allocable == Decimal("18745.67")
    vkey = session.scalars(select(LogKey.verifier_key)).one()
    verified = verify_receipt(body["receipt"], log_key=vkey)
    assert verified.receipt.index == row.log_index
    assert verified.leaf_hash == leaf_hash(log.entry(session, row.log_index).body)


def test_identical_resubmission_returns_the_original(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    jws = filer.sign(example_subject())
    first = filer.post("/api/v1/disclosures", {"jws": jws})
    size = log.current_state(session).size
    again = filer.post("/api/v1/disclosures", {"jws": jws})
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["duplicate"] is True
    assert _stored(session) == 1
    assert log.current_state(session).size == size


def test_raw_vc_jwt_body_is_accepted(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    response = client.post(
        "/api/v1/disclosures",
        data=filer.sign(example_subject()),
        content_type="application/vc+jwt",
        headers=filer.csrf(),
    )
    assert response.status_code == 201


def test_second_filing_for_a_period_needs_a_restatement(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    original = filer.submit(example_subject()).get_json()
    changed = example_subject()
    changed["scope1"] = {"tco2e": "812.50"}
    changed["allocations"] = []
    clash = filer.submit(changed)
    assert clash.status_code == 409
    assert clash.get_json()["type"] == "urn:esgx:problem:period-already-disclosed"
    assert clash.get_json()["current_content_id"] == original["contentId"]
    changed.update(restates=original["contentId"], restatementReason="Meter reading corrected")
    restated = filer.submit(changed)
    assert restated.status_code == 201, restated.get_json()
    body = restated.get_json()
    assert body["restatesId"] == original["id"]
    head = session.scalars(select(DisclosureHead)).one()
    assert str(head.disclosure_id) == body["id"]
    assert head.version == 2
    assert _stored(session) == 2  # both stay


def test_restating_a_superseded_disclosure_is_refused(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    original = filer.submit(example_subject()).get_json()
    second = example_subject()
    second.update(allocations=[], restates=original["contentId"], restatementReason="fix")
    assert filer.submit(second).status_code == 201
    third = example_subject()
    third.update(
        allocations=[], restates=original["contentId"], restatementReason="again", initiatives=[]
    )
    response = filer.submit(third)
    assert response.status_code == 409
    assert response.get_json()["type"] == "urn:esgx:problem:restatement-invalid"


@pytest.mark.parametrize(
    ("tamper", "status", "problem"),
    [
        (
            lambda jws: jws[:-4] + ("AAAA" if not jws.endswith("AAAA") else "BBBB"),
            422,
            "signature-invalid",
        ),
        (lambda jws: "not-a-jws", 400, "malformed"),
        (
            lambda jws: jws.split(".")[0] + "." + jws.split(".")[1] + "x." + jws.split(".")[2],
            400,
            "malformed",
        ),
    ],
)
def test_tampered_jws_is_rejected_and_leaves_only_an_audit_event(
    client: FlaskClient, session: Session, tamper: object, status: int, problem: str
) -> None:
    filer = make_filer(session, client)
    size = log.current_state(session).size
    jws = tamper(filer.sign(example_subject()))  # type: ignore[operator]
    response = filer.post("/api/v1/disclosures", {"jws": jws})
    assert response.status_code == status, response.get_json()
    assert response.get_json()["type"] == f"urn:esgx:problem:{problem}"
    assert _stored(session) == 0
    assert log.current_state(session).size == size
    rejected = session.scalars(
        select(AuditEvent.organization_id).where(AuditEvent.action == "disclosure.rejected")
    ).all()
    assert rejected == [filer.supplier.id]  # the supplier can see its own refusals


def test_unknown_key_is_rejected(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    response = filer.submit(example_subject(), key=generate_key("Ed25519"))
    assert response.status_code == 422
    assert response.get_json()["type"] == "urn:esgx:problem:key-unknown"


def test_schema_errors_name_the_json_path(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    subject = example_subject()
    subject["scope1"]["tco2e"] = "-1"
    response = filer.submit(subject)
    assert response.status_code == 422
    body = response.get_json()
    assert body["type"] == "urn:esgx:problem:schema-invalid"
    assert any(e["path"] == "$.credentialSubject.scope1.tco2e" for e in body["errors"])
    assert all(e["message_zh"] for e in body["errors"])


def test_rule_errors_name_the_json_path(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    subject = example_subject()
    subject["allocations"][0]["allocatedTco2e"] = "5000.00"  # 4686.42 expected
    response = filer.submit(subject)
    assert response.status_code == 422
    body = response.get_json()
    assert body["type"] == "urn:esgx:problem:rule-violation"
    assert [e["path"] for e in body["errors"]] == [
        "$.credentialSubject.allocations[0].allocatedTco2e"
    ]


def test_wrong_content_type_is_415(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    response = client.post(
        "/api/v1/disclosures", data="x", content_type="text/plain", headers=filer.csrf()
    )
    assert response.status_code == 415
    assert response.get_json()["type"] == "urn:esgx:problem:unsupported-media-type"


def test_oversized_body_is_413(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    client.application.config["MAX_CONTENT_LENGTH"] = 1000
    response = filer.post("/api/v1/disclosures", {"jws": "x" * 2000})
    assert response.status_code == 413
    assert response.get_json()["type"] == "urn:esgx:problem:too-large"


def test_another_supplier_cannot_submit_with_this_key(
    client: FlaskClient, session: Session
) -> None:
    from esgx_platform.accounts.models import Role
    from tests.platform.factories import make_org, make_user, sign_in

    filer = make_filer(session, client)
    other = make_org(session, "supplier", "Other Supplier")
    intruder = make_user(session, other, Role.SUPPLIER_ADMIN)
    session.commit()
    jws = filer.sign(example_subject())
    intruder_client = client.application.test_client()
    sign_in(intruder_client, intruder)
    with intruder_client.session_transaction() as sess:
        token = str(sess["csrf"])
    response = intruder_client.post(
        "/api/v1/disclosures", json={"jws": jws}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 403
    assert response.get_json()["type"] == "urn:esgx:problem:wrong-issuer"
    assert _stored(session) == 0


def test_batch_accepts_and_rejects_each_item(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    good = filer.sign(example_subject())
    q2 = example_subject()
    q2["period"] = "2025-Q2"
    q2["offsets"] = []  # its serials were retired in Q3's disclosure: a second claim is refused
    response = filer.post(
        "/api/v1/disclosures/batch", {"jws": [good, "garbage", filer.sign(q2), good]}
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [201, 400, 201, 200]
    assert results[1]["problem"]["type"] == "urn:esgx:problem:malformed"
    assert results[3]["duplicate"] is True
    assert _stored(session) == 2


def test_batch_items_see_the_items_before_them(client: FlaskClient, session: Session) -> None:
    """Within one batch (one flush at the end), a later item is judged against the earlier
    ones: a second filing for the period is refused, a restatement of the first is accepted,
    and offset serials claimed earlier in the batch cannot be claimed again."""
    filer = make_filer(session, client)
    first = example_subject()
    again = example_subject()
    again["initiatives"] = []  # a different document for the same quarter
    first_jws = filer.sign(first)
    content_id = first_jws_content(first_jws)
    restated = example_subject()
    restated.update(restates=content_id, restatementReason="typo", initiatives=[])
    restated["allocations"] = []
    q2 = example_subject()
    q2["period"] = "2025-Q2"  # re-uses Q3's offset serials: refused
    response = filer.post(
        "/api/v1/disclosures/batch",
        {"jws": [first_jws, filer.sign(again), filer.sign(restated), filer.sign(q2)]},
    )
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [201, 409, 201, 422]
    assert results[1]["problem"]["type"] == "urn:esgx:problem:period-already-disclosed"
    assert results[2]["restatesId"] == results[0]["id"]
    assert results[3]["problem"]["errors"][0]["path"].startswith("$.credentialSubject.offsets")
    assert _stored(session) == 2


def first_jws_content(jws: str) -> str:
    import base64
    import hashlib

    payload = jws.split(".")[1]
    return hashlib.sha256(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).hexdigest()


def test_refused_batch_item_leaves_no_reporting_period(
    client: FlaskClient, session: Session
) -> None:
    from esgx_platform.periods.models import ReportingPeriod

    filer = make_filer(session, client)
    orphan = example_subject()
    orphan.update(period="2019-Q1", offsets=[], restates="ab" * 32, restatementReason="x")
    response = filer.post("/api/v1/disclosures/batch", {"jws": [filer.sign(orphan)]})
    assert response.get_json()["results"][0]["status"] == 409
    assert session.scalar(select(ReportingPeriod).where(ReportingPeriod.key == "2019-Q1")) is None
