"""The portal inbox: one's own reminders (factory, period, deadline, a link to the form for
that period), unread first and marked read by a POST with its CSRF token, the unread count in
the navigation, the deadlines of each customer; and nobody else's notifications, ever."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from esgx_platform.jobs.base import JobContext
from esgx_platform.jobs.reminders import send_reminders
from esgx_platform.notifications.models import Notification
from tests.platform.factories import make_org, make_user, sign_in
from tests.platform.jobs.conftest import RecordingMailer
from tests.platform.jobs.world import Reminded, day, reminded_world


def _reminded(session: Session, test_db: Database, settings: Settings) -> Reminded:
    world = reminded_world(session)
    ctx = JobContext(
        test_db, settings.with_overrides(base_url="https://esgx.example"), RecordingMailer()
    )
    with clock_at(day("2025-10-16")):  # T-14 of 2025-Q3 (deadline 30 October 2025)
        send_reminders(ctx)
    return world


def _note(session: Session, user: User) -> Notification:
    return session.scalars(select(Notification).where(Notification.user_id == user.id)).one()


def _csrf(client: FlaskClient) -> str:
    with client.session_transaction() as sess:
        return str(sess["csrf"])


def _count(page: str) -> str | None:
    found = re.search(r'<span class="count">(\d+)</span>', page)
    return found.group(1) if found else None


def test_inbox_shows_the_reminder_and_the_deadlines(
    client: FlaskClient, session: Session, test_db: Database, settings: Settings
) -> None:
    world = _reminded(session, test_db, settings)
    sign_in(client, world.en)
    with clock_at(day("2025-10-17")):
        page = client.get("/portal/inbox").text
    note = _note(session, world.en)
    assert f'id="n-{note.id}"' in page
    assert "Reminder: 2025-Q3 emissions disclosure for Tianjin Plant due 30 October 2025" in page
    assert "<dd>Tianjin Plant</dd>" in page and "<dd>2025-Q3</dd>" in page
    assert "<dd>30 October 2025</dd>" in page and "14 days before the deadline" in page
    form = f"/portal/orgs/{world.one.org.id}/form?period=2025-Q3"
    assert f'<a href="{form}">Open the disclosure form for 2025-Q3</a>' in page
    assert _count(page) == "1"  # the navigation's unread count
    # Deadlines: the quarter being filed, the current and the next, for each customer.
    assert "Not filed yet; days left: 13" in page
    assert "2025-Q4" in page and "Can be filed from 1 January 2026" in page
    assert "2026-Q1" in page
    assert f'<a href="{form}">File 2025-Q3</a>' in page


def test_mark_as_read_takes_a_post_with_its_token(
    client: FlaskClient, session: Session, test_db: Database, settings: Settings
) -> None:
    world = _reminded(session, test_db, settings)
    sign_in(client, world.en)
    note = _note(session, world.en)
    refused = client.post(f"/portal/inbox/{note.id}/read")
    assert refused.status_code == 403  # no CSRF token
    assert client.get(f"/portal/inbox/{note.id}/read").status_code == 405
    done = client.post(f"/portal/inbox/{note.id}/read", data={"csrf_token": _csrf(client)})
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/portal/inbox#n-{note.id}")
    session.expire_all()
    assert _note(session, world.en).read_at is not None
    page = client.get("/portal/inbox").text
    assert _count(page) is None and "(0 unread)" in page
    assert "Mark all as read" not in page


def test_mark_all_as_read(
    client: FlaskClient, session: Session, test_db: Database, settings: Settings
) -> None:
    world = _reminded(session, test_db, settings)
    ctx = JobContext(test_db, settings, RecordingMailer())
    with clock_at(day("2025-10-27")):  # T-3: a second reminder
        send_reminders(ctx)
    sign_in(client, world.zh)
    page = client.get("/portal/inbox").text
    assert _count(page) == "2"
    # Chinese for a Chinese reader; unread first, newest first.
    assert page.index("即将截止：") < page.index("提醒：")
    assert "<h1>收件箱</h1>" in page and "全部标为已读" in page and "截止日前 3 天" in page
    response = client.post("/portal/inbox/read-all", data={"csrf_token": _csrf(client)})
    assert response.status_code == 303
    assert _count(client.get("/portal/inbox").text) is None
    session.expire_all()
    unread = select(Notification).where(
        Notification.user_id == world.en.id, Notification.read_at.is_(None)
    )
    assert len(session.scalars(unread).all()) == 2  # a colleague's inbox is untouched


def test_nobody_sees_or_marks_anyone_elses_notifications(
    client: FlaskClient, session: Session, test_db: Database, settings: Settings
) -> None:
    world = _reminded(session, test_db, settings)
    mine, theirs = _note(session, world.zh), _note(session, world.en)
    outsider = make_user(session, make_org(session, "supplier", "Outsider"), Role.SUPPLIER_ADMIN)
    analyst = make_user(session, world.scenario.factory, Role.FACTORY_ANALYST)
    session.commit()

    sign_in(client, world.zh)  # same organization, a different person
    page = client.get("/portal/inbox").text
    assert f'id="n-{mine.id}"' in page and str(theirs.id) not in page
    assert (
        client.post(
            f"/portal/inbox/{theirs.id}/read", data={"csrf_token": _csrf(client)}
        ).status_code
        == 404
    )

    stranger = client.application.test_client()
    sign_in(stranger, outsider)
    page = stranger.get("/portal/inbox").text
    assert "No notifications yet." in page and "Tianjin Plant" not in page
    assert world.one.org.name_en not in page
    assert (
        stranger.post(
            f"/portal/inbox/{theirs.id}/read", data={"csrf_token": _csrf(stranger)}
        ).status_code
        == 404
    )

    factory = client.application.test_client()
    sign_in(factory, analyst)
    assert factory.get("/portal/inbox").status_code == 403
    assert "/portal/inbox" not in factory.get("/").text  # no inbox in their navigation

    anonymous = client.application.test_client()
    assert anonymous.get("/portal/inbox").status_code == 401
    session.expire_all()
    assert _note(session, world.en).read_at is None
