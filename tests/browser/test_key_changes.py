"""In Chromium: make a key, rotate it to a new one (both sign), then revoke the old one."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.browser.test_sign_in_browser import sign_in
from tests.platform.live import live_server


def test_rotate_then_revoke_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        sign_in(page, live, "supplier-admin@esgx.example")
        page.click("text=签名密钥")
        with page.expect_download() as first:
            page.click("#generate")
        old_file = tmp_path / "old.pem"
        first.value.save_as(old_file)
        expect(page.locator("#key-status")).to_contain_text("密钥已注册")
        old_kid = (page.locator("#key-status").text_content() or "").split()[-1]
        page.reload()
        page.set_input_files("#rotate-old", str(old_file))
        with page.expect_download() as second:
            page.click("#rotate")
        new_file = tmp_path / "new.pem"
        second.value.save_as(new_file)
        expect(page.locator("#change-status")).to_contain_text("已轮换")
        page.reload()
        page.select_option("#revoke-kid", old_kid)
        page.select_option("#revoke-reason", "superseded")
        page.set_input_files("#revoke-signer", str(new_file))
        page.click("#revoke")
        expect(page.locator("#change-status")).to_contain_text("已撤销")
        page.reload()
        row = page.locator("#keys-table tr", has_text=old_kid)
        expect(row).to_contain_text("已撤销")
        context.close()
