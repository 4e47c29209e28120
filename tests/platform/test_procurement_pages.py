"""Procurement's ranking pages: the table (sorted, filtered, with the score distribution), a
supplier's scorecard explained, the comparison, exports, external ratings, the weights'
versions and snapshots; in both languages, and only for the factory's procurement and
analysts (and operators)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.organizations.models import Organization
from esgx_platform.scoring.config import default_config_body
from esgx_platform.scoring.records import RankingConfigRecord, RankingSnapshot, SupplierRating
from esgx_platform.scoring.services import compute_ranking
from esgx_platform.scoring.snapshots import store_snapshot
from tests.platform.factories import csrf_from, make_org, make_user, sign_in
from tests.platform.rollups.world import Scenario, Supplier, at

Q2, Q3 = "2025-Q2", "2025-Q3"
EVIL = '=HYPERLINK("http://evil.example/?x","Click me")'


@dataclass
class World:
    """Factory "Lead Plant" in 2025-Q3 (and Q2 for the trend), ranked with the default weights:

    1. Alpha (category 1, Jiangsu): on time, 72.00 t per million of revenue, committed target,
       30 % renewable, no assurance (5.00 points off): 38.3745 − 5.00 = 33.37, up 8.49 on Q2.
    2. Beta (category 4, Guangdong): filed 51 days late with reasonable assurance (10.00 points
       off): 29.8750 − 10.00 = 19.88.
    3. Gamma (category 1): no data-sharing consent: nothing to score, 20.00 points off, 0.00.
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
        return f"/factories/{self.w.factory.id}/ranking"


def make_world(session: Session) -> World:
    w = Scenario(session)
    w.periods(Q2, Q3)
    alpha = w.supplier("Alpha")
    beta = w.supplier("Beta", category=4, province="GD")
    gamma = w.supplier("Gamma", consent=False)
    w.file(alpha, Q2, "20.00")
    w.file(alpha, Q3, "18.00", renewable="30.00", target="committed")
    w.file(beta, Q3, "40.00", verification="reasonable", when=at("2025-11-20"))
    w.file(gamma, Q3, "5.00")
    other = make_org(session, "lead_factory", "Other Plant")
    operator = make_org(session, "operator", "Operator", "BJ")
    users = {
        "procurement": make_user(session, w.factory, Role.PROCUREMENT),
        "procurement_zh": make_user(session, w.factory, Role.PROCUREMENT, locale="zh"),
        "analyst": make_user(session, w.factory, Role.FACTORY_ANALYST),
        "other_procurement": make_user(session, other, Role.PROCUREMENT),
        "other_analyst": make_user(session, other, Role.FACTORY_ANALYST),
        "supplier": make_user(session, alpha.org, Role.SUPPLIER_ADMIN),
        "operator": make_user(session, operator, Role.OPERATOR_ADMIN),
    }
    session.commit()
    return World(w, alpha, beta, gamma, other, users)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


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


def _rows(html: str) -> list[str]:
    """The supplier names of the ranking table, top to bottom."""
    body = html.split('<table class="grid ranking">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', body)


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# --- the ranking table -------------------------------------------------------------------------


