"""The platform's jobs, declared as data (like Redash's periodic jobs): id, function, trigger
and what it does. `esgx scheduler` schedules exactly these; `esgx jobs run-once` runs one."""

from __future__ import annotations

from dataclasses import replace

from esgx_platform.config import Settings
from esgx_platform.errors import NotFound
from esgx_platform.i18n import Text
from esgx_platform.jobs.base import Cron, Every, JobSpec, interval_for
from esgx_platform.jobs.maintenance import (
    deliver_mail,
    housekeeping,
    publish_log_checkpoint,
    warn_expiring_keys,
)
from esgx_platform.jobs.pact import answer_pact_requests
from esgx_platform.jobs.refresh import refresh_derived
from esgx_platform.jobs.reminders import mark_overdue, send_reminders
from esgx_platform.webhooks.delivery import deliver_webhooks

JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "reminders",
        send_reminders,
        Cron(minute=5),
        Text(
            "Remind suppliers that have not filed at T-14, T-3 and T+1 of each lead factory's "
            "quarterly deadline, by mail and in the portal inbox, once per stage.",
            "在各采购工厂季度截止日前 14 天、前 3 天和逾期 1 天时，通过邮件和门户收件箱提醒尚未"
            "提交的供应商；每个阶段只提醒一次。",
        ),
    ),
    JobSpec(
        "overdue-marks",
        mark_overdue,
        Cron(minute=10),
        Text(
            "Mark suppliers still without a filing a day after the deadline as overdue "
            "(a supplier.overdue event, once per supplier, factory and quarter).",
            "截止日次日仍未提交的供应商标记为逾期（每个供应商、工厂和季度记录一次 "
            "supplier.overdue 事件）。",
        ),
    ),
    JobSpec(
        "checkpoint",
        publish_log_checkpoint,
        Every(600),  # replaced by ESGX_CHECKPOINT_MINUTES in `jobs_for`
        Text(
            "Sign a transparency-log checkpoint when the log has grown.",
            "透明日志有新增条目时签署检查点。",
        ),
    ),
    JobSpec(
        "mail-outbox",
        deliver_mail,
        Every(60),
        Text(
            "Deliver queued mail, retrying failed attempts with backoff.",
            "发送待发邮件，并按退避策略重试失败的发送。",
        ),
    ),
    JobSpec(
        "webhooks",
        deliver_webhooks,
        Every(30),
        Text(
            "Deliver webhook events to lead factories' endpoints, retrying failures with "
            "exponential back-off for 72 hours, then dead-lettering them.",
            "向龙头工厂的端点推送 Webhook 事件；失败时按指数退避重试 72 小时，之后转入死信。",
        ),
    ),
    JobSpec(
        "refresh",
        refresh_derived,
        Every(120),
        Text(
            "After new verified data has settled (quiet for ESGX_REFRESH_QUIET_MINUTES, at most "
            "ESGX_REFRESH_MAX_WAIT_MINUTES after the first), store a roll-up and a ranking "
            "snapshot of each affected lead factory and year.",
            "新的已验证数据稳定后（静默 ESGX_REFRESH_QUIET_MINUTES 分钟，或首条数据后最多 "
            "ESGX_REFRESH_MAX_WAIT_MINUTES 分钟），为受影响的采购工厂和年份保存范围三汇总和"
            "供应商排名快照。",
        ),
    ),
    JobSpec(
        "pact-requests",
        answer_pact_requests,
        Every(30),
        Text(
            "Answer lead factories' PACT footprint requests at their own endpoints (fulfilled "
            "or rejected), retrying with back-off for up to three days.",
            "在采购工厂自己的接口上答复其 PACT 碳足迹请求（满足或拒绝），失败时按退避策略重试，"
            "最长三天。",
        ),
    ),
    JobSpec(
        "key-expiry",
        warn_expiring_keys,
        Cron(minute=0, hour=6),
        Text(
            "Warn supplier administrators 30, 7 and 1 days before a rotated key stops being valid.",
            "在已轮换的签名密钥失效前 30 天、7 天和 1 天提醒供应商管理员。",
        ),
    ),
    JobSpec(
        "housekeeping",
        housekeeping,
        Cron(minute=30, hour=3),
        Text(
            "Delete expired key challenges, access tokens and sign-in records, and old job runs "
            "and sent mail.",
            "删除过期的密钥质询、访问令牌和登录记录，以及超过保留期的任务记录和已发送邮件。",
        ),
    ),
)


def jobs_for(settings: Settings) -> tuple[JobSpec, ...]:
    """The declared jobs with the settings' triggers: the checkpoint interval, and any
    ESGX_JOB_INTERVALS override; raises NotFound for an unknown id there."""
    known = {job.id for job in JOBS}
    for job_id, _ in settings.job_intervals:
        if job_id not in known:
            raise unknown_job(job_id)
    jobs = []
    for job in JOBS:
        if job.id == "checkpoint":
            job = replace(job, trigger=Every(settings.checkpoint_minutes * 60))
        seconds = interval_for(settings, job.id)
        jobs.append(job if seconds is None else replace(job, trigger=Every(seconds)))
    return tuple(jobs)


def find_job(jobs: tuple[JobSpec, ...], job_id: str) -> JobSpec:
    """The job with this id; raises NotFound."""
    for job in jobs:
        if job.id == job_id:
            return job
    raise unknown_job(job_id)


def unknown_job(job_id: str) -> NotFound:
    ids = ", ".join(job.id for job in JOBS)
    return NotFound(
        Text("No job {j!r}; the jobs are: {ids}.", "没有任务 {j!r}；现有任务：{ids}。").format(
            j=job_id, ids=ids
        )
    )
