"""Steps 9-12 of the quarterly form (Scope 1 by gas, initiatives, the supplier's own supply-chain
engagement, PACT product footprints) and footprint links in step 6: what a person types reaches
the stored disclosure exactly, the API's schema and rules judge it, and each error comes back at
its field in the person's language."""

from __future__ import annotations

import html
import json
import re
import uuid
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.intake.credentials import stored_subject
from esgx_platform.intake.models import StoredDisclosure, StoredFootprint
from signing import generate_key
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.intake.helpers import Filer, example_subject, make_filer, register_key_via_api
from tests.platform.intake.test_footprints import file_footprint, footprint
from tests.platform.test_portal_form import EXAMPLE_FIELDS

FILED_FOOTPRINT = "3f1c2a9e-5b7d-4c1e-9a2b-7d8e6f5a4b3c"  # example_footprint.json's id
# Steps 9-11 as a person fills them (an empty initiative row first: rows are renumbered).
NEW_SECTIONS = {
    "scope1.byGasUnit": "co2e",
    "scope1.byGas[0].gas": "CO2",
    "scope1.byGas[0].amount": "790.10",
    "scope1.byGas[1].gas": "CH4",
    "scope1.byGas[1].amount": "4.30",
    "scope1.byGas[2].gas": "N2O",
    "scope1.byGas[2].amount": "18.00",
    "initiatives[1].description": "Air-compressor heat recovery",
    "initiatives[1].expectedTco2ePerYear": "310.00",
    "initiatives[1].status": "inProgress",
    "supplyChainEngagement.reportingShareBySpend": "35.0",
    "supplyChainEngagement.targetsShareBySpend": "12.0",
    "supplyChainEngagement.greenFactory": "provincial",
    "supplyChainEngagement.takeBack": "true",
}
# Step 12, the members a person types (the others keep the presets the page shows).
TYPED_FOOTPRINT = {
    "productNameCompany": "Housing A7",
    "productDescription": "Die-cast aluminium housing, machined and anodized",
    "productIds": "urn:pact:example.com:product-id:housing-a7",
    "pcf.productMassPerDeclaredUnit": "0.42",
    "pcf.pcfExcludingBiogenicUptake": "5.31",
    "pcf.pcfIncludingBiogenicUptake": "5.31",
    "pcf.fossilGhgEmissions": "5.28",
    "pcf.fossilCarbonContent": "0",
    "pcf.exemptedEmissionsPercent": "0.8",
    "pcf.primaryDataShare": "55.0",
}