def test_the_ranking_lists_every_supplier_with_its_figures(app: Flask, world: World) -> None:
    response = _as(app, world.users["procurement"]).get(f"{world.base}?period={Q3}")
    assert response.status_code == 200
    html, page = response.text, _text(response.text)
    assert _rows(html) == ["Alpha", "Beta", "Gamma"]
    # Totals and the penalties, as the scoring service has them.
    assert "33.37" in page and "−5.00" in page and "19.88" in page and "−10.00" in page
    assert "No third-party assurance (1 of 1 quarters)" in page
    assert "Filed late (1 of 1 quarters)" in page
    # Gamma gave no consent: ranked last with its penalty, not dropped, and marked.
    assert "No data-sharing consent (1 of 1 quarters)" in page and "−20.00" in page
    assert html.count('<span class="tag">missing data</span>') == 1
    # Bands as named badges; intensity; the trend against Q2.
    assert '<span class="band band-green">Green</span>' in html
    assert '<span class="band band-orange">Orange</span>' in html
    assert "72.00" in page and "160.00" in page
    assert "Change against 2025-Q2" in page and "▲ +8.49" in page and "rank 1 before" in page
    # The distribution: one SVG histogram, its figures as a table, and the band counts.
    assert html.count("<svg") == 1 and "The figures as a table" in page
    assert "30–40 0 0 1 0 0" not in page and "30–40 1 0 0 0 1" in page
    assert "3 suppliers ranked" in page
    # Links to each supplier and a checkbox to compare it, in a plain GET form.
    for s in (world.alpha, world.beta, world.gamma):
        assert f"{world.base}/suppliers/{s.org.id}?period={Q3}" in html
        assert f'name="s" value="{s.org.id}"' in html
    assert f'<form method="get" action="{world.base}/compare" id="compare-form">' in html
    assert re.search(r"<script(?![^>]*\ssrc=)", html) is None  # no inline script


def test_the_ranking_in_chinese(app: Flask, world: World) -> None:
    page = _text(_as(app, world.users["procurement_zh"]).get(f"{world.base}?period={Q3}").text)
    assert "供应商排名" in page and "得分分布" in page
    assert "绿色" in page and "蓝色" in page and "橙色" in page
    assert "未授权数据共享" in page and "逾期提交" in page and "无第三方核查保证" in page
    assert "相对 2025-Q2 的变化" in page and "数据缺失" in page
    assert "下载当前列表" in page and "比较所选供应商（2 至 4 家）" in page


