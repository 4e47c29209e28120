"""The upkeep jobs: checkpoints when the log grew, key-expiry warnings once per threshold,
housekeeping that deletes only what has expired."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.db import clock_at
from esgx_platform.i18n import Text
from esgx_platform.jobs.base import JobContext
from esgx_platform.jobs.maintenance import (
    deliver_mail,
    housekeeping,
    publish_log_checkpoint,
    warn_expiring_keys,
)
from esgx_platform.jobs.models import JobRun, KeyExpiryWarning
from esgx_platform.keys.models import KeyChallenge, SigningKey
from esgx_platform.ledger.models import LogCheckpoint
from esgx_platform.machine.models import OAuthAccessToken
from esgx_platform.machine.services import create_oauth_client, issue_access_token
from esgx_platform.notifications.letters import Letter
from esgx_platform.notifications.models import Notification
from esgx_platform.notifications.services import notify_user
from tests.platform.factories import make_user
from tests.platform.jobs.conftest import RecordingMailer
from tests.platform.jobs.world import day
from tests.platform.rollups.world import Scenario


def test_checkpoint_only_when_the_log_grew(session: Session, job_ctx: JobContext) -> None:
    first = publish_log_checkpoint(job_ctx)
    again = publish_log_checkpoint(job_ctx)
    assert again.outcome == "skipped", (first, again)
    Scenario(session, "Checkpoint Plant").supplier("Logged Supplier")  # registers a key: logged
    session.commit()
    grown = publish_log_checkpoint(job_ctx)
    assert grown.outcome == "ok" and grown.summary.startswith("checkpoint at size ")
    size = int(grown.summary.rsplit(" ", 1)[1])
    newest = session.scalar(select(func.max(LogCheckpoint.size)))
    assert newest == size


def test_key_expiry_warns_admins_once_per_threshold(
    session: Session, job_ctx: JobContext, mailer: RecordingMailer
) -> None:
    supplier = Scenario(session, "Key Plant").supplier("Rotating Supplier")
    admin = make_user(session, supplier.org, Role.SUPPLIER_ADMIN, locale="zh")
    member = make_user(session, supplier.org, Role.SUPPLIER_MEMBER)
    key = session.scalars(select(SigningKey).filter_by(organization_id=supplier.org.id)).one()
    start = day("2025-10-01")
    key.not_after = start + timedelta(days=20)  # rotated: valid for 20 more days
    session.commit()

    with clock_at(start):
        assert warn_expiring_keys(job_ctx).summary.startswith("1 key warnings")
        assert warn_expiring_keys(job_ctx).outcome == "skipped"  # the same threshold: once
    with clock_at(start + timedelta(days=14)):  # 6 days left: the 7-day threshold
        warn_expiring_keys(job_ctx)
    with clock_at(start + timedelta(days=19, hours=12)):  # 12 hours left
        warn_expiring_keys(job_ctx)
    with clock_at(start + timedelta(days=21)):  # expired: nothing more
        assert warn_expiring_keys(job_ctx).outcome == "skipped"

    warnings = session.scalars(select(KeyExpiryWarning).filter_by(signing_key_id=key.id))
    assert sorted(w.threshold_days for w in warnings) == [1, 7, 30]
    subjects = [str(m["Subject"]).strip() for m in mailer.sent if m["To"] == admin.email]
    assert subjects[0] == "签名密钥 test key 将于2025年10月21日失效"
    assert len(subjects) == 3
    assert not [m for m in mailer.sent if m["To"] == member.email]  # administrators only
    notes = session.scalars(select(Notification).filter_by(user_id=admin.id)).all()
    assert {n.kind for n in notes} == {"key_expiry"}
    assert notes[0].link == f"https://esgx.example/portal/orgs/{supplier.org.id}/keys"


def test_housekeeping_deletes_only_what_expired(session: Session, job_ctx: JobContext) -> None:
    now = day("2025-10-16")
    scenario = Scenario(session, "Housekeeping Plant")
    org = scenario.supplier("Housekeeping Supplier").org
    client = create_oauth_client(
        session, organization=scenario.factory, name="erp", scopes=["rollups:read"],
        actor_user_id=None,
    )  # fmt: skip
    credentials = {"client_id": client.record.client_id, "client_secret": client.secret}
    with clock_at(now - timedelta(hours=2)):
        _, old_token = issue_access_token(session, **credentials, lifetime=timedelta(hours=1))
    _, live_token = issue_access_token(session, **credentials, lifetime=timedelta(days=3650))
    old_token_id, live_token_id = old_token.id, live_token.id
    old_challenge = _challenge(session, org.id, now - timedelta(minutes=1))
    live_challenge = _challenge(session, org.id, now + timedelta(minutes=5))
    old_run = _run(session, now - timedelta(days=91), ended=True)
    open_run = _run(session, now - timedelta(days=91), ended=False)
    new_run = _run(session, now - timedelta(days=1), ended=True)
    session.commit()

    with clock_at(now):
        result = housekeeping(job_ctx)
    assert result.outcome == "ok", result
    session.expire_all()
    assert session.get(KeyChallenge, old_challenge) is None
    assert session.get(KeyChallenge, live_challenge) is not None
    assert session.get(OAuthAccessToken, old_token_id) is None
    assert session.get(OAuthAccessToken, live_token_id) is not None
    assert session.get(JobRun, old_run) is None
    assert session.get(JobRun, open_run) is not None and session.get(JobRun, new_run) is not None


def _challenge(session: Session, org_id: uuid.UUID, expires: object) -> uuid.UUID:
    row = KeyChallenge(organization_id=org_id, nonce=secrets.token_hex(16), expires_at=expires)
    session.add(row)
    session.flush()
    return row.id


def _run(session: Session, started: object, *, ended: bool) -> uuid.UUID:
    row = JobRun(
        job_id="housekeeping-test",
        started_at=started,
        ended_at=started if ended else None,
        outcome="ok" if ended else "running",
        instance="cli:test:1",
    )
    session.add(row)
    session.flush()
    return row.id


def test_mail_outbox_job_sends_what_is_queued(
    session: Session, job_ctx: JobContext, mailer: RecordingMailer
) -> None:
    org = Scenario(session, "Outbox Plant").supplier("Outbox Supplier").org
    user = make_user(session, org, Role.SUPPLIER_ADMIN)
    letter = Letter(Text("Hello", "你好"), (Text("Body", "正文"),), None, Text("f", "脚注"))
    notify_user(session, user=user, organization_id=org.id, kind="test", letter=letter)
    session.commit()
    result = deliver_mail(job_ctx)
    assert (result.outcome, result.summary) == ("ok", "mail: 1 sent, 0 to retry, 0 given up")
    assert [m["To"] for m in mailer.sent] == [user.email]
    assert deliver_mail(job_ctx).outcome == "skipped"
