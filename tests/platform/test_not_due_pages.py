"""Quarters not yet due on the pages, in both languages: the roll-up's own "Not yet due" list
and drill-down, procurement's ranking (a note, a tag, the penalties' quarter counts, the
export) and scorecard, and the supplier's own scorecard in the portal."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.db import clock_at
from tests.platform.factories import make_user
from tests.platform.not_due_world import AFTER, BEFORE, NotDueWorld, not_due_world
from tests.platform.test_procurement_pages import _as, _text


@dataclass
class Pages:
    world: NotDueWorld
    users: dict[str, User]

    @property
    def factory(self) -> str:
        return f"/factories/{self.world.w.factory.id}"

    def get(self, app: Flask, who: str, url: str, when: datetime = BEFORE) -> str:
        with clock_at(when):
            response = _as(app, self.users[who]).get(url)
        assert response.status_code == 200, url
        return response.text


@pytest.fixture
def pages(session: Session) -> Pages:
    world = not_due_world(session)
    factory, waiting = world.w.factory, world.waiting.org
    users = {
        "analyst": make_user(session, factory, Role.FACTORY_ANALYST),
        "analyst_zh": make_user(session, factory, Role.FACTORY_ANALYST, locale="zh"),
        "procurement": make_user(session, factory, Role.PROCUREMENT),
        "procurement_zh": make_user(session, factory, Role.PROCUREMENT, locale="zh"),
        "supplier": make_user(session, waiting, Role.SUPPLIER_ADMIN),
        "supplier_zh": make_user(session, waiting, Role.SUPPLIER_MEMBER, locale="zh"),
    }
    session.commit()
    return Pages(world, users)


def test_the_rollup_lists_who_has_not_filed_yet_apart_from_who_is_missing(
    app: Flask, pages: Pages
) -> None:
    url = f"{pages.factory}/rollup?period=2025"
    page = _text(pages.get(app, "analyst", url))
    assert "Not disclosed (0)" in page and "Filing rejected (0)" in page
    assert "Not yet due (3)" in page
    assert "not late, and not penalized in the ranking" in page
    assert "Waiting 2025-Q3 (deadline 2025-10-30)" in page
    assert "Newcomer 2025-Q3 (deadline 2025-10-30)" in page
    assert "overdue" not in page
    # After the deadline the same suppliers are missing (and overdue), none is waiting.
    page = _text(pages.get(app, "analyst", url, AFTER))
    assert "Not disclosed (2)" in page and "Filing rejected (1)" in page
    assert "Not yet due (0)" in page and "overdue: 2025-Q3" in page
    zh = _text(pages.get(app, "analyst_zh", url))
    assert "未到截止日期 (3)" in zh and "2025-Q3（截止日期 2025-10-30）" in zh
    assert "不算逾期，排名中也不扣分" in zh


def test_the_drill_down_says_not_yet_due_with_the_deadline(app: Flask, pages: Pages) -> None:
    supplier = pages.world.waiting.org.id
    url = f"{pages.factory}/rollup/suppliers/{supplier}?period=2025"
    assert "not filed · not yet due (deadline 2025-10-30)" in _text(pages.get(app, "analyst", url))
    after = _text(pages.get(app, "analyst", url, AFTER))
    assert "not filed overdue" in after and "not yet due" not in after


def test_the_ranking_notes_quarters_not_yet_due_and_penalizes_none(
    app: Flask, pages: Pages
) -> None:
    html = pages.get(app, "procurement", f"{pages.factory}/ranking?period=2025")
    page = _text(html)
    assert (
        "Suppliers that have not yet filed a quarter whose deadline has not passed: 3 of 4." in page
    )
    assert "With no quarter due in the period at all: 1 (the metrics" in page
    assert html.count('<span class="tag">not yet due: 2025-Q3</span>') == 3
    assert '<span class="tag">missing data</span>' not in html and "Not disclosed" not in page
    # Penalties pro rata over the quarters judged: Waiting's unassured Q2 is 1 of 1.
    assert "No third-party assurance (1 of 1 quarters)" in page
    assert "No third-party assurance (2 of 2 quarters)" in page  # Early: Q3 filed early counts
    zh = _text(pages.get(app, "procurement_zh", f"{pages.factory}/ranking?period=2025"))
    assert "尚未提交截止日期未到的季度的供应商：4 家中有 3 家。" in zh
    assert "未到截止日期：2025-Q3" in zh


def test_a_supplier_with_nothing_due_is_explained_not_dropped(app: Flask, pages: Pages) -> None:
    supplier = pages.world.newcomer.org.id
    url = f"{pages.factory}/ranking/suppliers/{supplier}?period=2025"
    page = _text(pages.get(app, "procurement", url))
    assert "Rank 4 of 4" in page
    assert "No penalties: no quarter of the period is due yet." in page
    assert "2025-Q3 Not yet due" in page and "Such a quarter is not judged yet" in page
    assert "No value (no quarter of the period is due yet" in page
    assert "every quarter was filed on time" not in page


def test_the_export_names_the_quarters_not_yet_due(app: Flask, pages: Pages) -> None:
    text = pages.get(app, "procurement", f"{pages.factory}/ranking/export.csv?period=2025")
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = header.index("Not yet due (no penalty)")
    by_name = {row[header.index("Name (English)")]: row[column] for row in rows}
    assert by_name == {
        "Early": "",
        "Waiting": "2025-Q3",
        "Refused": "2025-Q3",
        "Newcomer": "2025-Q3",
    }


def test_the_suppliers_own_scorecard_shows_the_quarter_not_yet_due(
    app: Flask, pages: Pages
) -> None:
    world = pages.world
    url = f"/portal/orgs/{world.waiting.org.id}/scorecards?factory={world.w.factory.id}&period=2025"
    page = _text(pages.get(app, "supplier", url))
    assert "2025-Q2 Filed on time 2025-Q3 Not yet due" in page
    assert "Such a quarter is not judged yet: no penalty" in page
    assert "Not disclosed" not in page
    zh = _text(pages.get(app, "supplier_zh", url))
    assert "2025-Q3 未到截止日期" in zh and "此类季度暂不评判" in zh
    # After the deadline the quarter is missing and penalized.
    after = _text(pages.get(app, "supplier", url, AFTER))
    assert "2025-Q3 Not disclosed" in after and "Not disclosed 2025-Q3 10.00" in after