class _FormFields(HTMLParser):
    """What a browser would post for the page's disclosure form (inputs, chosen options,
    ticked boxes); the other forms of the page are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._inside = "disclosure-form" in a.get("class", "")
        elif self._inside and tag == "input" and a.get("type") not in ("file", "submit"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((a["name"], a.get("value", "")))
        elif self._inside and tag == "select":
            self._select = a["name"]
        elif self._select and tag == "option" and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def page_fields(page: str) -> dict[str, Any]:
    parser = _FormFields()
    parser.feed(page)
    out: dict[str, Any] = {}
    for name, value in parser.fields:
        if name.endswith(".productFootprintIds"):  # ticked boxes: one value each
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def post(client: FlaskClient, url: str, fields: dict[str, Any], action: str) -> Any:
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    return client.post(url, data={**fields, "csrf_token": token, "action": action})


def error_at(page: str, field: str) -> str:
    """The error shown at a field ("" if none), after checking the summary links to it."""
    shown = re.findall(rf'<p class="field-error" id="{re.escape(field)}-error">(.*?)</p>', page)
    if shown:
        assert f'href="#{field}"' in page, f"the summary does not link {field}"
    return html.unescape(" ".join(shown))


def filled_form(client: FlaskClient, url: str) -> dict[str, Any]:
    """The whole worked example, steps 1-12, on top of what the page shows."""
    fields = page_fields(client.get(url).text)
    footprint_id = fields["productFootprints[0].id"]
    typed = {f"productFootprints[0].{k}": v for k, v in TYPED_FOOTPRINT.items()}
    links = {"allocations[0].productFootprintIds": [footprint_id, FILED_FOOTPRINT]}
    return {**fields, **EXAMPLE_FIELDS, **NEW_SECTIONS, **typed, **links}


def test_new_sections_reach_the_stored_disclosure_exactly(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    assert file_footprint(filer, footprint()).status_code == 201
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    fields = filled_form(client, url)
    footprint_id = fields["productFootprints[0].id"]
    checked = post(client, url, fields, "check")
    assert 'id="ready"' in checked.text, re.findall(r'class="field-error".*?</p>', checked.text)
    sign_page = client.get(f"/portal/orgs/{filer.supplier.id}/sign?period=2025-Q3").text
    prefilled = html.unescape(sign_page.split('spellcheck="false">')[1].split("</textarea>")[0])
    response = filer.submit(json.loads(prefilled))
    assert response.status_code == 201, response.get_json()
    row = session.scalar(
        select(StoredDisclosure).where(
            StoredDisclosure.content_id == response.get_json()["contentId"]
        )
    )
    assert row is not None
    stored = stored_subject(row.jws)
    assert stored["scope1"] == {
        "tco2e": "812.40",
        "byGasUnit": "co2e",
        "byGas": {"CO2": "790.10", "CH4": "4.30", "N2O": "18.00"},
    }
    assert stored["initiatives"] == [
        {
            "description": "Air-compressor heat recovery",
            "expectedTco2ePerYear": "310.00",
            "status": "inProgress",
        }
    ]
    assert stored["supplyChainEngagement"] == {
        "reportingShareBySpend": "35.0",
        "targetsShareBySpend": "12.0",
        "greenFactory": "provincial",
        "takeBack": True,
    }
    assert stored["allocations"][0]["productFootprintIds"] == [footprint_id, FILED_FOOTPRINT]
    assert stored["productFootprints"] == [
        {
            "id": footprint_id,
            "specVersion": "3.0.3",
            "created": fields["productFootprints[0].created"],
            "status": "Active",
            "companyName": "Suzhou Example Electronics",
            "companyIds": [filer.supplier.urn],
            "productNameCompany": "Housing A7",
            "productDescription": "Die-cast aluminium housing, machined and anodized",
            "productIds": ["urn:pact:example.com:product-id:housing-a7"],
            "pcf": {
                "declaredUnitOfMeasurement": "piece",
                "declaredUnitAmount": "1",
                "productMassPerDeclaredUnit": "0.42",
                "referencePeriodStart": "2025-07-01T00:00:00Z",
                "referencePeriodEnd": "2025-10-01T00:00:00Z",
                "geographyCountry": "CN",
                "pcfExcludingBiogenicUptake": "5.31",
                "pcfIncludingBiogenicUptake": "5.31",
                "fossilGhgEmissions": "5.28",
                "fossilCarbonContent": "0",
                "ipccCharacterizationFactors": ["AR6"],
                "crossSectoralStandards": ["ISO14067"],
                "exemptedEmissionsPercent": "0.8",
                "primaryDataShare": "55.0",
            },
        }
    ]
    filed = session.get(StoredFootprint, uuid.UUID(footprint_id))
    assert filed is not None and filed.disclosure_id == row.id


FP, PCF, SCE = "productFootprints[0].", "productFootprints[0].pcf.", "supplyChainEngagement."
GAS = "scope1.byGas[1]."
Tampered = tuple[dict[str, str], str, str, str]


def one(field: str, value: str, en: str, zh: str, *, at: str | None = None) -> Tampered:
    """A field typed wrong: the error is expected at it (or `at`), saying `en` / `zh`."""
    return {field: value}, at or field, en, zh


# One tampered field per rule of the new sections: ({typed}, error's field, English, Chinese).
TAMPERED: list[Tampered] = [
    one(GAS + "amount", "40.30", "add up to", "合计", at="scope1.byGasUnit"),
    one(GAS + "amount", "-4.30", "negative", "负"),
    one(GAS + "amount", "abc", "decimal", "数"),
    one(GAS + "gas", "C H4", "Not a gas name", "气体名称"),
    ({"scope1.byGas[3].gas": "CO2", "scope1.byGas[3].amount": "0"}, "scope1.byGas[3].gas",
     "earlier row", "前面一行"),
    one("scope1.byGasUnit", "kg", "one of", "之一"),
    ({"scope1.byGasUnit": "tgas", "scope1.byGas[3].gas": "HFC-32", "scope1.byGas[3].amount": "0"},
     "scope1.byGas[3].amount", "no GWP for HFC-32", "HFC-32"),
    one("initiatives[1].status", "someday", "one of", "之一"),
    one("initiatives[1].description", "", "required", "必填"),
    one("initiatives[1].description", "x" * 501, "500", "500"),
    one("initiatives[1].expectedTco2ePerYear", "-1", "negative", "负"),
    one(SCE + "reportingShareBySpend", "120", "at most 100", "不能大于 100"),
    one(SCE + "greenFactory", "global", "one of", "之一"),
    one(SCE + "takeBack", "maybe", "true or false", "true 或 false"),
    one(PCF + "pcfIncludingBiogenicUptake", "6.00", "cannot exceed", "不能大于"),
    one(PCF + "referencePeriodEnd", "2025-06-30", "later than", "晚于"),
    one(PCF + "ipccCharacterizationFactors", "AR5", "AR6", "AR6"),
    one(PCF + "declaredUnitAmount", "0", "greater than 0", "必须大于 0"),
    one(PCF + "exemptedEmissionsPercent", "101", "at most 100", "不能大于 100"),
    one(FP + "productIds", "housing-a7", "URN", "URN"),
    one(FP + "productNameCompany", "", "required", "必填"),
    one(FP + "specVersion", "2.3.0", "PACT 3.x", "PACT 3.x"),
    one(FP + "created", "yesterday", "ISO 8601", "ISO 8601"),
    one(FP + "id", "not-a-uuid", "UUID", "UUID"),
    one(FP + "precedingPfIds", "{id}", "own id", "自身"),
    one("allocations[0].productFootprintIds", FILED_FOOTPRINT.replace("3f", "9a"), "9a1c", "9a1c"),
]  # fmt: skip


@pytest.fixture
def filer_with_footprint(client: FlaskClient, session: Session) -> Filer:
    filer = make_filer(session, client)
    assert file_footprint(filer, footprint()).status_code == 201
    return filer


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_each_rule_comes_back_at_its_field(
    client: FlaskClient, session: Session, filer_with_footprint: Filer, locale: str
) -> None:
    filer = filer_with_footprint
    filer.admin.locale = locale
    session.commit()
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    good = filled_form(client, url)
    assert 'id="ready"' in post(client, url, good, "check").text
    for changes, field, en, zh in TAMPERED:
        typed = {k: v.replace("{id}", good["productFootprints[0].id"]) for k, v in changes.items()}
        response = post(client, url, {**good, **typed}, "check")
        assert response.status_code == 422, typed
        shown = re.findall(r'id="([^"]*)-error"', response.text)
        assert shown == [field], (typed, shown)  # one tampered field, one error, at it
        assert (zh if locale == "zh" else en) in error_at(response.text, field), typed


def test_drafts_keep_the_new_fields(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    fields = filled_form(client, url)
    fields["productFootprints[0].pcf.pcfIncludingBiogenicUptake"] = "9.99"  # wrong, but kept
    assert post(client, url, fields, "save").status_code == 200
    again = page_fields(client.get(url).text)
    for name, value in {
        **NEW_SECTIONS,
        "productFootprints[0].pcf.pcfIncludingBiogenicUptake": "9.99",
    }.items():
        assert again.get(name) == value, name
    assert again["productFootprints[0].id"] == fields["productFootprints[0].id"]
    assert (
        again["allocations[0].productFootprintIds"] == fields["allocations[0].productFootprintIds"]
    )


def test_a_row_is_added_by_saving(client: FlaskClient, filer_with_footprint: Filer) -> None:
    filer = filer_with_footprint
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    fields = filled_form(client, url)
    for rows, first in (
        ("initiatives", "initiatives[2].description"),
        ("productFootprints", "productFootprints[1].productNameCompany"),
        ("scope1.byGas", "scope1.byGas[4].amount"),
    ):
        response = post(client, url, fields, f"add:{rows}")
        assert response.status_code == 303
        assert unquote(response.headers["Location"]).endswith("#" + first)  # at the new row
        fields = page_fields(client.get(url).text)
        assert first in fields  # the new row is on the page, and the typed values were kept
        assert fields["initiatives[1].description"] == "Air-compressor heat recovery"
    assert fields["productFootprints[1].id"] != fields["productFootprints[0].id"]
    assert fields["productFootprints[1].companyIds"] == filer.supplier.urn
    assert 'id="ready"' in post(client, url, fields, "check").text  # preset rows are no rows


def test_only_the_suppliers_own_footprints_are_offered(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    assert file_footprint(filer, footprint()).status_code == 201
    other_org = make_org(session, "supplier", "Other Supplier")
    other_user = make_user(session, other_org, Role.SUPPLIER_ADMIN)
    session.commit()
    other_client = client.application.test_client()
    sign_in(other_client, other_user)
    other = Filer(
        other_org,
        filer.factory,
        filer.relationship,
        other_user,
        filer.analyst,
        generate_key("Ed25519"),
        other_client,
    )
    assert register_key_via_api(other, other.key).status_code == 201
    theirs = footprint()
    theirs.update(id="0b6f3c4d-1111-4222-8333-944455556666", companyIds=[other_org.urn])
    assert file_footprint(other, theirs).status_code == 201
    url = f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3"
    page = client.get(url).text
    assert f'value="{FILED_FOOTPRINT}"' in page and "Housing A7" in page
    assert theirs["id"] not in page
    # Linking it anyway: the rules know only the supplier's own footprints.
    fields = {**filled_form(client, url), "allocations[0].productFootprintIds": [theirs["id"]]}
    response = post(client, url, fields, "check")
    assert theirs["id"] in error_at(response.text, "allocations[0].productFootprintIds")
    assert other_client.get(url).status_code == 404


def at_field(page: str, name: str) -> str:
    """The text of a field's block, from its label to the end of its box."""
    start = page.index(f'<label for="{name}"')
    return re.sub(r"\s+", " ", page[start : page.index("</div>", start)])


def test_last_quarters_new_sections_are_shown(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    q2 = example_subject()
    q2.update(period="2025-Q2", offsets=[])
    assert filer.submit(q2).status_code == 201
    page = client.get(f"/portal/orgs/{filer.supplier.id}/form?period=2025-Q3").text
    assert "Last quarter: 4.30" in at_field(page, "scope1.byGas[1].amount")  # CH4, by its name
    assert "Last quarter: 35.00" in at_field(page, SCE + "reportingShareBySpend")
    assert "Last quarter: Provincial list" in at_field(page, SCE + "greenFactory")
    assert "Last quarter: Yes" in at_field(page, SCE + "takeBack")
    initiatives = page[page.index('<fieldset id="initiatives">') :]
    assert "Air-compressor heat recovery · 310.00 tCO2e per year · In progress" in initiatives
