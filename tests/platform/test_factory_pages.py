"""The lead factory's pages: roll-up dashboard and drill-down, assessments with their printable
report, improvement actions; in both languages, and only for the factory's analysts."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.assessment.loading import default_model_text
from esgx_platform.assessment.records import (
    AssessmentSnapshot,
    ImprovementAction,
    ImprovementActionEvent,
)
from esgx_platform.assessment.services import create_action, run_assessment, snapshot_findings
from esgx_platform.db import clock_at
from esgx_platform.demo.seed_filings import register_demo_key
from esgx_platform.factors.spend import NO_RATE
from esgx_platform.intake.credentials import Submitter
from esgx_platform.intake.pipeline import submit_disclosure
from esgx_platform.organizations.models import Organization
from esgx_platform.periods.quarters import Quarter
from esgx_platform.web.factory_format import local
from signing import PrivateKey, build_credential, generate_key, sign
from tests.platform.factories import csrf_from, make_org, make_user, sign_in
from tests.platform.rollups.world import REGISTERED_AT, SIGNER, Scenario, Supplier, at, on_time

Y2024 = [f"2024-Q{n}" for n in range(1, 5)]
Y2025 = [f"2025-Q{n}" for n in range(1, 5)]


@dataclass
class World:
    """Factory "Lead Plant" and three suppliers in 2025 (and Alpha alone in 2024):

    - Alpha (category 1, consent): 40.00 t allocated a quarter on 100,000 CNY, all on time;
      2024: 50.00 t a quarter.
    - Beta (category 4, consent, never files): spend-based, pcb at 0.5 kg/CNY on 60,000 CNY a
      quarter = 30 t a quarter, 120 t in the year.
    - Gamma (category 1, no consent): files 9.99 t a quarter that the factory must never see;
      spend-based on 20,000 CNY a quarter = 10 t a quarter, 40 t in the year.

    2025: 160 + 120 + 40 = 320 t on 720,000 CNY; supplier data 160 / 320 = 50.0 %; coverage
    by spend 400,000 / 720,000 = 55.6 %; on time 1 of 3 suppliers; 2024: 200 t, so +60.0 %.

    The factory's own operations in 2025: Scope 1 100 t + market-based Scope 2 400 t a quarter,
    2,000 t in the year against a 2024 base of 2,400 t (target −42 % by 2030); offsets of
    500 t a quarter that qualify, plus one of 10 t retired before the year (it does not).
    """

    w: Scenario
    alpha: Supplier
    beta: Supplier
    gamma: Supplier
    other: Organization
    users: dict[str, User]

    @property
    def factory(self) -> Organization:
        return self.w.factory

    @property
    def base(self) -> str:
        return f"/factories/{self.w.factory.id}"


def own_subject(quarter: str) -> dict[str, Any]:
    q = Quarter.parse(quarter)
    offsets = [
        {
            "programme": "CCER",
            "registry": "CCER registry",
            "serials": [f"CCER-2024-TEST-{q.quarter}0001..{q.quarter}0500"],
            "vintage": 2024,
            "tco2e": "500",
            "retiredOn": (q.ends_on + timedelta(days=12)).isoformat(),
        }
    ]
    if q.quarter == 4:
        offsets.append(
            {
                "programme": "CCER",
                "registry": "CCER registry",
                "serials": ["CCER-2023-TEST-90001..90010"],
                "vintage": 2023,
                "tco2e": "10",
                "retiredOn": "2024-12-20",
            }
        )
    return {
        "period": quarter,
        "boundary": "operationalControl",
        "gwpSet": "AR6",
        "scope1": {"tco2e": "100.00"},
        "scope2": {"locationBasedTco2e": "450.00", "marketBasedTco2e": "400.00"},
        "energy": {
            "electricityMwh": "1000.00",
            "totalEnergyMwh": "1200.00",
            "renewableElectricityMwh": "200.00",
            "renewableInstruments": [{"type": "onsite", "mwh": "200.00"}],
        },
        "activity": {
            "revenue": {"amount": "5000000.00", "currency": "CNY"},
            "output": {"amount": "1000", "unit": "piece"},
        },
        "targets": [
            {
                "scope": "1+2",
                "type": "absolute",
                "baseYear": 2024,
                "baseTco2e": "2400.00",
                "targetYear": 2030,
                "reductionPercent": "42.0",
                "status": "validated",
            }
        ],
        "offsets": offsets,
        "verification": {
            "level": "limited",
            "provider": "Test Verification Co.",
            "standard": "ISO 14064-3",
            "statementDate": (q.ends_on + timedelta(days=14)).isoformat(),
        },
    }


def _file_own(session: Session, factory: Organization, key: PrivateKey, quarter: str) -> None:
    with clock_at(on_time(quarter)):
        credential = build_credential(
            subject=own_subject(quarter), issuer=factory.urn, valid_from=on_time(quarter)
        )
        submit_disclosure(
            session,
            jws=sign(credential=credential, private_key=key),
            signer=SIGNER,
            with_receipt=False,
            submitter=Submitter({factory.id}, None, "test"),
        )


def make_world(session: Session) -> World:
    w = Scenario(session)
    w.factor_table("pcb,0.5")
    alpha = w.supplier("Alpha", category=1)
    beta = w.supplier("Beta", category=4)
    gamma = w.supplier("Gamma", category=1, consent=False)
    w.sector(beta, "pcb")
    w.sector(gamma, "pcb")
    w.periods(*Y2024)
    for q in Y2024:
        w.file(alpha, q, "50.00")
    for q in Y2025:
        w.spend(alpha, q, "100000.00")
        w.spend(beta, q, "60000.00")
        w.spend(gamma, q, "20000.00")
        w.file(alpha, q, "40.00", verification="limited")
        w.file(gamma, q, "9.99", verification="limited")
    key = generate_key("Ed25519")
    with clock_at(REGISTERED_AT):
        register_demo_key(session, w.factory, key, label="factory key")
    for q in Y2025:
        _file_own(session, w.factory, key, q)
    other = make_org(session, "lead_factory", "Other Plant")
    operator = make_org(session, "operator", "Operator", "BJ")
    users = {
        "analyst": make_user(session, w.factory, Role.FACTORY_ANALYST),
        "analyst_zh": make_user(session, w.factory, Role.FACTORY_ANALYST, locale="zh"),
        "procurement": make_user(session, w.factory, Role.PROCUREMENT),
        "other_analyst": make_user(session, other, Role.FACTORY_ANALYST),
        "supplier": make_user(session, alpha.org, Role.SUPPLIER_ADMIN),
        "operator": make_user(session, operator, Role.OPERATOR_ADMIN),
    }
    session.commit()
    return World(w, alpha, beta, gamma, other, users)


def _as(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    sign_in(client, user)
    return client


def _csrf(client: FlaskClient) -> str:
    with client.session_transaction() as sess:
        return str(sess["csrf"])


def _text(html: str) -> str:
    """The page's visible words, tags stripped and whitespace folded (for phrase checks)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _snapshots(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AssessmentSnapshot)) or 0


