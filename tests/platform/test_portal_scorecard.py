"""The supplier's own scorecards in the portal: its components, penalties, band and trend with
each lead factory it supplies, in both languages; never its rank, the number of suppliers,
nor any other supplier's name, id, disclosure or score."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.organizations.services import create_relationship
from esgx_platform.scoring.services import compute_ranking
from tests.platform.factories import csrf_from, make_org, make_user, sign_in
from tests.platform.test_procurement_pages import Q3, World, _as, _text, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _url(world: World, **query: str) -> str:
    base = f"/portal/orgs/{world.alpha.org.id}/scorecards"
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _number(value: str) -> re.Pattern[str]:
    """A figure on its own, not as part of a longer one (19.88 but not 119.88 or 19.885)."""
    return re.compile(rf"(?<![0-9.,]){re.escape(value)}(?![0-9])")


def test_the_supplier_sees_its_own_scorecard_explained(
    app: Flask, world: World, session: Session
) -> None:
    response = _as(app, world.users["supplier"]).get(_url(world, period=Q3))
    assert response.status_code == 200
    page = _text(response.text)
    assert "Your scorecard with Lead Plant for 2025-Q3" in page
    assert "Band Green" in page
    assert "33.37 / 100 = 38.37 before penalties − 5.00 penalty points" in page
    assert "Target status Committed" in page and "Renewable electricity share 30.00%" in page
    assert "No other supplier of Scope 3 category 1 to compare with: a neutral 50 points." in page
    assert "No third-party assurance 2025-Q3 5.00" in page
    assert "Previous period 2025-Q2 Previous score 24.88 Change ▲ +8.49" in page
    assert "same band" in page


def test_never_another_suppliers_name_id_or_score_nor_its_own_rank(
    app: Flask, world: World, session: Session
) -> None:
    html = _as(app, world.users["supplier"]).get(_url(world, period=Q3)).text
    page = _text(html)
    live = compute_ranking(session, lead_factory_id=world.factory.id, period=Q3)
    (mine,) = [c for c in live.ranking.scorecards if c.supplier.supplier_id == world.alpha.org.id]
    for other in (world.beta, world.gamma):
        card = next(c for c in live.ranking.scorecards if c.supplier.supplier_id == other.org.id)
        assert other.name not in page and str(other.org.id) not in html
        assert str(card.supplier.relationship_id) not in html
        assert all(cid[:16] not in html for cid in other.filed.values())
    # Beta's total, points before penalties and intensity appear nowhere.
    for figure in ("19.88", "29.88", "29.8750", "160.00"):
        assert not _number(figure).search(page), figure
    # Nor does the supplier's place among the others: no rank, count or group size.
    assert "Rank" not in page and "of 3" not in page and "3 suppliers" not in page
    assert "suppliers with a value" not in page and "Previous rank" not in page
    assert "72.00" in page and str(mine.total) in page  # its own figures, though


def test_the_scorecard_in_chinese(app: Flask, world: World, session: Session) -> None:
    member = make_user(session, world.alpha.org, Role.SUPPLIER_MEMBER, locale="zh")
    session.commit()
    page = _text(_as(app, member).get(_url(world, period=Q3)).text)
    assert "客户评分卡" in page and "Lead Plant（中文） 对您 2025-Q3 的评分卡" in page
    assert "档位 绿色" in page and "减排目标状态 已承诺" in page
    assert "无第三方核查保证" in page and "档位不变" in page
    assert "范围三类别 1 内没有可比较的其他供应商：中性 50 分。" in page


def test_each_customer_has_its_own_scorecard(app: Flask, world: World, session: Session) -> None:
    second = make_org(session, "lead_factory", "Second Plant")
    create_relationship(
        session,
        lead_factory=second,
        supplier=world.alpha.org,
        scope3_category=2,
        started_on=world.alpha.relationship.started_on,
    )
    session.commit()
    client = _as(app, world.users["supplier"])
    page = client.get(_url(world, period=Q3)).text
    # Both customers are listed (by name); the first one's scorecard shows.
    assert "Lead Plant" in page and "Second Plant" in page
    assert f"factory={second.id}" in page
    other = _text(client.get(_url(world, period=Q3, factory=str(second.id))).text)
    assert "Your scorecard with Second Plant for 2025-Q3" in other
    assert "No data-sharing consent" in other and "20.00" in other  # never shared: penalised
    assert "have not given this customer consent" in other
    unknown = client.get(_url(world, factory=str(world.other.id)))
    assert unknown.status_code == 404
    assert client.get(_url(world, factory="nope")).status_code == 404


def test_the_portal_links_to_the_scorecards(app: Flask, world: World) -> None:
    home = _as(app, world.users["supplier"]).get("/portal/").text
    assert _url(world) in home and "Scorecards from customers" in home


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 303),  # anonymous: to the sign-in page, and back after it
        ("beta", 404),  # another supplier finds no such organization
        ("procurement", 403),  # the customer's procurement reads the ranking, not this page
        ("other_analyst", 404),
        ("supplier", 200),
        ("operator", 200),
    ],
)
def test_only_the_suppliers_people_see_its_scorecards(
    app: Flask, world: World, session: Session, who: str | None, status: int
) -> None:
    client = app.test_client()
    if who == "beta":
        sign_in(client, make_user(session, world.beta.org, Role.SUPPLIER_ADMIN))
    elif who is None:
        csrf_from(client)
    else:
        sign_in(client, world.users[who])
    response = client.get(_url(world, period=Q3))
    assert response.status_code == status, response.text[:300]
    if who is None:
        assert "/login?next=" in response.headers["Location"]
    if status != 200:
        assert "33.37" not in response.text and "Alpha" not in response.text
