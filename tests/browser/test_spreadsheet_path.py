"""In Chromium: download the XLSX template, fill it in, upload it, and see the checked form."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tests.browser.test_sign_in_browser import sign_in
from tests.platform.live import live_server

FIGURES = {
    "scope1.tco2e": "812.40",
    "scope2.locationBasedTco2e": "2650.20",
    "scope2.marketBasedTco2e": "2282.77",
    "energy.electricityMwh": "4994.70",
    "energy.totalEnergyMwh": "6120.30",
    "activity.revenue.amount": "86500000.00",
    "activity.output.amount": "1250000",
}


def test_xlsx_round_trip(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        sign_in(page, live, "supplier-admin@esgx.example")
        page.click("text=季度披露表单")
        page.goto(page.url.split("?")[0] + "?period=2023-Q2")
        page.click("details.spreadsheet summary")
        with page.expect_download() as download:
            page.click("text=XLSX")
        sheet_file = tmp_path / "template.xlsx"
        download.value.save_as(sheet_file)
        book = load_workbook(sheet_file)
        for row in book.active.iter_rows(min_row=2):
            if row[0].value in FIGURES:
                row[1].value = FIGURES[row[0].value]
        book.save(sheet_file)
        page.set_input_files("#file", str(sheet_file))
        page.click("details.spreadsheet button[type=submit]")
        expect(page.locator("#ready")).to_be_visible()
        expect(page.locator('[id="scope1.tco2e"]')).to_have_value("812.40")
        context.close()
