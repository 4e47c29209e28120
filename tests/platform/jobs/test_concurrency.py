"""Two reminder runs at the same moment, on real committed transactions: each reminder is
recorded once and each mail delivered once (the unique constraint and the outbox's claims)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from esgx_platform.jobs.base import JobContext
from esgx_platform.jobs.models import Reminder
from esgx_platform.jobs.reminders import send_reminders
from esgx_platform.notifications.models import OutboxMail
from tests.platform.jobs.conftest import RecordingMailer
from tests.platform.jobs.world import day, reminded_world


def _in_parallel(*calls: Callable[[], object]) -> None:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def test_two_runs_at_once_remind_once(isolated_database: Database, settings: Settings) -> None:
    with isolated_database.sessions() as session:
        reminded_world(session)
    mailers = [RecordingMailer(), RecordingMailer()]
    contexts = [JobContext(isolated_database, settings, mailer) for mailer in mailers]

    def remind(ctx: JobContext) -> Callable[[], object]:
        def call() -> object:
            with clock_at(day("2025-10-16")):
                return send_reminders(ctx)

        return call

    _in_parallel(*(remind(ctx) for ctx in contexts))
    with isolated_database.sessions() as session:
        reminders = session.scalar(select(func.count()).select_from(Reminder))
        mails = session.scalar(select(func.count()).select_from(OutboxMail))
        unsent = session.scalar(
            select(func.count()).select_from(OutboxMail).where(OutboxMail.sent_at.is_(None))
        )
    assert reminders == 3  # Supplier One, Two and Three, stage t-14
    assert mails == 4 and unsent == 0  # One's two active members, Two's and Three's admins
    assert sum(len(m.sent) for m in mailers) == 4
