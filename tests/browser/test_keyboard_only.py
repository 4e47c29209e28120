"""A supplier files a quarterly disclosure with the keyboard alone: sign in, reach the form,
fill it, check it, land on the error summary, follow an error to its field, fix it, pass."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from esgx_platform.demo.world import DEMO_PASSWORD
from tests.browser.test_sign_in_browser import FORM_FIELDS
from tests.platform.live import live_server

MAX_TABS = 250


def focused(page: Page) -> str:
    """A short description of the focused element: its id, else its text."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return e ? (e.id || e.getAttribute('value') || e.textContent || '').trim() : ''; }"
        )
    )


def tab_to(page: Page, wanted: str) -> None:
    """Press Tab until the element described as `wanted` has the focus (as a keyboard user
    would move through the page); fail if it is never reached."""
    for _ in range(MAX_TABS):
        if focused(page) == wanted:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{wanted!r} is not reachable with Tab")


def test_filing_with_the_keyboard_only(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(live.base + "/login")
        tab_to(page, "email")
        page.keyboard.type("supplier-member@esgx.example")
        tab_to(page, "password")
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(live.base + "/portal/")

        tab_to(page, "季度披露表单")  # the member reads Chinese: "Quarterly disclosure form"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("h1")).to_contain_text("季度披露")
        # Another quarter, chosen from the quarter list by keyboard (checking a draft never
        # files it: filing is signing, a step later).
        tab_to(page, "period-select")
        page.keyboard.press("End")
        tab_to(page, "打开")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # Every figure but Scope 1, typed field by field: the section left empty is an error.
        for name, value in FORM_FIELDS.items():
            if name == "scope1.tco2e":
                continue
            tab_to(page, name)
            page.keyboard.press("Control+A")
            page.keyboard.type(value)
        tab_to(page, "check")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        # The error summary has the focus, and its link takes the keyboard to the field.
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("scope1.tco2e")
        page.keyboard.press("Tab")  # into the summary: its first link names the field
        assert focused(page) == "scope1.tco2e"
        page.keyboard.press("Enter")
        field = page.locator('[id="scope1.tco2e"]')
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        page.keyboard.type(FORM_FIELDS["scope1.tco2e"])
        tab_to(page, "check")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#ready")).to_be_visible()
        page.close()
