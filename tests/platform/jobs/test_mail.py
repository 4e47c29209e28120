"""Mail: real SMTP delivery to a local server (aiosmtpd) in each recipient's language, the
outbox's retries after a failure, permanent refusals, and the development backends."""

from __future__ import annotations

import io
import uuid
from datetime import time, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from esgx_platform.errors import ConfigurationError
from esgx_platform.i18n import Text
from esgx_platform.jobs.base import JobContext
from esgx_platform.jobs.reminders import send_reminders
from esgx_platform.notifications.letters import Letter
from esgx_platform.notifications.mail import (
    ConsoleBackend,
    FileBackend,
    Mail,
    SmtpBackend,
    build_message,
    mail_backend,
)
from esgx_platform.notifications.models import OutboxMail
from esgx_platform.notifications.outbox import MAX_ATTEMPTS, backoff, claim_due, deliver_due
from esgx_platform.notifications.services import notify_user
from tests.platform.factories import make_org, make_user
from tests.platform.jobs.conftest import RecordingMailer, SmtpServer
from tests.platform.jobs.world import day, reminded_world


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


def test_reminders_arrive_over_smtp_in_each_language(
    session: Session, test_db: Database, settings: Settings, smtp_server: SmtpServer
) -> None:
    world = reminded_world(session)
    smtp = SmtpBackend("127.0.0.1", smtp_server.port)
    ctx = JobContext(test_db, settings.with_overrides(base_url="https://esgx.example"), smtp)
    with clock_at(day("2025-10-16")):
        send_reminders(ctx)
    by_address = {str(m["To"]): m for m in smtp_server.inbox.messages}
    link = f"https://esgx.example/portal/orgs/{world.one.org.id}/form?period=2025-Q3"

    en = by_address[world.en.email]
    # Python folds a long header onto its own continuation line; readers drop that whitespace.
    assert en["Subject"].strip() == (
        "Reminder: 2025-Q3 emissions disclosure for Tianjin Plant due 30 October 2025"
    )
    assert en["From"] == settings.mail_sender
    text = _body(en, "plain")
    assert text.startswith(f"Hello {world.en.display_name},")
    assert (
        "Tianjin Plant asks Supplier One to file its signed emissions disclosure for 2025-Q3 "
        "(1 July – 30 September 2025) by 30 October 2025 (end of day, UTC)" in text
    )
    assert "14 days remain" in text and link in text
    html = _body(en, "html")
    assert f'<a href="{link}">Open the supplier portal</a>' in html
    assert "<img" not in html and "<script" not in html

    zh = by_address[world.zh.email]
    assert (
        zh["Subject"].strip()
        == "提醒：Tianjin Plant（中文）要求的2025-Q3排放披露将于2025年10月30日截止"
    )
    text = _body(zh, "plain")
    assert text.startswith(f"{world.zh.display_name}，您好：")
    assert "Tianjin Plant（中文）请Supplier One（中文）于2025年10月30日（UTC 当日结束前）" in text
    assert "2025年第3季度（2025年7月1日至9月30日）" in text and "距截止还有 14 天" in text
    assert '<html lang="zh-CN">' in _body(zh, "html") and "打开供应商门户" in _body(zh, "html")
    assert world.inactive.email not in by_address


def _queue_one(session: Session, user: User, org_id: uuid.UUID) -> OutboxMail:
    letter = Letter(Text("Test", "测试"), (Text("Body", "正文"),), None, Text("f", "脚注"))
    note = notify_user(session, user=user, organization_id=org_id, kind="test", letter=letter)
    session.commit()
    return session.scalars(select(OutboxMail).where(OutboxMail.notification_id == note.id)).one()


@pytest.fixture
def queued(session: Session) -> OutboxMail:
    org = make_org(session, "supplier", "Mail Supplier")
    user = make_user(session, org, Role.SUPPLIER_ADMIN, locale="zh")
    with clock_at(day("2025-10-16", time(8))):  # queued before the tests' clock
        return _queue_one(session, user, org.id)


