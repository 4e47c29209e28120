"""The disclosure through a spreadsheet: template out, filled sheet in, checked like the form."""

from __future__ import annotations

import csv
import io
import zipfile

from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from tests.platform.intake.helpers import make_filer
from tests.platform.test_portal_form import EXAMPLE_FIELDS


def _upload(client: FlaskClient, org_id: object, name: str, data: bytes) -> object:
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    return client.post(
        f"/portal/orgs/{org_id}/form/upload",
        data={"csrf_token": token, "period": "2025-Q3", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_xlsx_template_filled_and_uploaded(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    base = f"/portal/orgs/{filer.supplier.id}/form"
    template = client.get(f"{base}/template.xlsx?period=2025-Q3")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    sheet = book.active
    fields = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert "scope1.tco2e" in fields and "scope3[15].tco2e" in fields
    assert fields["allocations[0].customer"][1].value == "urn:esgx:org:91120116MA05R7T29K"
    for name, value in EXAMPLE_FIELDS.items():
        if name in fields:
            fields[name][1].value = value
    filled = io.BytesIO()
    book.save(filled)
    response = _upload(client, filer.supplier.id, "filled.xlsx", filled.getvalue())
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = client.get(response.headers["Location"])  # type: ignore[attr-defined]
    assert 'id="ready"' in page.text, page.text[:2000]


def test_csv_template_round_trip_and_formula_cells(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    base = f"/portal/orgs/{filer.supplier.id}/form"
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    # A value that a spreadsheet would run as a formula is exported as text.
    client.post(
        f"{base}?period=2025-Q3",
        data={
            **EXAMPLE_FIELDS,
            "verification.provider": '=HYPERLINK("http://x")',
            "csrf_token": token,
            "action": "save",
        },
    )
    exported = client.get(f"{base}/template.csv?period=2025-Q3").data.decode("utf-8-sig")
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(exported)) if row}
    assert rows["verification.provider"].startswith("'=")
    assert rows["scope1.tco2e"] == "812.40"
    response = _upload(client, filer.supplier.id, "back.csv", exported.encode("utf-8"))
    page = client.get(response.headers["Location"])  # type: ignore[attr-defined]
    assert 'value="=HYPERLINK' in page.text  # read back as typed, the quote removed


def test_unreadable_and_oversized_sheets_are_refused(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    garbage = _upload(client, filer.supplier.id, "x.xlsx", b"not a zip at all")
    assert garbage.status_code == 422  # type: ignore[attr-defined]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    refused = _upload(client, filer.supplier.id, "bomb.xlsx", bomb.getvalue())
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "20 MB" in refused.text  # type: ignore[attr-defined]
    wrong = _upload(client, filer.supplier.id, "notes.txt", b"hello")
    assert wrong.status_code == 422  # type: ignore[attr-defined]


def test_other_suppliers_cannot_use_the_sheet_routes(client: FlaskClient, session: Session) -> None:
    from esgx_platform.accounts.models import Role
    from tests.platform.factories import make_org, make_user, sign_in

    filer = make_filer(session, client)
    outsider = make_user(session, make_org(session, "supplier", "Outsider"), Role.SUPPLIER_ADMIN)
    session.commit()
    other = client.application.test_client()
    sign_in(other, outsider)
    assert other.get(f"/portal/orgs/{filer.supplier.id}/form/template.xlsx").status_code == 404
    book = Workbook()
    data = io.BytesIO()
    book.save(data)
    assert _upload(other, filer.supplier.id, "a.xlsx", data.getvalue()).status_code == 404  # type: ignore[attr-defined]


def test_hostile_sheets_and_fields_get_clean_answers(client: FlaskClient, session: Session) -> None:
    filer = make_filer(session, client)
    base = f"/portal/orgs/{filer.supplier.id}/form"
    # A workbook whose sheet XML is cut short.
    good = io.BytesIO()
    Workbook().save(good)
    broken = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if "sheet1" in item.filename else data)
    assert _upload(client, filer.supplier.id, "cut.xlsx", broken.getvalue()).status_code == 422  # type: ignore[attr-defined]
    huge_field = b"field,value\nscope1.tco2e," + b"9" * 200_000 + b"\n"
    assert _upload(client, filer.supplier.id, "long.csv", huge_field).status_code in (413, 422)  # type: ignore[attr-defined]
    with client.session_transaction() as sess:
        token = str(sess["csrf"])
    hostile = {
        "verification": "x",
        "verification[1].a": "y",
        "zz": "x",
        "zz.a": "y",
        "targets[0].baseYear": "9" * 5000,
        "a" + ".b" * 3000: "deep",
        "verification.provider": "bad\x00\x1fname",
        "csrf_token": token,
        "action": "check",
    }
    response = client.post(f"{base}?period=2025-Q3", data=hostile)
    assert response.status_code in (200, 422)
    template = client.get(f"{base}/template.xlsx?period=2025-Q3")
    assert template.status_code == 200  # control characters never reach the sheet


def test_new_columns_round_trip(client: FlaskClient, session: Session) -> None:
    """By gas, initiatives, engagement and footprint links: XLSX in (numbers, a percentage
    cell, 是 for yes), the draft as the form would make it, then CSV out and back unchanged."""
    import json

    from tests.platform.intake.test_footprints import file_footprint, footprint
    from tests.platform.test_portal_form_sections import FILED_FOOTPRINT, NEW_SECTIONS

    filer = make_filer(session, client)
    assert file_footprint(filer, footprint()).status_code == 201
    base = f"/portal/orgs/{filer.supplier.id}/form"
    book = load_workbook(io.BytesIO(client.get(f"{base}/template.xlsx?period=2025-Q3").data))
    assert book.sheetnames == ["disclosure", "说明 Instructions"]
    notes = " ".join(str(row[0].value) for row in book.worksheets[1].iter_rows())
    assert "Product footprints (step 12 of the form) are not in this sheet" in notes
    assert "产品碳足迹（表单第 12 步）不在此表中" in notes
    fields = {row[0].value: row for row in book.active.iter_rows(min_row=2)}
    assert fields["scope1.byGas[0].gas"][1].value == "CO2"  # the form's presets
    assert "scope1.byGas[5].amount" in fields and "initiatives[2].status" in fields
    typed = {
        **EXAMPLE_FIELDS,
        **NEW_SECTIONS,
        "allocations[0].productFootprintIds": FILED_FOOTPRINT,
        "supplyChainEngagement.takeBack": "是",
    }
    for name, value in typed.items():
        if name in fields:
            fields[name][1].value = value
    fields["scope1.byGas[2].amount"][1].value = 18  # a number typed as a number
    fields["supplyChainEngagement.reportingShareBySpend"][1].value = 0.35
    fields["supplyChainEngagement.reportingShareBySpend"][1].number_format = "0.0%"
    filled = io.BytesIO()
    book.save(filled)
    response = _upload(client, filer.supplier.id, "filled.xlsx", filled.getvalue())
    page = client.get(response.headers["Location"])  # type: ignore[attr-defined]
    assert 'id="ready"' in page.text, page.text[:3000]

    def draft_subject() -> dict[str, object]:
        sign = client.get(f"/portal/orgs/{filer.supplier.id}/sign?period=2025-Q3").text
        text = sign.split('spellcheck="false">')[1].split("</textarea>")[0]
        return dict(json.loads(text.replace("&#34;", '"').replace("&quot;", '"')))

    subject = draft_subject()
    assert subject["scope1"] == {
        "tco2e": "812.40",
        "byGasUnit": "co2e",
        "byGas": {"CO2": "790.10", "CH4": "4.30", "N2O": "18"},
    }
    assert subject["supplyChainEngagement"] == {
        "reportingShareBySpend": "35",
        "targetsShareBySpend": "12.0",
        "greenFactory": "provincial",
        "takeBack": True,
    }
    assert subject["initiatives"] == [
        {
            "description": "Air-compressor heat recovery",
            "expectedTco2ePerYear": "310.00",
            "status": "inProgress",
        }
    ]
    assert subject["allocations"][0]["productFootprintIds"] == [FILED_FOOTPRINT]  # type: ignore[index]
    exported = client.get(f"{base}/template.csv?period=2025-Q3").data
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(exported.decode("utf-8-sig")))}
    assert rows["scope1.byGas[2].amount"] == "18"
    assert "Product footprints (step 12" in exported.decode()  # notes, in rows "#": skipped
    _upload(client, filer.supplier.id, "back.csv", exported)
    assert draft_subject() == subject
