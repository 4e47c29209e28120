"""Hostile spreadsheets at the portal's bulk upload (`/portal/orgs/<id>/form/upload`): zip bombs
(shared strings that inflate hundreds of times, parts read whole beyond their cap, a worksheet
of 280,000 rows), XML entity bombs and external entities, and malformed archives of every kind.
Each is refused with a 422 page within a second, or read without harm; none is a 5xx. Then a
property: any mutation of the real template either reads or is refused with InvalidInput."""

from __future__ import annotations

import contextlib
import io
import os
import random
import time
import zipfile

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from esgx_platform.errors import InvalidInput
from supplier_portal.spreadsheet import read_upload, template_rows, to_xlsx
from tests.platform.intake.helpers import Filer, make_filer

TEMPLATE = to_xlsx(template_rows({"verification.provider": "Verifier Co."}, 1))
SHARED = "xl/sharedStrings.xml"
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


def archive(changes: dict[str, bytes], base: bytes = TEMPLATE) -> bytes:
    """The template with parts replaced or added (shared strings wired into the workbook)."""
    source = zipfile.ZipFile(io.BytesIO(base))
    parts = {name: source.read(name) for name in source.namelist()}
    if SHARED in changes:
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId99"/>'
            b"</Relationships>",
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            f'<Override PartName="/{SHARED}" ContentType="{SHARED_TYPE}"/></Types>'.encode(),
        )
    parts.update(changes)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, body in parts.items():
            target.writestr(name, body)
    return out.getvalue()


def shared_strings(count: int, text: bytes = b"a") -> bytes:
    return SST % (b"<si><t>%s</t></si>" % text * count)


def upload(filer: Filer, name: str, data: bytes) -> TestResponse:
    with filer.client.session_transaction() as sess:
        token = str(sess["csrf"])
    return filer.client.post(
        f"/portal/orgs/{filer.supplier.id}/form/upload",
        data={"csrf_token": token, "period": "2025-Q3", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _random_text(size: int) -> bytes:
    rng = random.Random(20261126)  # noqa: S311 - filler that compresses 4 times, not a secret
    return "".join(rng.choice("acgt") for _ in range(size)).encode()


BOMBS = {
    # 56 KB that would have taken 9 s of parsing (18.7 MB of tiny shared strings) before.
    "shared-strings-bomb": archive({SHARED: shared_strings(1_100_000)}),
    # Incompressible, so within the ratio, but a part read whole beyond 2 MB.
    "oversized-part": archive(
        {SHARED: SST % (b"<si><t>" + _random_text(2_300_000) + b"</t></si>")}
    ),
    # Entity expansion (billion laughs) in a part read whole, and in the worksheet.
    "billion-laughs": archive({SHARED: LAUGHS + SST % b"<si><t>&lol9;</t></si>"}),
    "laughs-in-sheet": archive(
        {"xl/worksheets/sheet1.xml": LAUGHS + b"<worksheet>&lol9;</worksheet>"}
    ),
    # An external entity must never be fetched into a value.
    "external-entity": archive(
        {
            SHARED: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + SST % b"<si><t>&xxe;</t></si>"
        }
    ),
}
MALFORMED = {
    "random-bytes": bytes(range(256)) * 8,
    "truncated": TEMPLATE[: len(TEMPLATE) // 2],
    "empty-zip": b"PK\x05\x06" + b"\x00" * 18,
    "no-workbook": archive({"xl/workbook.xml": b"<not-a-workbook/>"}),
    "bad-xml": archive({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"}),
    "wrong-content-types": archive({"[Content_Types].xml": b"\x00\xff garbage"}),
}
# Read without harm: the member outside the archive's tree is never written anywhere.
HARMLESS = {"path-traversal": archive({"../../../../tmp/esgx-evil.xml": b"<x/>"})}


@pytest.fixture
def filer(client: FlaskClient, session: Session) -> Filer:
    return make_filer(session, client)


@pytest.mark.parametrize("name", sorted(BOMBS) + sorted(HARMLESS))
def test_bombs_are_refused_or_defused_within_a_second(filer: Filer, name: str) -> None:
    started = time.monotonic()
    answer = upload(filer, "bomb.xlsx", {**BOMBS, **HARMLESS}[name])
    assert time.monotonic() - started < 1.5, name
    assert answer.status_code in (302, 422), answer.get_data()[:300]
    assert b"root:" not in answer.get_data()  # /etc/passwd never read into the form
    if answer.status_code == 302:
        page = filer.client.get(answer.headers["Location"]).get_data()
        assert b"root:" not in page and b"lollol" not in page
    assert not os.path.exists("/tmp/esgx-evil.xml")


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_archives_are_a_422(filer: Filer, name: str) -> None:
    assert upload(filer, "sheet.xlsx", MALFORMED[name]).status_code == 422


def test_a_long_worksheet_stops_at_the_row_limit(filer: Filer) -> None:
    head, _, _ = (
        zipfile.ZipFile(io.BytesIO(TEMPLATE))
        .read("xl/worksheets/sheet1.xml")
        .partition(b"<sheetData>")
    )
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
        for i in range(1, 150_000)
    )
    sheet = head + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    started = time.monotonic()
    answer = upload(filer, "long.xlsx", archive({"xl/worksheets/sheet1.xml": sheet}))
    assert answer.status_code == 422 and "2000" in answer.get_data(as_text=True)
    assert time.monotonic() - started < 1.5


@settings(
    max_examples=int(os.environ.get("ESGX_FUZZ_EXAMPLES", "150")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(TEMPLATE) - 1), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=6,
    ),
    cut=st.none() | st.integers(0, len(TEMPLATE)),
)
def test_any_mutation_of_the_template_reads_or_is_refused(
    edits: list[tuple[int, bytes]], cut: int | None
) -> None:
    data = bytearray(TEMPLATE)
    for at, replacement in edits:
        data[at : at + len(replacement)] = replacement
    with contextlib.suppress(InvalidInput):  # anything else fails the test
        read_upload("sheet.xlsx", bytes(data[:cut]))
