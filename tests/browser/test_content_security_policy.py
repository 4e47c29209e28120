"""The pages under the Content-Security-Policy (web/security.py) in Chromium: every role's pages,
reached by following the links a person sees, report no policy violation, and their scripts
run (the error summary takes focus, the keys page's script answers)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from esgx_platform.demo.world import DEMO_PASSWORD
from tests.platform.live import Live, live_server

# Report every violation to the page itself (init scripts run whatever the policy says).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
USERS = (
    "supplier-admin@esgx.example",
    "analyst@esgx.example",
    "procurement@esgx.example",
    "factory-admin@esgx.example",
    "operator@esgx.example",
)
# Links that download a file or change something are not followed.
SKIP = (".csv", ".xlsx", ".zip", ".json", "/bundle", "/receipt", "/logout", "/run")
PAGES_PER_USER = 30


def _visit(page: Page, url: str, found: list[str]) -> list[str]:
    """Open `url`; violations seen there; the site's links on it."""
    page.goto(url)
    page.wait_for_load_state()
    found += [f"{url}: {v}" for v in page.evaluate("window.__csp")]
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return hrefs


def _crawl(page: Page, live: Live, start: str) -> tuple[int, list[str]]:
    """Breadth first from `start` over this site's pages; (pages seen, violations)."""
    found: list[str] = []
    queue, seen = [start], {start}
    visited = 0
    while queue and visited < PAGES_PER_USER:
        url = queue.pop(0)
        visited += 1
        for href in _visit(page, url, found):
            target = href.split("#", 1)[0]
            if (
                target.startswith(live.base)
                and target not in seen
                and not urlsplit(target).path.endswith(SKIP)
            ):
                seen.add(target)
                queue.append(target)
    return visited, found


def _sign_in(page: Page, live: Live, email: str) -> None:
    page.goto(live.base + "/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state()


def test_no_page_breaks_the_policy(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        console: list[str] = []
        visited = 0
        violations: list[str] = []
        for email in USERS:
            context = browser.new_context()
            context.add_init_script(LISTEN)
            page = context.new_page()

            def _console(message: ConsoleMessage) -> None:
                if "Content Security Policy" in message.text:
                    console.append(message.text)

            page.on("console", _console)
            _sign_in(page, live, email)
            seen, found = _crawl(page, live, page.url)
            visited += seen
            violations += found
            context.close()
        assert visited >= 60, visited
        assert not violations and not console, "\n".join(violations + console)


def test_scripts_run_under_the_policy(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        page = browser.new_page()
        response = page.goto(live.base + "/login")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # plain HTTP here
        page.fill("#email", "supplier-admin@esgx.example")
        page.fill("#password", "not the password")
        page.click("button.primary")
        expect(page.locator(".error-summary")).to_be_focused()  # focus-errors.js ran
        _sign_in(page, live, "supplier-admin@esgx.example")
        page.click("text=签名密钥")
        page.click("#generate")  # portal.js: a key made in the browser with WebCrypto
        expect(page.locator("#key-status")).not_to_be_empty()
        page.close()
