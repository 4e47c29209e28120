"""Fixtures for the jobs: a job context over the rolled-back test database, a mailer that
records what it is given, and a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from esgx_platform.config import Settings
from esgx_platform.db import Database
from esgx_platform.i18n import Text
from esgx_platform.jobs.base import JobContext
from esgx_platform.notifications.mail import MailDeliveryError


class RecordingMailer:
    """A mail backend that keeps every message; `failing` makes it refuse like a dead server."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failing = False

    def send(self, message: EmailMessage) -> None:
        if self.failing:
            raise MailDeliveryError(Text("connection refused", "连接被拒绝"))
        self.sent.append(message)


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def job_ctx(test_db: Database, settings: Settings, mailer: RecordingMailer) -> JobContext:
    return JobContext(test_db, settings.with_overrides(base_url="https://esgx.example"), mailer)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping each message it accepts, parsed; it refuses (550)
    recipients whose address starts with `nobody`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls hooks by these names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("nobody"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = cast(bytes, envelope.content)
        message = email.message_from_bytes(content, policy=default_policy)
        self.messages.append(message)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port (started; `stop()`/`start()` to flap it)."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()
