"""Stand-alone ProductFootprint credentials, and the worked example linked to one."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from signing import build_credential, sign, verify_bundle
from tests.platform.intake.helpers import EXAMPLE, Filer, make_filer

FOOTPRINT = Path(__file__).parents[1] / "disclosures" / "example_footprint.json"


def footprint() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(FOOTPRINT.read_text(encoding="utf-8"))
    return copy.deepcopy(doc)


def footprint_jws(filer: Filer, subject: dict[str, Any]) -> str:
    credential = build_credential(
        subject=subject, issuer=filer.supplier.urn, kind="ProductFootprint"
    )
    return sign(credential=credential, private_key=filer.key)


def file_footprint(filer: Filer, subject: dict[str, Any]) -> Any:
    return filer.post("/api/v1/footprints", {"jws": footprint_jws(filer, subject)})


def test_worked_example_with_its_linked_footprint(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    unlinked = json.loads(EXAMPLE.read_text(encoding="utf-8"))  # exactly as in the docs
    refused = filer.submit(unlinked)
    assert refused.status_code == 422  # its footprint 3f1c2a9e-… is not on the platform yet
    assert refused.get_json()["errors"][0]["path"] == (
        "$.credentialSubject.allocations[0].productFootprintIds[0]"
    )
    filed = file_footprint(filer, footprint())
    assert filed.status_code == 201, filed.get_json()
    assert filed.get_json()["footprintId"] == "3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c"
    assert filer.submit(unlinked).status_code == 201


def test_footprint_bundle_verifies_offline(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    jws = footprint_jws(filer, footprint())
    body = filer.post("/api/v1/footprints", {"jws": jws}).get_json()
    bundle = client.get(body["bundleUrl"]).get_json()
    verified = verify_bundle(bundle, log_key=bundle["logKey"])
    assert verified.credential.content_id == body["contentId"]
    # The same credential again (validFrom is part of it, so it must be the same JWS).
    again = filer.post("/api/v1/footprints", {"jws": jws})
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]


def test_a_footprint_id_is_filed_once(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    assert file_footprint(filer, footprint()).status_code == 201
    changed = footprint()
    changed["pcf"]["pcfExcludingBiogenicUptake"] = "5.90"
    response = file_footprint(filer, changed)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "$.credentialSubject.id"


def test_footprint_of_another_company_is_refused(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    foreign = footprint()
    foreign["companyIds"] = ["urn:esgx:org:91120116MA05R7T29K"]
    response = file_footprint(filer, foreign)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "$.credentialSubject.companyIds"


def test_a_disclosure_is_not_a_footprint(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    jws = filer.sign(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    response = filer.post("/api/v1/footprints", {"jws": jws})
    assert response.status_code == 400
    assert response.get_json()["type"] == "urn:esgx:problem:malformed"


def test_footprints_are_read_by_the_supplier_and_consenting_customers(
    client: FlaskClient, session: Session
) -> None:
    from esgx_platform.accounts.models import Role
    from tests.platform.factories import make_org, make_user, sign_in

    filer = make_filer(session, client)
    body = file_footprint(filer, footprint()).get_json()
    outsider = make_user(session, make_org(session, "supplier", "Outsider"), Role.SUPPLIER_ADMIN)
    session.commit()
    analyst, other = client.application.test_client(), client.application.test_client()
    sign_in(analyst, filer.analyst)
    sign_in(other, outsider)
    for path in (f"/api/v1/footprints/{body['id']}", body["bundleUrl"]):
        assert client.get(path).status_code == 200
        assert analyst.get(path).status_code == 200
        assert other.get(path).status_code == 404


def test_a_footprint_id_on_file_cannot_carry_other_content(
    client: FlaskClient, session: Session
) -> None:
    """Footprint X is on file; a disclosure carrying other content under X's id is refused
    (the same branch refuses another supplier's id: the owner and the content must match)."""
    from tests.platform.intake.helpers import example_subject

    filer = make_filer(session, client)
    assert file_footprint(filer, footprint()).status_code == 201
    taken = example_subject()
    mine = footprint()
    mine["pcf"]["pcfExcludingBiogenicUptake"] = "9.99"
    taken["productFootprints"] = [mine]
    taken["allocations"][0]["productFootprintIds"] = [mine["id"]]
    response = filer.submit(taken)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "$.credentialSubject.productFootprints[0].id"


def test_batch_reuses_a_footprint_within_the_batch(client: FlaskClient, session: Session) -> None:
    from tests.platform.intake.helpers import example_subject

    filer = make_filer(session, client)
    q3, q2 = example_subject(), example_subject()
    q2.update(period="2025-Q2", offsets=[])
    for subject in (q3, q2):
        subject["productFootprints"] = [footprint()]
        subject["allocations"][0]["productFootprintIds"] = [footprint()["id"]]
    response = filer.post("/api/v1/disclosures/batch", {"jws": [filer.sign(q3), filer.sign(q2)]})
    assert [r["status"] for r in response.get_json()["results"]] == [201, 201]
