"""The demo's reminder story (README): seeded on 25 November 2026, its silent supplier has not
filed 2026-Q3 (due 30 October 2026), so the reminders job sends that supplier's two demo users
the overdue reminder, one in Chinese and one in English; travelling to 16 January 2027 sends
the current quarter's T-14 to every demo supplier user."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.db import clock_at
from esgx_platform.demo.seed import FilingSetup, seed_demo
from esgx_platform.demo.seed_filings import SILENT
from esgx_platform.demo.world import SUPPLIERS, USERS
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.jobs.base import JobContext
from esgx_platform.jobs.models import OverdueMark
from esgx_platform.jobs.reminders import mark_overdue, send_reminders
from esgx_platform.secretbox import SecretBox
from tests.platform.jobs.conftest import RecordingMailer


def test_the_demo_sends_a_chinese_and_an_english_reminder(
    session: Session, tmp_path: Path, job_ctx: JobContext, mailer: RecordingMailer
) -> None:
    setup = FilingSetup(tmp_path / "keys", LogSigner(SecretBox(["A" * 43 + "="]), "demo.test/log"))
    seed_demo(session, today=date(2026, 11, 25), filings=setup)
    session.commit()
    taihu = [u for u in USERS if u.org == SUPPLIERS[SILENT].name_en]
    assert sorted(u.locale for u in taihu) == ["en", "zh"]

    with clock_at(datetime(2026, 11, 25, 20, 5, tzinfo=UTC)):
        result = send_reminders(job_ctx)
        mark_overdue(job_ctx)
    assert result.summary.startswith("1 reminders to 2 people; mail: 2 sent")
    subjects = {str(m["To"]): str(m["Subject"]).strip() for m in mailer.sent}
    assert subjects == {
        "taihu-admin@esgx.example": "已逾期：津港电子制造（天津）有限公司要求的2026-Q3排放披露已于"
        "2026年10月30日截止",
        "taihu-member@esgx.example": "Overdue: 2026-Q3 emissions disclosure for Jingang "
        "Electronics Manufacturing (Tianjin) Co., Ltd. was due 30 October 2026",
    }
    (mark,) = session.scalars(select(OverdueMark)).all()
    assert mark.deadline.date() == date(2026, 10, 30)

    mailer.sent.clear()
    with clock_at(datetime(2027, 1, 16, 9, 0, tzinfo=UTC)):  # T-14 of 2026-Q4
        result = send_reminders(job_ctx)
    supplier_users = [u for u in USERS if u.role.value.startswith("supplier")]
    assert sorted(str(m["To"]) for m in mailer.sent) == sorted(u.email for u in supplier_users)
    assert all("2026-Q4" in str(m["Subject"]) for m in mailer.sent)