def test_the_outbox_retries_after_an_smtp_failure(
    session: Session, test_db: Database, queued: OutboxMail, smtp_server: SmtpServer
) -> None:
    smtp = SmtpBackend("127.0.0.1", smtp_server.port)
    smtp_server.stop()  # the mail server is down
    start = day("2025-10-16")
    with clock_at(start):
        report = deliver_due(test_db, smtp, sender="esgx@esgx.example")
    assert (report.sent, report.retrying) == (0, 1)
    session.refresh(queued)
    assert queued.attempts == 1 and queued.sent_at is None and queued.failed_at is None
    assert "ConnectionRefusedError" in (queued.last_error or "")
    assert queued.next_attempt_at == start + timedelta(minutes=1)

    smtp_server.start()
    with clock_at(start + timedelta(seconds=30)):  # not due yet
        assert deliver_due(test_db, smtp, sender="esgx@esgx.example").sent == 0
    with clock_at(start + timedelta(minutes=2)):
        assert deliver_due(test_db, smtp, sender="esgx@esgx.example").sent == 1
    session.refresh(queued)
    assert queued.attempts == 2 and queued.sent_at is not None and queued.last_error is None
    (message,) = smtp_server.inbox.messages
    assert message["Subject"] == "测试" and message["Message-ID"] == f"<{queued.id}@esgx.example>"
    with clock_at(start + timedelta(hours=1)):
        assert deliver_due(test_db, smtp, sender="esgx@esgx.example").sent == 0


def test_a_permanent_refusal_is_not_retried(
    session: Session, test_db: Database, smtp_server: SmtpServer
) -> None:
    org = make_org(session, "supplier", "Refused Supplier")
    user = make_user(session, org, Role.SUPPLIER_ADMIN)
    user.email = "nobody@esgx.example"
    row = _queue_one(session, user, org.id)
    report = deliver_due(
        test_db, SmtpBackend("127.0.0.1", smtp_server.port), sender="esgx@esgx.example"
    )
    assert (report.sent, report.gave_up) == (0, 1)
    session.refresh(row)
    assert row.failed_at is not None and "refused" in (row.last_error or "")


def test_the_outbox_gives_up_after_max_attempts(
    session: Session, test_db: Database, queued: OutboxMail, mailer: RecordingMailer
) -> None:
    mailer.failing = True
    moment = day("2025-10-16")
    for _ in range(MAX_ATTEMPTS):
        with clock_at(moment):
            deliver_due(test_db, mailer, sender="esgx@esgx.example")
        moment += timedelta(hours=2)
    session.refresh(queued)
    assert queued.attempts == MAX_ATTEMPTS and queued.failed_at is not None
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8)] == [1, 2, 4, 60, 60]


def test_a_claimed_mail_is_sent_again_when_its_deliverer_dies(
    session: Session, test_db: Database, queued: OutboxMail, mailer: RecordingMailer
) -> None:
    """At-least-once: a deliverer that claimed a mail and died before recording it (whether or
    not the server took it) loses the claim when the lease runs out."""
    start = day("2025-10-16")
    with clock_at(start):
        assert [m.id for m in claim_due(test_db)] == [queued.id]  # ... and the process dies
        assert deliver_due(test_db, mailer, sender="esgx@esgx.example").sent == 0
    with clock_at(start + timedelta(minutes=6)):
        assert deliver_due(test_db, mailer, sender="esgx@esgx.example").sent == 1


def test_development_backends(tmp_path: Path) -> None:
    mail = Mail(uuid.uuid4(), "a@esgx.example", "主题", "正文", "<p>正文</p>")
    message = build_message(mail, sender="esgx@localhost")
    stream = io.StringIO()
    ConsoleBackend(stream).send(message)
    assert "To: a@esgx.example" in stream.getvalue()
    FileBackend(tmp_path / "mail").send(message)
    (written,) = (tmp_path / "mail").iterdir()
    assert written.name.endswith(f"{mail.id}.eml") and b"Subject:" in written.read_bytes()


def test_mail_backend_from_settings(tmp_path: Path) -> None:
    base = {"ESGX_INSTANCE_DIR": str(tmp_path), "ESGX_SECRET_KEY": "k" * 40}
    assert isinstance(mail_backend(Settings.from_env(base)), ConsoleBackend)
    filed = Settings.from_env({**base, "ESGX_MAIL_BACKEND": "file"})
    assert isinstance(mail_backend(filed), FileBackend) and filed.mail_dir == tmp_path / "mail"
    smtp = Settings.from_env(
        {
            **base,
            "ESGX_MAIL_HOST": "mail.example",
            "ESGX_MAIL_PORT": "587",
            "ESGX_MAIL_SECURITY": "starttls",
            "ESGX_MAIL_USER": "u",
        }
    )
    assert mail_backend(smtp) == SmtpBackend("mail.example", 587, "starttls", "u", None)
    with pytest.raises(ConfigurationError, match="ESGX_MAIL_HOST must be set"):
        mail_backend(Settings.from_env({**base, "ESGX_MAIL_BACKEND": "smtp"}))
