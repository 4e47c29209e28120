"""Time travel through a quarter's deadline: reminders at T-14, T-3 and T+1, each once, to every
active member of a supplier that has not filed, in their language; overdue marks at T+1."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.audit.models import AuditEvent
from esgx_platform.db import clock_at
from esgx_platform.jobs.base import JobContext, insert_once
from esgx_platform.jobs.models import OverdueMark, Reminder
from esgx_platform.jobs.reminders import mark_overdue, send_reminders
from esgx_platform.notifications.models import Notification, OutboxMail
from esgx_platform.notifications.services import inbox, mark_read
from esgx_platform.periods.quarters import Quarter
from esgx_platform.periods.services import ensure_period
from tests.platform.factories import make_user
from tests.platform.jobs.conftest import RecordingMailer
from tests.platform.jobs.world import Reminded, day, reminded_world
from tests.platform.rollups.world import Scenario


def _reminders(session: Session, world: Reminded) -> set[tuple[str, str]]:
    rows = session.scalars(
        select(Reminder).where(Reminder.lead_factory_id == world.scenario.factory.id)
    )
    names = {s.org.id: s.name for s in (world.one, world.two, world.three, world.ended)}
    return {(names[r.supplier_id], r.stage) for r in rows}


def _mails_to(mailer: RecordingMailer, user: User) -> list[str]:
    return [str(m["Subject"]).strip() for m in mailer.sent if m["To"] == user.email]


def test_reminder_stages_through_a_deadline(
    session: Session, job_ctx: JobContext, mailer: RecordingMailer
) -> None:
    world = reminded_world(session)
    with clock_at(day("2025-10-15")):  # T-15
        send_reminders(job_ctx)
    assert _reminders(session, world) == set()

    with clock_at(day("2025-10-16")):  # T-14
        result = send_reminders(job_ctx)
    assert result.outcome == "ok"
    assert _reminders(session, world) == {
        ("Supplier One", "t-14"),
        ("Supplier Two", "t-14"),
        ("Supplier Three", "t-14"),
    }
    _assert_first_mails(mailer, world)

    sent_before = len(mailer.sent)
    with clock_at(day("2025-10-16", time(15))):  # the same stage again: nothing new
        send_reminders(job_ctx)
    with clock_at(day("2025-10-20")):
        send_reminders(job_ctx)
    assert len(mailer.sent) == sent_before
    assert len(inbox(session, user_id=world.en.id)) == 1

    world.scenario.file(world.two, "2025-Q3", "10", when=day("2025-10-22"))
    session.commit()
    with clock_at(day("2025-10-27")):  # T-3: Supplier Two has filed
        send_reminders(job_ctx)
    assert {r for r in _reminders(session, world) if r[1] == "t-3"} == {
        ("Supplier One", "t-3"),
        ("Supplier Three", "t-3"),
    }
    assert _mails_to(mailer, world.zh)[-1].startswith("即将截止：")

    with clock_at(day("2025-10-31")):  # T+1
        send_reminders(job_ctx)
        marked = mark_overdue(job_ctx)
    assert marked.summary == "2 suppliers marked overdue"
    assert _mails_to(mailer, world.en)[-1] == (
        "Overdue: 2025-Q3 emissions disclosure for Tianjin Plant was due 30 October 2025"
    )
    _assert_overdue_marks(session, world)


def _assert_first_mails(mailer: RecordingMailer, world: Reminded) -> None:
    """T-14: one mail to each active member, in their language; none to the inactive one."""
    assert _mails_to(mailer, world.en) == [
        "Reminder: 2025-Q3 emissions disclosure for Tianjin Plant due 30 October 2025"
    ]
    assert _mails_to(mailer, world.zh) == [
        "提醒：Tianjin Plant（中文）要求的2025-Q3排放披露将于2025年10月30日截止"
    ]
    assert _mails_to(mailer, world.inactive) == []


def _assert_overdue_marks(session: Session, world: Reminded) -> None:
    factory = world.scenario.factory
    marks = session.scalars(select(OverdueMark).where(OverdueMark.lead_factory_id == factory.id))
    assert {m.supplier_id for m in marks} == {world.one.org.id, world.three.org.id}
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "supplier.overdue", AuditEvent.organization_id == factory.id
        )
    ).all()
    assert sorted(e.details["period"] for e in events) == ["2025-Q3", "2025-Q3"]
    assert {e.target_id for e in events} == {str(world.one.org.id), str(world.three.org.id)}


def test_overdue_marks_are_recorded_once(session: Session, job_ctx: JobContext) -> None:
    world = reminded_world(session)
    with clock_at(day("2025-10-31")):
        assert mark_overdue(job_ctx).outcome == "ok"
    with clock_at(day("2025-11-05")):
        again = mark_overdue(job_ctx)
    assert again.summary == "0 suppliers marked overdue"
    marks = session.scalars(
        select(OverdueMark).where(OverdueMark.lead_factory_id == world.scenario.factory.id)
    )
    # Nobody filed here; the ended relationship did not cover the quarter.
    assert {m.supplier_id for m in marks} == {s.org.id for s in (world.one, world.two, world.three)}


def test_inbox_keeps_both_languages_and_links_to_the_form(
    session: Session, job_ctx: JobContext
) -> None:
    world = reminded_world(session)
    with clock_at(day("2025-10-16")):
        send_reminders(job_ctx)
    (note,) = inbox(session, user_id=world.zh.id)
    assert (note.kind, note.stage, note.organization_id) == ("reminder", "t-14", world.one.org.id)
    assert "14 days remain" in note.body_en and "距截止还有 14 天" in note.body_zh
    assert note.link == f"https://esgx.example/portal/orgs/{world.one.org.id}/form?period=2025-Q3"
    assert note.link in note.body_en
    with clock_at(day("2025-10-17")):
        mark_read(session, user_id=world.zh.id, notification_id=note.id)
    assert inbox(session, user_id=world.zh.id, unread_only=True) == []


def test_factory_deadline_days_move_the_stages(session: Session, job_ctx: JobContext) -> None:
    world = reminded_world(session)
    world.scenario.configure(deadline_days=45)  # deadline 14 November 2025
    session.commit()
    with clock_at(day("2025-10-16")):
        send_reminders(job_ctx)
    assert _reminders(session, world) == set()
    with clock_at(day("2025-10-31")):
        send_reminders(job_ctx)
    assert ("Supplier One", "t-14") in _reminders(session, world)
    (mail,) = session.scalars(
        select(OutboxMail).where(OutboxMail.to_address == world.en.email)
    ).all()
    assert "14 November 2025" in mail.subject and "14 November 2025" in mail.body_text


def test_the_unique_constraint_refuses_a_second_reminder(
    session: Session, job_ctx: JobContext
) -> None:
    """The guarantee does not depend on the pre-check: a second row for the same supplier,
    factory, period and stage is refused by the database."""
    world = reminded_world(session)
    period = ensure_period(session, Quarter(2025, 3))
    keys = {
        "supplier_id": world.one.org.id,
        "lead_factory_id": world.scenario.factory.id,
        "period_id": period.id,
        "stage": "t-14",
        "deadline": day("2025-10-30", time(23, 59, 59)),
        "recipients": 2,
    }
    assert insert_once(session, Reminder(**keys))
    assert not insert_once(session, Reminder(**keys))
    assert insert_once(session, Reminder(**{**keys, "stage": "t-3"}))


def test_a_member_who_joins_later_gets_the_current_stage(
    session: Session, job_ctx: JobContext, mailer: RecordingMailer
) -> None:
    scenario = Scenario(session, "Late Plant")
    lonely = scenario.supplier("Nobody Yet")
    session.commit()
    with clock_at(day("2025-10-16")):
        send_reminders(job_ctx)
    newcomer = make_user(session, lonely.org, Role.SUPPLIER_ADMIN)
    session.commit()
    with clock_at(day("2025-10-18")):
        send_reminders(job_ctx)
    assert len(_mails_to(mailer, newcomer)) == 1
    notes = session.scalars(select(Notification).where(Notification.user_id == newcomer.id))
    assert [n.stage for n in notes] == ["t-14"]