def test_the_default_period_and_the_period_choice(app: Flask, world: World) -> None:
    client = _as(app, world.users["procurement"])
    html = client.get(world.base).text  # 2025 has only two quarters, and it is the default
    assert "Score distribution in 2025" in _text(html)
    assert '<option value="2025-Q3">2025-Q3</option>' in html
    quarter = client.get(f"{world.base}?period={Q2}").text
    assert "Score distribution in 2025-Q2" in _text(quarter)
    assert client.get(f"{world.base}?period=2025-Q7").status_code == 422
    assert client.get(f"{world.base}?period=2019").status_code == 404


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("sort=name&dir=desc", ["Gamma", "Beta", "Alpha"]),
        ("sort=score&dir=asc", ["Gamma", "Beta", "Alpha"]),
        ("sort=penalties", ["Gamma", "Beta", "Alpha"]),
        ("sort=intensity", ["Alpha", "Beta", "Gamma"]),  # Gamma has none: last either way
        ("sort=intensity&dir=desc", ["Beta", "Alpha", "Gamma"]),
        ("sort=band&dir=desc", ["Gamma", "Beta", "Alpha"]),
        ("category=4", ["Beta"]),
        ("province=GD", ["Beta"]),
        ("band=green", ["Alpha"]),
        ("missing=true", ["Gamma"]),
        ("missing=false&category=1", ["Alpha"]),
        ("category=&province=&band=&missing=", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_sorting_and_filters(app: Flask, world: World, query: str, names: list[str]) -> None:
    html = _as(app, world.users["analyst"]).get(f"{world.base}?period={Q3}&{query}").text
    assert _rows(html) == names


def test_filters_narrow_the_list_never_the_ranks(app: Flask, world: World) -> None:
    client = _as(app, world.users["procurement"])
    html = client.get(f"{world.base}?period={Q3}&category=4").text
    page = _text(html)
    assert "1 of 3 shown" in page and "Clear the filters" in page
    assert re.search(r'<td class="num">2</td>\s*<th scope="row"><a[^>]*>Beta', html)
    # The column headers keep the filters and flip the direction of the sorted column.
    assert 'aria-sort="ascending"' in html
    assert f'href="{world.base}?period={Q3}&amp;category=4&amp;sort=score"' in html
    sorted_html = client.get(f"{world.base}?period={Q3}&sort=score").text
    assert 'aria-sort="descending"' in sorted_html
    assert f'href="{world.base}?period={Q3}&amp;sort=score&amp;dir=asc"' in sorted_html
    assert client.get(f"{world.base}?sort=colour").status_code == 422
    assert client.get(f"{world.base}?category=99").status_code == 422


# --- a supplier's scorecard ---------------------------------------------------------------------


def test_the_supplier_page_explains_the_rank_component_by_component(
    app: Flask, world: World
) -> None:
    url = f"{world.base}/suppliers/{world.alpha.org.id}?period={Q3}"
    response = _as(app, world.users["procurement"]).get(url)
    assert response.status_code == 200
    page = _text(response.text)
    assert "Rank 1 of 3" in page and "Green" in page
    assert "33.37 / 100 = 38.37 before penalties − 5.00 penalty points" in page
    # Every metric with its value, method in words, weight, points, contribution and reason.
    assert page.count("Absolute thresholds:") == 11 and page.count("Percentile within") >= 3
    assert "Emission intensity per revenue 72.00 tCO2e per million CNY" in page
    assert "No other supplier of Scope 3 category 1 to compare with: a neutral 50 points." in page
    assert "Target status Committed" in page
    assert "0 scores 0, 3 scores 100, linear between 33.33 15 4.9995" in page
    assert "Renewable electricity share 30.00%" in page
    assert "No value (not rated by procurement): 0 points." in page
    assert "Score before penalties 38.3745" in page and "Total score (never below 0) 33.37" in page
    # Penalties with their reasons, the quarters, the trend.
    assert "No third-party assurance 2025-Q3 5.00" in page
    assert "points off (5 for the whole period × 1/1 quarters)" in page
    assert "2025-Q3 Filed on time" in page
    assert "Previous period 2025-Q2 Previous score 24.88 Change ▲ +8.49" in page
    assert "same band" in page and "Previous rank 1" in page


def test_the_supplier_page_in_chinese(app: Flask, world: World) -> None:
    url = f"{world.base}/suppliers/{world.alpha.org.id}?period={Q3}"
    page = _text(_as(app, world.users["procurement_zh"]).get(url).text)
    assert "为何排在此位" in page and "第 1 名，共 3 家" in page
    assert "减排目标状态 已承诺" in page and "绝对阈值：0 得 0 分，3 得 100 分，其间线性" in page
    assert "范围三类别 1 内没有可比较的其他供应商：中性 50 分。" in page
    assert "扣分前得分 38.3745" in page and "上一期间 2025-Q2" in page
    assert "外部评级" in page and "未评级" in page and "白金牌" in page


def test_a_supplier_without_consent_shows_no_figures(app: Flask, world: World) -> None:
    url = f"{world.base}/suppliers/{world.gamma.org.id}?period={Q3}"
    response = _as(app, world.users["analyst"]).get(url)
    assert response.status_code == 200
    page = _text(response.text)
    assert "has not given consent" in page and "Rank 3 of 3" in page
    assert "No data-sharing consent 2025-Q3 20.00" in page
    assert all(cid[:16] not in response.text for cid in world.gamma.filed.values())
    assert "5.00 tCO2e" not in page and "20.000000" not in page


def test_another_factorys_supplier_is_not_found(app: Flask, world: World, session: Session) -> None:
    stranger = make_org(session, "supplier", "Stranger")
    session.commit()
    client = _as(app, world.users["procurement"])
    assert client.get(f"{world.base}/suppliers/{stranger.id}").status_code == 404
    assert client.get(f"{world.base}/suppliers/{world.factory.id}").status_code == 404


# --- the comparison ------------------------------------------------------------------------------


def test_three_suppliers_side_by_side(app: Flask, world: World) -> None:
    ids = "&".join(f"s={s.org.id}" for s in (world.gamma, world.alpha, world.beta))
    response = _as(app, world.users["procurement"]).get(f"{world.base}/compare?period={Q3}&{ids}")
    assert response.status_code == 200
    page = _text(response.text)
    # Columns in the order chosen; rows of ranks, bands, totals, then every metric.
    assert page.index("Gamma") < page.index("Alpha") < page.index("Beta")
    assert "Rank 3 of 3 1 of 3 2 of 3" in page
    assert "Total score 0.00 33.37 19.88" in page
    assert "Target status (15) Absolute thresholds — 0.00 points → 0.00 Committed" in page
    assert "Assurance level (5)" in page and "Reasonable assurance 100.00 points → 5.00" in page
    assert "No data-sharing consent: 2025-Q3" in page and "Filed late: 2025-Q3" in page


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (1, "you chose 1"),
        (0, "you chose 0"),
        (5, "you chose 5"),
        ("dup", "you chose 1"),
        ("bad", "“nope” is not a supplier identifier."),
    ],
)
def test_fewer_than_two_or_more_than_four_are_refused(
    app: Flask, world: World, session: Session, ids: object, message: str
) -> None:
    extra = [w.supplier(f"Extra {n}").org.id for n, w in enumerate([world.w] * 2)]
    session.commit()
    every = [world.alpha.org.id, world.beta.org.id, world.gamma.org.id, *extra]
    if ids == "dup":
        chosen = [str(world.alpha.org.id)] * 2
    elif ids == "bad":
        chosen = [str(world.alpha.org.id), "nope"]
    else:
        chosen = [str(i) for i in every[: int(str(ids))]]
    query = "&".join(f"s={i}" for i in chosen)
    response = _as(app, world.users["procurement"]).get(f"{world.base}/compare?{query}")
    assert response.status_code == 422
    assert message in response.text and 'class="error-summary"' in response.text


