"""The quarterly disclosure form: the API's schema and rules judge it, errors land at fields."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from supplier_portal.form import form_from_subject, subject_from_form
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.intake.helpers import FACTORY_USCC, example_subject, make_filer

# The worked example, typed into the form as a person would (thousands separators included).
EXAMPLE_FIELDS = {
    "boundary": "operationalControl",
    "gwpSet": "AR6",
    "scope1.tco2e": "812.40",
    "scope2.locationBasedTco2e": "2,650.20",
    "scope2.marketBasedTco2e": "2,282.77",
    "energy.electricityMwh": "4,994.70",
    "energy.totalEnergyMwh": "6,120.30",
    "energy.renewableElectricityMwh": "1,250.00",
    "energy.renewableInstruments[0].type": "GEC",
    "energy.renewableInstruments[0].mwh": "1000.00",
    "energy.renewableInstruments[0].certificateIds": "GEC-2025-0001234",
    "energy.renewableInstruments[1].type": "onsite",
    "energy.renewableInstruments[1].mwh": "250.00",
    "scope3[1].tco2e": "15,230.00",
    "scope3[1].method": "spendBased",
    "scope3[4].tco2e": "420.50",
    "scope3[4].method": "averageData",
    "scope3[7].tco2e": "",
    "scope3[7].method": "spendBased",  # a blank row: left out
    "activity.revenue.amount": "86,500,000.00",
    "activity.revenue.currency": "CNY",
    "activity.output.amount": "1250000",
    "activity.output.unit": "piece",
    "allocations[0].customer": f"urn:esgx:org:{FACTORY_USCC}",
    "allocations[0].customerScope3Category": "1",
    "allocations[0].basis": "economic",
    "allocations[0].customerQuantity": "21,625,000.00",
    "allocations[0].totalQuantity": "86,500,000.00",
    "allocations[0].allocatedTco2e": "4686.42",
    "targets[0].scope": "1+2",
    "targets[0].type": "absolute",
    "targets[0].status": "committed",
    "offsets[0].programme": "CCER",  # preset choice only: no offset row
    "verification.level": "none",
}


def test_form_fields_become_the_wire_format() -> None:
    mapped = subject_from_form({"period": "2025-Q3", **EXAMPLE_FIELDS})
    subject = mapped.subject
    assert subject["scope1"] == {"tco2e": "812.40"}
    assert subject["scope3"] == [
        {"category": 1, "tco2e": "15230.00", "method": "spendBased"},
        {"category": 4, "tco2e": "420.50", "method": "averageData"},
    ]
    assert "targets" not in subject and "offsets" not in subject  # presets alone are no row
    assert subject["energy"]["renewableInstruments"][0]["certificateIds"] == ["GEC-2025-0001234"]
    # An error on the second Scope 3 row points back at category 4's field.
    assert mapped.field_for("$.credentialSubject.scope3[1].tco2e") == "scope3[4].tco2e"
    assert subject_from_form(form_from_subject(subject)).subject["energy"] == subject["energy"]


def _post(client: FlaskClient, url: str, fields: dict[str, str], action: str) -> object:
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    return client.post(url, data={**fields, "csrf_token": token, "action": action})


def test_checked_draft_goes_to_signing(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    page = client.get(url)
    assert page.status_code == 200
    assert f"urn:esgx:org:{FACTORY_USCC}" in page.text  # a row for every customer
    response = _post(client, url, EXAMPLE_FIELDS, "check")
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert 'id="ready"' in response.text  # type: ignore[attr-defined]
    sign_page = client.get(f"/portal/orgs/{filer.supplier.id}/sign?period=2025-Q3").text
    assert "86500000.00" in sign_page  # the draft, as the subject to review and sign
    prefilled = sign_page.split('spellcheck="false">')[1].split("</textarea>")[0]
    expected = example_subject()["allocations"][0]
    got = json.loads(prefilled.replace("&#34;", '"').replace("&quot;", '"'))
    assert got["allocations"] == [{k: v for k, v in expected.items() if k != "productFootprintIds"}]


def test_errors_are_shown_at_their_fields(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    broken = {**EXAMPLE_FIELDS, "allocations[0].allocatedTco2e": "5000", "scope1.tco2e": "abc"}
    response = _post(client, url, broken, "check")
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert 'id="error-summary"' in text
    assert 'id="scope1.tco2e-error"' in text  # the schema's complaint, at the field
    # The draft was kept as typed.
    assert 'value="abc"' in client.get(url).text


def test_drafts_are_the_suppliers_own(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    _post(client, url, EXAMPLE_FIELDS, "save")
    outsider = make_user(session, make_org(session, "supplier", "Outsider"), Role.SUPPLIER_ADMIN)
    session.commit()
    other = client.application.test_client()
    sign_in(other, outsider)
    assert other.get(url).status_code == 404
    sign_page = other.get(f"/portal/orgs/{filer.supplier.id}/sign?period=2025-Q3")
    assert sign_page.status_code == 404
