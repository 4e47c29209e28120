"""Mail backends chosen by ESGX_MAIL_BACKEND: SMTP for real delivery, console or files for
development. Each sends one `email.message.EmailMessage` or raises `MailDeliveryError`."""

from __future__ import annotations

import smtplib
import ssl
import sys
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol, TextIO

from esgx_platform.config import Settings
from esgx_platform.db import utcnow
from esgx_platform.errors import ConfigurationError, EsgxError
from esgx_platform.i18n import Text

SMTP_TIMEOUT_SECONDS = 30


@dataclass(eq=False)
class MailDeliveryError(EsgxError):
    """The mail was not delivered; `permanent` when retrying cannot help (a 5xx refusal)."""

    permanent: bool = False
    type_slug = "mail-delivery"
    title = Text("Mail not delivered", "邮件未送达")
    status = 502


@dataclass(frozen=True)
class Mail:
    """A rendered e-mail: the outbox row's content, ready to send."""

    id: uuid.UUID
    to: str
    subject: str
    text: str
    html: str


class MailBackend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def build_message(mail: Mail, *, sender: str) -> EmailMessage:
    """Plain text with an HTML alternative. The Message-ID comes from the outbox row, so a mail
    sent twice after a crash carries the same id and mail clients can fold the copies."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    domain = sender.rpartition("@")[2] or "esgx.localhost"
    message["Message-ID"] = f"<{mail.id}@{domain}>"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class ConsoleBackend:
    """Prints each message (development): nothing leaves the machine."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        stream = self.stream or sys.stdout
        stream.write(message.as_string() + "\n" + "-" * 72 + "\n")
        stream.flush()


class FileBackend:
    """Writes each message as an .eml file into a folder (development, demos, inspection)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        ident = str(message["Message-ID"]).strip("<>").partition("@")[0]
        name = f"{utcnow():%Y%m%dT%H%M%S}-{ident}.eml"
        (self.directory / name).write_bytes(message.as_bytes())


@dataclass(frozen=True)
class SmtpBackend:
    host: str
    port: int
    security: str = "none"  # none | starttls | ssl
    user: str | None = None
    password: str | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            raise _failure(f"{exc.smtp_code} {exc.smtp_error!r}", exc.smtp_code >= 500) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise _failure(f"recipients refused: {exc.recipients}", True) from exc
        except (smtplib.SMTPException, OSError) as exc:  # connection refused, timeouts, TLS
            raise _failure(f"{type(exc).__name__}: {exc}", False) from exc

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=SMTP_TIMEOUT_SECONDS,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)


def _failure(reason: str, permanent: bool) -> MailDeliveryError:
    return MailDeliveryError(
        Text("The mail server did not take the message: {r}", "邮件服务器未接收该邮件：{r}").format(
            r=reason
        ),
        permanent=permanent,
    )


def mail_backend(settings: Settings) -> MailBackend:
    """The backend the settings choose; raises ConfigurationError for SMTP without a host."""
    if settings.mail_backend == "console":
        return ConsoleBackend()
    if settings.mail_backend == "file":
        return FileBackend(settings.mail_dir)
    if settings.mail_host is None:
        raise ConfigurationError(
            Text(
                "ESGX_MAIL_HOST must be set for the smtp mail backend "
                "(or choose ESGX_MAIL_BACKEND=console or file).",
                "使用 smtp 邮件后端时必须设置 ESGX_MAIL_HOST"
                "（或设置 ESGX_MAIL_BACKEND=console 或 file）。",
            )
        )
    return SmtpBackend(
        settings.mail_host,
        settings.mail_port,
        settings.mail_security,
        settings.mail_user,
        settings.mail_password,
    )