def test_the_comparison_refusal_in_chinese_and_a_stranger(
    app: Flask, world: World, session: Session
) -> None:
    client = _as(app, world.users["procurement_zh"])
    response = client.get(f"{world.base}/compare?s={world.alpha.org.id}")
    assert response.status_code == 422
    assert "请选择 2 至 4 家不同的供应商进行比较（您选择了 1 家）。" in response.text
    stranger = make_org(session, "supplier", "Stranger")
    session.commit()
    query = f"s={world.alpha.org.id}&s={stranger.id}"
    assert client.get(f"{world.base}/compare?{query}").status_code == 404


# --- external ratings ---------------------------------------------------------------------------


def test_procurement_records_ratings_and_the_score_follows(
    app: Flask, world: World, session: Session
) -> None:
    client = _as(app, world.users["procurement"])
    url = f"{world.base}/suppliers/{world.alpha.org.id}"
    form = {"cdp_score": "B", "ecovadis_medal": "gold", "note": "CDP 2025 response", "period": Q3}
    response = client.post(url, data={**form, "csrf_token": _csrf(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{url}?period={Q3}#ratings")
    (rating,) = session.scalars(select(SupplierRating))
    assert (rating.cdp_score, rating.ecovadis_medal, rating.version) == ("B", "gold", 1)
    page = _text(client.get(f"{url}?period={Q3}").text)
    # B is 5 of 7 levels (71.43 points × 4 = 2.8572), gold 3 of 4 (75.00 × 4 = 3.0000).
    assert "CDP score B" in page and "71.43 4 2.8572" in page
    assert "EcoVadis medal Gold" in page and "75.00 4 3.0000" in page
    user = world.users["procurement"]
    assert "1 current B Gold CDP 2025 response" in page and user.display_name in page
    # Clearing one is a new version; "not rated" is a blank choice.
    again = {"cdp_score": "", "ecovadis_medal": "gold", "period": Q3, "csrf_token": _csrf(client)}
    assert client.post(url, data=again).status_code == 303
    assert "2 current not rated Gold" in _text(client.get(url).text)


def test_rating_errors_are_shown_inline_in_the_users_language(
    app: Flask, world: World, session: Session
) -> None:
    client = _as(app, world.users["procurement_zh"])
    url = f"{world.base}/suppliers/{world.alpha.org.id}"
    bad = {"cdp_score": "A+", "ecovadis_medal": "diamond", "note": "x" * 2001, "period": Q3}
    response = client.post(url, data={**bad, "csrf_token": _csrf(client)})
    assert response.status_code == 422
    html = response.text
    assert "请从列表中选择 CDP 评分，或选择“未评级”。" in html
    assert "请从列表中选择 EcoVadis 奖章，或选择“未评级”。" in html
    assert "备注不得超过 2000 个字符。" in html
    assert 'aria-invalid="true" aria-describedby="cdp_score-error"' in html
    assert '<a href="#cdp_score">' in html and 'class="error-summary"' in html
    assert _count(session, SupplierRating) == 0
    english = _as(app, world.users["procurement"])
    refused = english.post(url, data={**bad, "csrf_token": _csrf(english)})
    assert "Choose a CDP score from the list, or “not rated”." in refused.text


def test_only_procurement_records_ratings_and_never_without_the_token(
    app: Flask, world: World, session: Session
) -> None:
    url = f"{world.base}/suppliers/{world.alpha.org.id}"
    analyst = _as(app, world.users["analyst"])
    assert "Record the ratings" not in analyst.get(url).text
    form = {"cdp_score": "A", "ecovadis_medal": "", "period": Q3}
    assert analyst.post(url, data={**form, "csrf_token": _csrf(analyst)}).status_code == 403
    procurement = _as(app, world.users["procurement"])
    assert "Record the ratings" in procurement.get(url).text
    assert procurement.post(url, data=form).status_code == 403  # no CSRF token
    assert _count(session, SupplierRating) == 0


# --- exports -----------------------------------------------------------------------------------


def _evil_world(world: World, session: Session) -> Supplier:
    evil = world.w.supplier(EVIL, category=4, province="GD")
    world.w.file(evil, Q3, "30.00")
    session.commit()
    return evil


def test_the_xlsx_export_opens_cleanly_with_the_weights_and_escaped_names(
    app: Flask, world: World, session: Session, tmp_path: Any
) -> None:
    evil = _evil_world(world, session)
    client = _as(app, world.users["procurement"])
    response = client.get(f"{world.base}/export.xlsx?period={Q3}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="supplier-ranking-2025-Q3.xlsx"'
    )
    # The same ranking exports the same bytes.
    assert client.get(f"{world.base}/export.xlsx?period={Q3}").data == response.data
    path = tmp_path / "ranking.xlsx"
    path.write_bytes(response.data)
    book = load_workbook(path)
    assert book.sheetnames == ["Ranking 2025-Q3", "Weights and methods"]
    ranking = [list(r) for r in book["Ranking 2025-Q3"].iter_rows(values_only=True)]
    header = ranking[0]
    assert header[:3] == ["Rank", "Supplier", "Name (English)"]
    assert "Target status: value" in header and "CDP score: contribution" in header
    assert [r[0] for r in ranking[1:]] == [1, 2, 3, 4]
    assert sorted(r[1] for r in ranking[1:]) == ["'" + EVIL, "Alpha", "Beta", "Gamma"]
    (bad,) = [r for r in ranking[1:] if r[4] == str(evil.org.id)]
    assert bad[1:4] == ["'" + EVIL, "'" + EVIL, "'" + EVIL + "（中文）"]
    (alpha_row,) = [r for r in ranking[1:] if r[2] == "Alpha"]
    alpha = dict(zip(header, alpha_row, strict=True))
    assert alpha["Total score"] == 33.37 and alpha["Penalty points"] == 5
    assert alpha["Target status: value"] == "Committed"
    assert alpha["Previous period"] == Q2 and alpha["Score change"] == 8.49
    # No cell of the workbook is a formula.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    method = [list(r) for r in book["Weights and methods"].iter_rows(values_only=True)]
    metrics = {r[1]: r for r in method if r[0] == "Metric"}
    assert len(metrics) == 14 and sum(r[5] for r in metrics.values()) == 100
    assert metrics["pathGap"][6:9] == ["Absolute thresholds", 8.4, 0]
    assert metrics["intensityRevenue"][6] == "Percentile within the Scope 3 category"
    penalties = {r[1]: r[5] for r in method if r[0] == "Penalty"}
    assert penalties == {
        "notDisclosed": 20,
        "rejected": 20,
        "noConsent": 20,
        "late": 10,
        "unassured": 5,
    }
    assert [r[1] for r in method if r[0] == "Band"] == ["green", "blue", "orange", "red"]
    assert any(r[0] == "Ties" for r in method)


def test_the_csv_export_follows_the_filters_and_escapes_formulas(
    app: Flask, world: World, session: Session
) -> None:
    _evil_world(world, session)
    client = _as(app, world.users["procurement_zh"])
    response = client.get(f"{world.base}/export.csv?period={Q3}&category=4&sort=name")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(
        'filename="supplier-ranking-2025-Q3.csv"'
    )
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff排名,供应商")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    names = [r[2] for r in rows[1:]]
    assert names == ["'" + EVIL, "Beta"]  # category 4 only, by Chinese name
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    method = client.get(f"{world.base}/method.csv?period={Q3}")
    assert method.status_code == 200
    assert "权重、扣分或占比" in method.data.decode("utf-8")
    assert method.headers["Content-Disposition"].endswith('filename="ranking-method-2025-Q3.csv"')


# --- weights and snapshots ------------------------------------------------------------------------


def _upload(client: FlaskClient, base: str, body: bytes) -> Any:
    return client.post(
        f"{base}/config",
        data={"config": (io.BytesIO(body), "weights.json"), "csrf_token": _csrf(client)},
        content_type="multipart/form-data",
    )


def test_the_weights_are_downloaded_and_a_new_version_uploaded(
    app: Flask, world: World, session: Session
) -> None:
    client = _as(app, world.users["analyst"])
    page = _text(client.get(f"{world.base}/method").text)
    assert "In use: esgx default supplier scoring, version 0." in page
    assert "Target status level, higher is better 15 Absolute thresholds" in page
    download = client.get(f"{world.base}/config.json")
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="ranking-config-v0.json"'
    )
    body = json.loads(download.data)
    assert body == default_config_body()
    body["metrics"][0]["weight"] = "15"  # intensityRevenue 20 → 15
    body["metrics"][4]["weight"] = "20"  # targetStatus 15 → 20
    assert _upload(client, world.base, json.dumps(body).encode()).status_code == 303
    page = _text(client.get(f"{world.base}/method").text)
    assert "version 1." in page and "Target status level, higher is better 20" in page
    assert re.search(r"1 in use \S+ \S+ UTC User \d+", page)
    assert json.loads(client.get(f"{world.base}/config.json?version=1").data) == body
    # The ranking uses it: Alpha's committed target now counts 20.
    supplier = client.get(f"{world.base}/suppliers/{world.alpha.org.id}?period={Q3}").text
    assert "33.33 20 6.6660" in _text(supplier)


def test_a_configuration_that_fails_is_refused_with_json_paths(
    app: Flask, world: World, session: Session
) -> None:
    client = _as(app, world.users["procurement_zh"])
    body = default_config_body()
    body["metrics"][0]["weight"] = "25"
    refused = _upload(client, world.base, json.dumps(body).encode())
    assert refused.status_code == 422
    html = refused.text
    assert "<code>$.metrics</code>" in html and "权重之和" in html
    assert "评分配置未被接受" in html and 'aria-invalid="true"' in html
    body["metrics"][0]["weight"] = "20"
    body["metrics"][1]["metric"] = "nonesuch"
    unknown = _upload(client, world.base, json.dumps(body).encode()).text
    assert "<code>$.metrics[1].metric</code>" in unknown and "未知指标 nonesuch" in unknown
    assert _upload(client, world.base, b"\xff\xfe").status_code == 422
    not_json = _upload(client, world.base, b'{"name": 1,')
    assert not_json.status_code == 422 and "<code>$</code>" in not_json.text
    repeated = _upload(client, world.base, b'{"name": {}, "name": {}}')
    assert repeated.status_code == 422
    assert _count(session, RankingConfigRecord) == 0
    assert client.get(f"{world.base}/config.json?version=x").status_code == 422
    assert client.get(f"{world.base}/config.json?version=7").status_code == 404
    no_token = client.post(
        f"{world.base}/config",
        data={"config": (io.BytesIO(b"{}"), "w.json")},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 403


def test_a_snapshot_is_stored_from_the_page_and_verified(
    app: Flask, world: World, session: Session
) -> None:
    client = _as(app, world.users["procurement"])
    assert "Store a snapshot of this ranking" in client.get(f"{world.base}?period={Q3}").text
    response = client.post(
        f"{world.base}/snapshots", data={"period": Q3, "csrf_token": _csrf(client)}
    )
    assert response.status_code == 303
    (snapshot,) = session.scalars(select(RankingSnapshot))
    assert snapshot.period == Q3
    assert response.headers["Location"].endswith(f"{world.base}/snapshots/{snapshot.id}")
    page = _text(client.get(response.headers["Location"]).text)
    assert "Verified: the stored ranking recomputes exactly" in page
    assert "Recomputed exactly ✔ yes" in page and snapshot.result_sha256 in page
    assert "Suppliers whose data has changed since None." in page
    # A rating changes Alpha's inputs: the snapshot still verifies, and says so.
    rate = {"cdp_score": "A", "period": Q3, "csrf_token": _csrf(client)}
    client.post(f"{world.base}/suppliers/{world.alpha.org.id}", data=rate)
    later = _text(client.get(response.headers["Location"]).text)
    assert "Verified" in later and "Suppliers whose data has changed since Alpha" in later
    listed = client.get(f"{world.base}/method").text
    assert f"{world.base}/snapshots/{snapshot.id}" in listed
    assert client.post(f"{world.base}/snapshots", data={"period": Q3}).status_code == 403
    assert _count(session, RankingSnapshot) == 1


# --- who may see what ----------------------------------------------------------------------------


def _routes(world: World, snapshot_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    base, alpha = world.base, world.alpha.org.id
    config = json.dumps(default_config_body()).encode()  # the same as in use: no new version
    return [
        ("GET", f"{base}?period={Q3}", {}),
        ("GET", f"{base}/suppliers/{alpha}?period={Q3}", {}),
        ("POST", f"{base}/suppliers/{alpha}", {"cdp_score": "C", "period": Q3}),
        ("GET", f"{base}/compare?period={Q3}&s={alpha}&s={world.beta.org.id}", {}),
        ("GET", f"{base}/export.csv?period={Q3}", {}),
        ("GET", f"{base}/export.xlsx?period={Q3}", {}),
        ("GET", f"{base}/method.csv?period={Q3}", {}),
        ("GET", f"{base}/method", {}),
        ("GET", f"{base}/config.json", {}),
        ("POST", f"{base}/config", {"config": config}),
        ("POST", f"{base}/snapshots", {"period": Q3}),
        ("GET", f"{base}/snapshots/{snapshot_id}", {}),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 303),  # anonymous: to the sign-in page, and back after it
        ("supplier", 404),  # a supplier of the factory does not see the factory
        ("other_procurement", 404),  # another factory's people do not see it at all
        ("other_analyst", 404),
        ("procurement", None),  # the factory's procurement (200 for pages, 303 after a form)
        ("analyst", None),  # its analysts too, except recording ratings (403)
        ("operator", None),
    ],
)
def test_every_route_is_the_factorys_procurement_and_analysts(
    app: Flask, world: World, session: Session, who: str | None, status: int | None
) -> None:
    snapshot = store_snapshot(session, organization=world.factory, period=Q3, actor_user_id=None)
    session.commit()
    client = app.test_client()
    if who is None:
        csrf_from(client)
    else:
        sign_in(client, world.users[who])
    counts = [_count(session, m) for m in (SupplierRating, RankingConfigRecord, RankingSnapshot)]
    for method, path, form in _routes(world, str(snapshot.id)):
        if method == "GET":
            response = client.get(path)
        else:
            data = {
                k: (io.BytesIO(v), "c.json") if isinstance(v, bytes) else v for k, v in form.items()
            }
            response = client.post(path, data={**data, "csrf_token": _csrf(client)})
        expected = status or (200 if method == "GET" else 303)
        if who == "analyst" and path.endswith(str(world.alpha.org.id)) and method == "POST":
            expected = 403
        assert response.status_code == expected, (who, method, path, response.text[:300])
        if who is None:
            location = response.headers["Location"]
            assert "/login?next=" in location
            if method == "POST":
                assert not location.endswith(("%2Fconfig", "%2Fsnapshots"))
        if who not in (None, "procurement", "analyst", "operator"):
            assert "Alpha" not in response.text and "33.37" not in response.text
    if who in (None, "supplier", "other_procurement", "other_analyst"):
        after = [_count(session, m) for m in (SupplierRating, RankingConfigRecord, RankingSnapshot)]
        assert after == counts


def test_the_ranking_is_linked_for_the_factorys_procurement_and_analysts(
    app: Flask, world: World
) -> None:
    for who in ("procurement", "analyst"):
        client = _as(app, world.users[who])
        assert world.base in client.get("/").text
        assert world.base in client.get(f"/orgs/{world.factory.id}").text
    other = _as(app, world.users["other_procurement"])
    assert world.base not in other.get("/").text
    supplier = _as(app, world.users["supplier"])
    assert world.base not in supplier.get(f"/orgs/{world.alpha.org.id}").text


def test_figures_agree_with_the_scoring_service(app: Flask, world: World, session: Session) -> None:
    """Every total on the page is the service's, in the service's order."""
    live = compute_ranking(session, lead_factory_id=world.factory.id, period=Q3)
    html = _as(app, world.users["procurement"]).get(f"{world.base}?period={Q3}").text
    totals = re.findall(r'<td class="num"><strong>([0-9.,]+)</strong>', html)
    assert totals == [str(c.total) for c in live.ranking.scorecards]


def test_a_supplier_whose_relationship_began_later_is_not_ranked_then(
    app: Flask, world: World, session: Session
) -> None:
    late = world.w.supplier("Newcomer", started_on=date(2026, 1, 1))
    session.commit()
    client = _as(app, world.users["procurement"])
    assert "Newcomer" not in client.get(f"{world.base}?period={Q3}").text
    page = client.get(f"{world.base}/suppliers/{late.org.id}?period={Q3}")
    assert page.status_code == 200
    assert "This supplier is not ranked in 2025-Q3" in _text(page.text)
    assert "Record the ratings" in page.text  # ratings belong to the relationship
    query = f"period={Q3}&s={world.alpha.org.id}&s={late.org.id}"
    refused = client.get(f"{world.base}/compare?{query}")
    assert refused.status_code == 404 and "Newcomer is not ranked in 2025-Q3" in refused.text
