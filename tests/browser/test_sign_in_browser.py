"""End to end in Chromium: a demo supplier makes a key in the browser, registers it, signs a
disclosure in the browser and gets a receipt whose bundle verifies offline with esgx-sign."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from esgx_platform.demo.world import DEMO_PASSWORD
from signing import generate_key, private_key_pem
from tests.platform.intake.helpers import example_subject
from tests.platform.live import Live, live_server

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# The worked example's figures, typed into the quarterly form (choices keep their presets).
FORM_FIELDS = {
    "scope1.tco2e": "812.40",
    "scope2.locationBasedTco2e": "2650.20",
    "scope2.marketBasedTco2e": "2282.77",
    "energy.electricityMwh": "4994.70",
    "energy.totalEnergyMwh": "6120.30",
    "scope3[1].tco2e": "15230.00",
    "activity.revenue.amount": "86500000.00",
    "activity.output.amount": "1250000",
}
# Steps 9, 11 and 12: Scope 1 by gas (the first rows name CO2, CH4 and N2O already), the
# supplier's own supply-chain engagement, and one PACT product footprint (its id, version,
# status, company, reference period and GWP set are the form's presets).
NEW_STEPS = {
    "scope1.byGas[0].amount": "790.10",
    "scope1.byGas[1].amount": "4.30",
    "scope1.byGas[2].amount": "18.00",
    "supplyChainEngagement.reportingShareBySpend": "35.0",
    "supplyChainEngagement.targetsShareBySpend": "12.0",
    "productFootprints[0].productNameCompany": "Housing A7",
    "productFootprints[0].productDescription": "Die-cast aluminium housing",
    "productFootprints[0].productIds": "urn:pact:example.com:product-id:housing-a7",
    "productFootprints[0].pcf.productMassPerDeclaredUnit": "0.42",
    "productFootprints[0].pcf.pcfExcludingBiogenicUptake": "5.31",
    "productFootprints[0].pcf.pcfIncludingBiogenicUptake": "5.31",
    "productFootprints[0].pcf.fossilGhgEmissions": "5.28",
    "productFootprints[0].pcf.fossilCarbonContent": "0",
}


def sign_in(page: Page, live: Live, email: str) -> None:
    page.goto(live.base + "/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(live.base + "/portal/")


def test_key_made_and_disclosure_signed_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    with live_server(tmp_path, seed_demo=True) as live:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        sign_in(page, live, "supplier-admin@esgx.example")
        expect(page.locator("h1")).to_have_text("供应商门户")  # this demo user reads Chinese
        page.click("text=签名密钥")
        page.select_option("#alg", "ES256")
        with page.expect_download() as download:
            page.click("#generate")
        key_file = tmp_path / "browser-key.pem"
        download.value.save_as(key_file)
        expect(page.locator("#key-status")).to_contain_text("密钥已注册")
        assert "PRIVATE KEY" in key_file.read_text()

        page.goto(page.url.replace("/keys", "/sign"))
        subject = example_subject()
        subject["period"] = "2023-Q3"  # a quarter the demo has not filed
        page.fill("#subject", json.dumps(subject))
        page.click("#review")
        expect(page.locator("#digest")).to_have_text(SHA256_HEX)
        reviewed = page.locator("#digest").text_content() or ""
        page.set_input_files("#sign-key", str(key_file))
        page.click("#sign-submit")
        expect(page.locator("#bundle-link")).to_be_visible()
        expect(page.locator("#result")).to_contain_text(reviewed)  # signed exactly as reviewed
        bundle = page.request.get(
            live.base + (page.locator("#bundle-link").get_attribute("href") or "")
        )
        assert bundle.ok
        (tmp_path / "bundle.json").write_text(bundle.text())
        log_key = page.request.get(live.base + "/api/v1/log/key").json()["data"][0]["verifierKey"]

        # The same quarter again: the page offers a restatement, which then goes through.
        subject["initiatives"] = []
        page.fill("#subject", json.dumps(subject))
        page.click("#sign-submit")
        expect(page.locator("#restate")).to_be_visible()
        page.fill("#restatement-reason", "更正电表读数")
        page.click("#restate-submit")
        expect(page.locator("#bundle-link")).to_be_visible()
        expect(page.locator("#restate")).to_be_hidden()

        # The command-line path: download the reviewed credential, sign it with esgx-sign
        # (with the key made in the browser), upload the JWS.
        subject.update(period="2023-Q1", offsets=[])  # its serials are Q3's already
        page.fill("#subject", json.dumps(subject))
        page.click("#review")
        with page.expect_download() as payload:
            page.click("#download-payload")
        payload.value.save_as(tmp_path / "credential.json")
        signed = subprocess.run(
            [
                sys.executable,
                "-m",
                "signing.cli",
                "sign",
                "--key",
                str(key_file),
                "--credential",
                str(tmp_path / "credential.json"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        (tmp_path / "disclosure.jws").write_text(signed.stdout)
        page.set_input_files("#jws-file", str(tmp_path / "disclosure.jws"))
        page.click("#jws-submit")
        expect(page.locator("#result")).to_contain_text("2023-Q1")

        # The form path: fill the quarterly form (by gas, engagement and a product footprint
        # too), check it, go on to review and sign.
        page.goto(page.url.split("/sign")[0] + "/form?period=2022-Q4")
        for name, value in {**FORM_FIELDS, **NEW_STEPS}.items():
            page.fill(f'[id="{name}"]', value)
        page.select_option('[id="supplyChainEngagement.greenFactory"]', "provincial")
        page.select_option('[id="supplyChainEngagement.takeBack"]', "true")
        footprint_id = page.input_value('[id="productFootprints[0].id"]')
        page.click('button[value="check"]')
        expect(page.locator("#ready")).to_be_visible()
        page.click("#ready a")
        subject_box = page.locator("#subject")
        expect(subject_box).to_contain_text("2022-Q4")
        for shown in ('"N2O": "18.00"', '"greenFactory": "provincial"', footprint_id):
            expect(subject_box).to_contain_text(shown)
        page.set_input_files("#sign-key", str(key_file))
        page.click("#sign-submit")
        expect(page.locator("#bundle-link")).to_be_visible()
        expect(page.locator("#result")).to_contain_text("2022-Q4")  # the receipt shows
        expect(page.locator("#receipt")).not_to_be_empty()

        # A key the platform does not know: a clear refusal, nothing stored.
        stranger = tmp_path / "stranger.pem"
        stranger.write_bytes(private_key_pem(generate_key("Ed25519")))
        subject["period"] = "2023-Q2"
        page.fill("#subject", json.dumps(subject))
        page.set_input_files("#sign-key", str(stranger))
        page.click("#sign-submit")
        expect(page.locator("#result")).to_contain_text("kid")
        history = page.request.get(page.url.replace("/sign", "/disclosures")).text()
        assert "2023-Q3" in history
        assert "2023-Q1" in history
        assert "2022-Q4" in history  # filed through the form
        assert "2023-Q2" not in history
        assert "重述" in history  # the restatement is listed, in Chinese
        context.close()
    verify = subprocess.run(
        [
            sys.executable,
            "-m",
            "signing.cli",
            "verify-bundle",
            "--log-key",
            log_key,
            str(tmp_path / "bundle.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stderr
