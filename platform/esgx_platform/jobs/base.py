"""What a job is: an id, a function of a `JobContext`, a trigger and a bilingual description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Base, Database
from esgx_platform.i18n import Text
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.notifications.mail import MailBackend
from esgx_platform.secretbox import SecretBox


@dataclass(frozen=True)
class JobContext:
    """Everything a job may use; the scheduler, the CLI and tests each build one."""

    database: Database
    settings: Settings
    mailer: MailBackend

    @property
    def signer(self) -> LogSigner:
        return LogSigner(SecretBox(self.settings.encryption_keys), self.settings.log_origin)


@dataclass(frozen=True)
class JobResult:
    outcome: str  # ok | skipped
    summary: str

    @classmethod
    def ok(cls, summary: str) -> JobResult:
        return cls("ok", summary)

    @classmethod
    def skipped(cls, summary: str) -> JobResult:
        return cls("skipped", summary)


@dataclass(frozen=True)
class Every:
    """An interval trigger."""

    seconds: int

    def build(self) -> BaseTrigger:
        return IntervalTrigger(seconds=self.seconds, timezone=UTC)

    def describe(self) -> Text:
        if self.seconds % 60:
            return Text(f"every {self.seconds} s", f"每 {self.seconds} 秒")
        return Text(f"every {self.seconds // 60} min", f"每 {self.seconds // 60} 分钟")


@dataclass(frozen=True)
class Cron:
    """A cron trigger in UTC: `hour=None` means every hour at `minute`."""

    minute: int
    hour: int | None = None

    def build(self) -> BaseTrigger:
        hour = "*" if self.hour is None else str(self.hour)
        return CronTrigger(minute=str(self.minute), hour=hour, timezone=UTC)

    def describe(self) -> Text:
        if self.hour is None:
            return Text(f"hourly at :{self.minute:02d}", f"每小时第 {self.minute} 分")
        at = f"{self.hour:02d}:{self.minute:02d}"
        return Text(f"daily at {at} UTC", f"每天 UTC {at}")


Trigger = Every | Cron


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[JobContext], JobResult]
    trigger: Trigger
    description: Text


def interval_for(settings: Settings, job_id: str) -> int | None:
    """The ESGX_JOB_INTERVALS override for `job_id`, in seconds, if any."""
    return dict(settings.job_intervals).get(job_id)


def insert_once(session: Session, row: Base) -> bool:
    """Insert a guard row in a savepoint; False when its unique key exists already (on
    PostgreSQL a concurrent inserter waits for the first to commit, then fails here)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True