# --- the roll-up ---------------------------------------------------------------------------


def test_dashboard_shows_the_years_figures(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    response = client.get(f"{world.base}/rollup?period=2025")
    assert response.status_code == 200
    page = _text(response.text)
    assert "Key figures for 2025" in page
    assert "320.00" in page  # Scope 3: 160 + 120 + 40
    assert "50.0%" in page  # from supplier data: 160 / 320
    assert "55.6%" in page  # coverage by spend: 400,000 / 720,000
    assert "60.0%" in page  # Alpha's primary data share, the only one weighted
    assert "33.3% 1 of 3" in page  # on time
    assert "+60.00% against 2024" in page  # 320 against 200
    # Charts are server-rendered SVG with their figures as tables.
    assert response.text.count("<svg") == 3
    assert "The figures as a table" in page
    for q in Y2025:
        assert q in page
    # Categories, with their drill-down links.
    assert "1 · Purchased goods and services" in page
    assert "4 · Upstream transportation and distribution" in page
    assert f"{world.base}/rollup/categories/4?period=2025" in response.text
    # Status lists: Beta never filed, Gamma gave no consent, nobody was late.
    assert re.search(r"Not disclosed \(1\) Beta 2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4", page)
    assert re.search(r"No data-sharing consent \(1\) Gamma", page)
    assert "Filed late (0)" in page
    # What Gamma filed without consent appears nowhere.
    assert "9.99" not in page
    assert all(cid not in response.text for cid in world.gamma.filed.values())


def test_dashboard_in_chinese_and_for_a_quarter(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst_zh"])
    page = _text(client.get(f"{world.base}/rollup?period=2025").text)
    assert "2025 关键数据" in page
    assert "范围三" in page and "320.00" in page
    assert "外购商品和服务" in page and "上游运输和配送" in page
    assert "供应商分配（混合法）" in page and "支出法估算" in page
    assert "未授权数据共享" in page
    # A quarter: its figures, and the charts over the four quarters up to it (that exist).
    quarter = _text(client.get(f"{world.base}/rollup?period=2025-Q3").text)
    assert "2025-Q3 关键数据" in quarter
    assert "80.00" in quarter  # 40 + 30 + 10


def test_default_period_is_the_latest_complete_year(app: Flask, session: Session) -> None:
    world = make_world(session)
    world.w.periods("2026-Q1")
    session.commit()
    client = _as(app, world.users["analyst"])
    with clock_at(at("2026-05-01")):
        page = client.get(f"{world.base}/rollup").text
    assert "Key figures for 2025" in page
    assert '<option value="2026">Year 2026 (incomplete)</option>' in page
    with clock_at(at("2025-11-01")):  # 2025 has not ended: 2024 is the latest complete year
        assert "Key figures for 2024" in client.get(f"{world.base}/rollup").text


def test_a_period_that_is_not_one_is_refused(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    assert client.get(f"{world.base}/rollup?period=2025-Q7").status_code == 422
    assert client.get(f"{world.base}/rollup?period=2019").status_code == 404


def test_drill_down_from_category_to_supplier(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    category = _text(client.get(f"{world.base}/rollup/categories/1?period=2025").text)
    # Alpha (160 t) before Gamma (40 t), by emissions; shares of the category's 200 t.
    assert category.index("Alpha") < category.index("Gamma")
    assert "160.00" in category and "80.0%" in category and "20.0%" in category
    assert "no consent: estimate only" in category
    assert "Beta" not in category
    alpha = client.get(f"{world.base}/rollup/suppliers/{world.alpha.org.id}?period=2025")
    assert alpha.status_code == 200
    page = _text(alpha.text)
    for q in Y2025:
        assert q in page
    assert "Supplier allocation (hybrid)" in page and "40.00" in page and "100,000.00" in page
    # Each quarter's disclosure, linked to the disclosure and bundle endpoints.
    for q in Y2025:
        cid = world.alpha.filed[q]
        assert cid[:16] in alpha.text
    links = re.findall(r'href="(/api/v1/disclosures/[0-9a-f-]+(?:/bundle)?)"', alpha.text)
    assert len(links) == 8
    assert client.get(links[0]).status_code == 200
    assert client.get(links[1]).headers["Content-Disposition"].startswith("attachment")
    beta = _text(client.get(f"{world.base}/rollup/suppliers/{world.beta.org.id}").text)
    assert "Spend-based estimate" in beta and "30.00" in beta and "not filed" in beta


def test_a_supplier_without_consent_shows_its_name_and_the_estimate_only(
    app: Flask, session: Session
) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    response = client.get(f"{world.base}/rollup/suppliers/{world.gamma.org.id}?period=2025")
    assert response.status_code == 200
    page = _text(response.text)
    assert "Gamma" in page and "has not given consent" in page
    assert "Spend-based estimate" in page and "10.00" in page
    assert "9.99" not in page and "/api/v1/disclosures/" not in response.text
    assert all(cid[:16] not in response.text for cid in world.gamma.filed.values())


def test_another_factorys_supplier_is_not_found(app: Flask, session: Session) -> None:
    world = make_world(session)
    stranger = make_org(session, "supplier", "Stranger")
    session.commit()
    client = _as(app, world.users["analyst"])
    assert client.get(f"{world.base}/rollup/suppliers/{stranger.id}").status_code == 404
    assert client.get(f"{world.base}/rollup/categories/16").status_code == 404


# --- assessments ---------------------------------------------------------------------------


def test_running_an_assessment_creates_one_snapshot_and_shows_it(
    app: Flask, session: Session
) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    form = client.get(f"{world.base}/assessments").text
    assert '<option value="2025" selected>' in form
    before = _snapshots(session)
    response = client.post(
        f"{world.base}/assessments", data={"year": "2025", "csrf_token": _csrf(client)}
    )
    assert response.status_code == 303
    assert _snapshots(session) == before + 1
    (snapshot,) = session.scalars(
        select(AssessmentSnapshot).where(AssessmentSnapshot.organization_id == world.factory.id)
    )
    assert response.headers["Location"].endswith(f"/assessments/{snapshot.id}")
    page = _text(client.get(response.headers["Location"]).text)
    grade = snapshot.result["assessment"]["grade"]["name"]
    assert f"Grade {grade['en']} ({grade['zh']})" in page
    assert snapshot.model_sha256 in page
    assert "Module scores" in page and "Carbon management" in page
    # Gates with their reasons, the neutrality balance with each offset's verdict.
    assert "required at least" in page
    assert "Net emissions 10.00 tCO2e" not in page  # 2,000 t against 2,000 t qualifying
    assert "Net emissions 0.00 tCO2e" in page
    assert "qualifies" in page and "does not qualify" in page
    assert "before the period starts on 2025-01-01" in page
    # The SBTi pathway: 2,000 t in 2025 against 2,400 × (1 − 0.042) = 2,299.20 t.
    assert "On track: 2025 emissions of 2,000.00 tCO2e" in page and "2,299.20" in page
    assert "Own target: 1,392.00 tCO2e" in page
    # Findings, each with the form to commit to an action.
    findings = snapshot_findings(session, snapshot.id)
    assert findings and page.count("Create an improvement action") == len(findings)
    assert findings[0].title_en in page


def test_the_snapshot_and_its_report_in_chinese(app: Flask, session: Session) -> None:
    world = make_world(session)
    snapshot = run_assessment(session, organization=world.factory, year=2025, actor_user_id=None)
    session.commit()
    client = _as(app, world.users["analyst_zh"])
    page = _text(client.get(f"{world.base}/assessments/{snapshot.id}").text)
    assert "2025 年评价" in page
    assert snapshot.result["assessment"]["grade"]["name"]["zh"] in page
    assert "碳管理" in page and "建议措施" in page
    report = client.get(f"{world.base}/assessments/{snapshot.id}/report")
    assert report.status_code == 200
    text = _text(report.text)
    assert "零碳工厂评价报告" in text
    assert snapshot.model_id in text and snapshot.model_version in text
    assert snapshot.model_sha256 in text
    used = len(snapshot.inputs["supplierDisclosures"]) + len(snapshot.inputs["ownDisclosures"])
    assert f"读取的签名披露 {used}" in text
    assert f"读取时透明日志大小 {snapshot.inputs['logSize']}" in text
    finding = snapshot_findings(session, snapshot.id)[0]
    assert finding.title_zh in text and finding.action_zh in text
    # It prints on A4 without the site's header, footer and links (print CSS, no script).
    css = app.test_client().get("/static/esgx.css").text
    assert "size: A4" in css and ".top, .foot, .no-print" in css
    # No inline script (the CSP forbids it); only the site's own script files.
    assert re.search(r"<script(?![^>]*\ssrc=)", report.text) is None
    assert 'class="no-print"' in report.text


def test_running_an_assessment_needs_the_csrf_token(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    response = client.post(f"{world.base}/assessments", data={"year": "2025"})
    assert response.status_code == 403
    assert _snapshots(session) == 0


def test_a_year_without_periods_is_refused_inline(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst_zh"])
    response = client.post(
        f"{world.base}/assessments", data={"year": "2019", "csrf_token": _csrf(client)}
    )
    assert response.status_code == 422
    assert "请选择有报告期的年份。" in response.text and 'aria-invalid="true"' in response.text
    assert _snapshots(session) == 0


# --- improvement actions -------------------------------------------------------------------


def test_actions_are_created_from_findings_and_moved_along(app: Flask, session: Session) -> None:
    world = make_world(session)
    snapshot = run_assessment(session, organization=world.factory, year=2025, actor_user_id=None)
    session.commit()
    finding = snapshot_findings(session, snapshot.id)[0]
    client = _as(app, world.users["analyst"])
    created = client.post(
        f"{world.base}/actions",
        data={
            "title": "Supplier renewables programme",
            "owner": "Energy team",
            "due_on": "2026-03-31",
            "finding_id": str(finding.id),
            "csrf_token": _csrf(client),
        },
    )
    assert created.status_code == 303
    action = session.scalars(select(ImprovementAction)).one()
    assert (action.title, action.status, action.finding_id) == (
        "Supplier renewables programme",
        "open",
        finding.id,
    )
    moved = client.post(
        f"{world.base}/actions/{action.id}/status",
        data={"status": "in_progress", "note": "Kick-off held", "csrf_token": _csrf(client)},
    )
    assert moved.status_code == 303
    page = _text(client.get(f"{world.base}/actions").text)
    assert "In progress (1)" in page and "Open (0)" in page
    assert "Energy team" in page and "2026-03-31" in page
    assert finding.title_en in page  # the linked finding
    assert "Kick-off held" in page
    events = session.scalars(
        select(ImprovementActionEvent).where(ImprovementActionEvent.action_id == action.id)
    ).all()
    assert [e.status for e in events] == ["open", "in_progress"]
    # The snapshot page lists the action under its finding.
    assert (
        "Supplier renewables programme"
        in client.get(f"{world.base}/assessments/{snapshot.id}").text
    )


def test_action_errors_are_shown_inline_in_the_users_language(app: Flask, session: Session) -> None:
    world = make_world(session)
    action = create_action(
        session,
        organization=world.factory,
        title="Audit compressed air",
        owner="Plant engineering",
        due_on=date(2025, 6, 30),
        finding_id=None,
        actor_user_id=None,
    )
    session.commit()
    client = _as(app, world.users["analyst_zh"])
    response = client.post(
        f"{world.base}/actions",
        data={"title": " ", "owner": "", "due_on": "31/03/2026", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 422
    page = response.text
    assert "请填写标题（最多 300 字）。" in page
    assert "请填写负责人（最多 120 字）。" in page
    assert "请按 YYYY-MM-DD 格式填写到期日。" in page
    assert 'value="31/03/2026"' in page  # what was typed stays
    assert session.scalar(select(func.count()).select_from(ImprovementAction)) == 1
    # An unknown status, on the action's own form; the old action is overdue.
    bad = client.post(
        f"{world.base}/actions/{action.id}/status",
        data={"status": "done", "csrf_token": _csrf(client)},
    )
    assert bad.status_code == 422
    assert "请选择未开始、进行中或已关闭。" in bad.text and "已逾期" in bad.text
    english = _as(app, world.users["analyst"])
    response = english.post(
        f"{world.base}/actions",
        data={"title": "", "owner": "x", "due_on": "2026-01-01", "csrf_token": _csrf(english)},
    )
    assert response.status_code == 422 and "Give a title (up to 300 characters)." in response.text


# --- who may see what ----------------------------------------------------------------------


def _routes(
    world: World, snapshot_id: str, action_id: str
) -> list[tuple[str, str, dict[str, str]]]:
    base = world.base
    return [
        ("GET", f"{base}/rollup?period=2025", {}),
        ("GET", f"{base}/rollup/categories/1?period=2025", {}),
        ("GET", f"{base}/rollup/suppliers/{world.alpha.org.id}?period=2025", {}),
        ("GET", f"{base}/assessments", {}),
        ("POST", f"{base}/assessments", {"year": "2025"}),
        ("GET", f"{base}/assessments/{snapshot_id}", {}),
        ("GET", f"{base}/assessments/{snapshot_id}/report", {}),
        ("GET", f"{base}/actions", {}),
        ("POST", f"{base}/actions", {"title": "T", "owner": "O", "due_on": "2026-01-31"}),
        ("POST", f"{base}/actions/{action_id}/status", {"status": "closed"}),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 303),  # anonymous: to the sign-in page
        ("supplier", 404),  # a supplier of the factory does not see the factory
        ("procurement", 403),  # the factory's procurement lacks the analyst's role
        ("other_analyst", 404),  # another factory's analyst does not see it at all
        ("operator", None),  # operators may (200 for pages, 303 after a POST)
    ],
)
def test_every_route_is_the_factory_analysts(
    app: Flask, session: Session, who: str | None, status: int | None
) -> None:
    world = make_world(session)
    snapshot = run_assessment(session, organization=world.factory, year=2025, actor_user_id=None)
    action = create_action(
        session,
        organization=world.factory,
        title="A",
        owner="B",
        due_on=date(2026, 1, 1),
        finding_id=None,
        actor_user_id=None,
    )
    session.commit()
    client = app.test_client()
    if who is None:
        csrf_from(client)
    else:
        sign_in(client, world.users[who])
    snapshots, actions = (
        _snapshots(session),
        session.scalar(select(func.count()).select_from(ImprovementAction)),
    )
    for method, path, form in _routes(world, str(snapshot.id), str(action.id)):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={**form, "csrf_token": _csrf(client)})
        expected = status or (200 if method == "GET" else 303)
        assert response.status_code == expected, (who, method, path, response.text[:300])
        if who is None:
            # Back to the page after signing in (for a form, the page it was on).
            location = response.headers["Location"]
            assert "/login?next=" in location and "status" not in location
        if who not in (None, "operator"):
            assert "Alpha" not in response.text and "320.00" not in response.text
    if who != "operator":
        assert _snapshots(session) == snapshots
        assert session.scalar(select(func.count()).select_from(ImprovementAction)) == actions
        assert session.get(ImprovementAction, action.id).status == "open"  # type: ignore[union-attr]


def test_the_factorys_pages_are_linked_for_its_analysts(app: Flask, session: Session) -> None:
    world = make_world(session)
    analyst = _as(app, world.users["analyst"])
    rollup = f"{world.base}/rollup"
    assert rollup in analyst.get("/").text
    assert rollup in analyst.get(f"/orgs/{world.factory.id}").text
    procurement = _as(app, world.users["procurement"])
    assert rollup not in procurement.get("/").text
    assert rollup not in procurement.get(f"/orgs/{world.factory.id}").text


def test_figures_follow_the_locale(app: Flask, session: Session) -> None:
    """Money in the factory's reporting currency, formatted for the reader's language."""
    world = make_world(session)
    path = f"{world.base}/rollup/suppliers/{world.alpha.org.id}?period=2025"
    chinese = _text(_as(app, world.users["analyst_zh"]).get(path).text)
    english = _text(_as(app, world.users["analyst"]).get(path).text)
    assert "¥100,000.00" in chinese and "CN¥" not in chinese
    assert "CN¥100,000.00" in english
    assert "供应商分配（混合法）" in chinese and "是" in chinese


def test_estimate_reasons_are_shown_in_the_readers_language(app: Flask) -> None:
    reason = NO_RATE.format(c="USD", q="CNY", y=2025)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert local(reason) == "缺少 2025 年 USD 兑 CNY 的汇率。"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local(reason) == "No exchange rate for USD to CNY in 2025."


def test_the_analyst_uploads_the_factorys_own_model(app: Flask, session: Session) -> None:
    world = make_world(session)
    client = _as(app, world.users["analyst"])
    page = client.get(f"{world.base}/assessments").text
    assert "esgx-zero-carbon-factory</code> 1.0.0" in page
    model = json.loads(default_model_text())
    model["version"] = "3.0.0"

    def upload(body: bytes, who: FlaskClient = client) -> Any:
        return who.post(
            f"{world.base}/assessments/model",
            data={"model": (io.BytesIO(body), "model.json"), "csrf_token": _csrf(who)},
            content_type="multipart/form-data",
        )

    assert upload(json.dumps(model).encode()).status_code == 303
    assert "esgx-zero-carbon-factory</code> 3.0.0" in client.get(f"{world.base}/assessments").text
    # A model that fails the schema: each error at its JSON path, and the model stays.
    model["grades"][1]["minScore"] = "-5"
    refused = upload(json.dumps(model).encode())
    assert refused.status_code == 422
    assert "$.grades[1].minScore" in refused.text
    assert "esgx-zero-carbon-factory</code> 3.0.0" in refused.text
    # Not JSON at all, or nothing chosen: one clear message at the field.
    assert upload(b"\xff\xfe").status_code == 422
    assert upload(b"{").status_code == 422
    # Only the factory's analysts; never without the form's token.
    procurement = _as(app, world.users["procurement"])
    assert upload(json.dumps(model).encode(), procurement).status_code == 403
    other = _as(app, world.users["other_analyst"])
    assert upload(json.dumps(model).encode(), other).status_code == 404
    no_token = client.post(
        f"{world.base}/assessments/model",
        data={"model": (io.BytesIO(b"{}"), "model.json")},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 403
