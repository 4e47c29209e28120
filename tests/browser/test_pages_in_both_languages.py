"""The main pages in Chinese and English, switched with the header's language button; with
ESGX_SCREENSHOTS_DIR set, each is saved as a screenshot (docs/screenshots/ is made this way)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from esgx_platform.demo.world import DEMO_PASSWORD
from tests.browser.test_sign_in_browser import sign_in
from tests.platform.live import live_server

SHOTS = os.environ.get("ESGX_SCREENSHOTS_DIR")


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def switch_language(page: Page, to: str) -> None:
    page.click(f'button[name="locale"][value="{to}"]')
    page.wait_for_load_state()


def test_supplier_pages_in_both_languages(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        sign_in(page, live, "supplier-admin@esgx.example")
        pages = {
            "portal-home": ("/portal/", ("供应商门户", "Supplier portal")),
            "portal-inbox": ("/portal/inbox", ("收件箱", "Inbox")),
        }
        org_link = page.locator("a", has_text="披露与回执").get_attribute("href") or ""
        org_base = org_link.rsplit("/disclosures", 1)[0]
        pages["portal-disclosures"] = (
            org_base + "/disclosures",
            ("披露与回执", "Disclosures and receipts"),
        )
        pages["portal-keys"] = (org_base + "/keys", ("签名密钥", "Signing keys"))
        pages["portal-sign"] = (
            org_base + "/sign",
            ("签名并提交披露", "Sign and submit a disclosure"),
        )
        pages["portal-form"] = (org_base + "/form", ("季度披露", "Quarterly disclosure"))
        pages["portal-scorecards"] = (
            org_base + "/scorecards",
            ("客户评分卡", "Scorecards from customers"),
        )
        for name, (path, (zh, _en)) in pages.items():
            page.goto(live.base + path)
            expect(page.locator("h1")).to_contain_text(zh)
            shoot(page, f"{name}.zh")
        switch_language(page, "en")  # remembered for the user from now on
        for name, (path, (_zh, en)) in pages.items():
            page.goto(live.base + path)
            expect(page.locator("h1")).to_contain_text(en)
            shoot(page, f"{name}.en")
        page.goto(live.base + "/login")  # signed in: the form redirects; sign out to see it
        page.close()


def test_validation_errors_in_the_users_language(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        page = browser.new_page()
        page.goto(live.base + "/login")
        switch_language(page, "zh")
        page.fill("#email", "supplier-admin@esgx.example")
        page.fill("#password", "not the password")
        page.click("button.primary")
        expect(page.locator(".error-summary")).to_contain_text("电子邮件或密码错误")
        shoot(page, "login-error.zh")
        switch_language(page, "en")
        page.fill("#email", "supplier-admin@esgx.example")
        page.fill("#password", "not the password")
        page.click("button.primary")
        expect(page.locator(".error-summary")).to_contain_text("E-mail or password is wrong")
        page.close()


def test_factory_pages_in_both_languages(browser: Browser, tmp_path: Path) -> None:
    """The analyst's roll-up dashboard and an assessment run from its form, in English (the
    demo analyst's language) and then Chinese; charts are inline SVG with a table behind a
    keyboard-operable disclosure."""
    with live_server(tmp_path, seed_demo=True) as live:
        context = browser.new_context(
            viewport={"width": 1200, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.goto(live.base + "/login")
        page.fill("#email", "analyst@esgx.example")
        page.fill("#password", DEMO_PASSWORD)
        page.click("button.primary")
        page.wait_for_url(live.base + "/")
        page.click("main a:text-is('Scope 3 roll-up')")
        expect(page.locator("h1")).to_contain_text("Scope 3 roll-up")
        expect(page.locator("figure svg.chart")).to_have_count(3)
        rollup = page.url
        summary = page.locator("figure summary").first
        summary.focus()
        page.keyboard.press("Enter")  # opens the figures' table without a mouse
        expect(page.locator("figure details").first).to_have_attribute("open", "")
        shoot(page, "factory-rollup.en")
        page.click("nav.tabs a:text-is('Assessments')")
        page.click("button:text-is('Run the assessment')")
        expect(page.locator("h1")).to_contain_text("Assessment 20")
        expect(page.locator("text=Findings and recommended actions")).to_be_visible()
        shoot(page, "factory-assessment.en")
        with page.expect_download() as download:
            page.click("a:text-is('Evidence pack (ZIP)')")
        download.value.save_as(tmp_path / "evidence.zip")
        verify_evidence_pack(tmp_path / "evidence.zip", tmp_path / "evidence")
        switch_language(page, "zh")
        expect(page.locator("h1")).to_contain_text("年评价")
        shoot(page, "factory-assessment.zh")
        page.goto(rollup)
        expect(page.locator("h1")).to_contain_text("范围三汇总")
        shoot(page, "factory-rollup.zh")
        context.close()


def test_procurement_ranking_in_both_languages(browser: Browser, tmp_path: Path) -> None:
    """Procurement as a new user would on the demo (in Chinese, the demo user's language):
    from the dashboard to the ranking, filter it, open a supplier's scorecard, compare three
    suppliers, download the XLSX and open it; then the ranking in English."""
    with live_server(tmp_path, seed_demo=True) as live:
        context = browser.new_context(
            viewport={"width": 1200, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.goto(live.base + "/login")
        page.fill("#email", "procurement@esgx.example")
        page.fill("#password", DEMO_PASSWORD)
        page.click("button.primary")
        page.wait_for_url(live.base + "/")
        page.click("main a:text-is('供应商排名')")
        expect(page.locator("h1")).to_contain_text("供应商排名")
        expect(page.locator("figure svg.chart")).to_have_count(1)
        rows = page.locator("table.ranking tbody tr")
        everyone = rows.count()
        assert everyone > 10
        shoot(page, "procurement-ranking.zh")
        # Filter: the red band only (every badge left is red, and says so in words).
        page.select_option("#band", "red")
        page.click("form.filters button[type=submit]")
        expect(page.locator("table.ranking tbody .band-red")).to_have_count(rows.count())
        assert 0 < rows.count() < everyone
        expect(page.locator("table.ranking tbody .band")).to_contain_text(["红色"] * rows.count())
        # A supplier's scorecard, component by component.
        rows.first.locator("th a").click()
        expect(page.locator("h1")).to_contain_text("评分卡")
        expect(page.locator("table.scorecard tbody tr")).to_have_count(14)
        expect(page.locator("main")).to_contain_text("为何排在此位")
        shoot(page, "procurement-supplier.zh")
        page.go_back()
        page.click("a:text-is('清除筛选')")
        expect(rows).to_have_count(everyone)
        # Compare three: a plain GET form with checkboxes.
        for i in range(3):
            rows.nth(i).locator("input[type=checkbox]").check()
        page.click("button:text-is('比较所选供应商（2 至 4 家）')")
        expect(page.locator("h1")).to_contain_text("比较供应商")
        expect(page.locator("table.compare thead th")).to_have_count(4)
        page.go_back()
        # The spreadsheet of what is shown, with the weights: it opens cleanly.
        with page.expect_download() as download:
            page.click("a[href*='export.xlsx']")
        assert download.value.suggested_filename.startswith("supplier-ranking-")
        sheet_file = tmp_path / download.value.suggested_filename
        download.value.save_as(sheet_file)
        book = load_workbook(sheet_file)
        assert book.sheetnames[1] == "权重与方法"
        assert book.worksheets[0].max_row == everyone + 1
        switch_language(page, "en")
        expect(page.locator("h1")).to_contain_text("Supplier ranking")
        shoot(page, "procurement-ranking.en")
        context.close()


def verify_evidence_pack(archive: Path, into: Path) -> None:
    """What the pack's README tells an auditor to do, offline: check the manifest, then every
    disclosure's bundle with esgx-sign against the log key in the pack."""
    with zipfile.ZipFile(archive) as pack:
        pack.extractall(into)
    manifest = (into / "MANIFEST.sha256").read_text().splitlines()
    for line in manifest:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((into / name).read_bytes()).hexdigest() == digest, name
    bundles = sorted((into / "bundles").glob("*.json"))
    # The demo factory's four own quarters and its consenting suppliers' 2025 disclosures.
    assert len(bundles) > 100
    for bundle in bundles:
        verified = subprocess.run(
            [
                sys.executable,
                "-m",
                "signing.cli",
                "verify-bundle",
                "--log-key",
                str(into / "log" / "verifier-key.txt"),
                str(bundle),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert verified.returncode == 0, (bundle.name, verified.stderr)
        assert verified.stdout.startswith(f"OK {bundle.stem} ")
