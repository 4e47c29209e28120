"""Delivering webhooks to a real HTTPS receiver on loopback: signatures checked here with hmac,
retries with back-off on the jobs' clock up to the dead letter after 72 hours, manual
redelivery, secret rotation, disabled endpoints, and `esgx jobs run-once webhooks`."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.audit.models import AuditEvent
from esgx_platform.cli import main
from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from esgx_platform.devcert import Certificate, self_signed
from esgx_platform.jobs.base import JobContext
from esgx_platform.outbound import backoff
from esgx_platform.secretbox import SecretBox
from esgx_platform.webhooks.deliveries import get_delivery, redeliver
from esgx_platform.webhooks.delivery import claim_due, deliver_webhooks
from esgx_platform.webhooks.endpoints import rotate_secret, set_enabled
from esgx_platform.webhooks.events import cloud_event
from esgx_platform.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from esgx_platform.webhooks.signatures import new_secret
from tests.platform.webhook_helpers import (
    BASE_URL,
    FILED,
    Hooks,
    deliveries_to,
    events,
    expected_signature,
    header,
    hooks_world,
    job_context,
    register,
)
from tests.tls import Received, Receiver, https_receiver

Q3 = "2025-Q3"
NOTHING = "webhooks: 0 delivered, 0 to retry, 0 dead"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("webhook-tls"))


@pytest.fixture
def receiver(certificate: Certificate) -> Iterator[Receiver]:
    with https_receiver(certificate) as found:
        yield found


def _failing(got: Received) -> tuple[int, str, bytes]:
    return 503, "text/plain", b"busy, try later"


@dataclass
class Filed:
    """Supplier A has filed for 2025-Q3 (at FILED); factory L's endpoint at the receiver."""

    world: Hooks
    endpoint: WebhookEndpoint
    secret: str
    ctx: JobContext  # trusting the receiver's certificate


@pytest.fixture
def filed(
    session: Session,
    settings: Settings,
    test_db: Database,
    receiver: Receiver,
    certificate: Certificate,
) -> Filed:
    world = hooks_world(session)
    endpoint, secret = register(session, world.factory, settings, receiver.url + "/hooks")
    world.scenario.file(world.a, Q3, "10.00")
    session.commit()
    return Filed(world, endpoint, secret, job_context(test_db, settings, certificate))


def _run(ctx: JobContext, at: datetime) -> str:
    with clock_at(at):
        return deliver_webhooks(ctx).summary


def _attempts(session: Session, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    session.expire_all()
    return list(
        session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.attempted_at)
        )
    )


def test_a_delivery_is_a_signed_cloudevent(
    session: Session, receiver: Receiver, filed: Filed
) -> None:
    endpoint, secret, ctx = filed.endpoint, filed.secret, filed.ctx
    sent_at = FILED + timedelta(seconds=20)
    assert _run(ctx, sent_at) == "webhooks: 1 delivered, 0 to retry, 0 dead"
    (got,) = receiver.received
    (event,) = events(session)
    assert got.path == "/hooks"
    assert header(got.headers, "Content-Type") == "application/cloudevents+json; charset=utf-8"
    assert header(got.headers, "webhook-id") == str(event.id)
    timestamp = header(got.headers, "webhook-timestamp")
    assert timestamp == str(int(sent_at.timestamp()))
    assert header(got.headers, "webhook-signature") == expected_signature(
        secret, str(event.id), timestamp, got.body
    )
    assert got.json() == cloud_event(event, BASE_URL)
    assert got.json()["data"]["bundleUrl"].startswith("https://esgx.example/api/v1/disclosures/")

    (delivery,) = deliveries_to(session, endpoint)
    assert (delivery.state, delivery.attempts, delivery.delivered_at) == ("delivered", 1, sent_at)
    (attempt,) = _attempts(session, delivery)
    assert (attempt.status_code, attempt.error, attempt.attempted_at) == (200, None, sent_at)
    assert _run(ctx, sent_at + timedelta(minutes=5)).startswith("webhooks: 0 delivered")
    assert len(receiver.received) == 1


def test_failures_back_off_until_the_dead_letter_72_hours_later(
    session: Session, receiver: Receiver, filed: Filed
) -> None:
    receiver.handler = _failing
    ctx = filed.ctx
    (delivery,) = deliveries_to(session, filed.endpoint)
    assert delivery.expires_at == FILED + timedelta(hours=72)

    now = FILED
    while delivery.state == "pending":
        assert len(receiver.received) < 40, "never gave up"
        # Just before it is due, nothing is sent.
        assert _run(ctx, delivery.next_attempt_at - timedelta(seconds=1)) == NOTHING
        now = delivery.next_attempt_at
        _run(ctx, now)
        session.refresh(delivery)

    attempts = _attempts(session, delivery)
    assert delivery.state == "dead" and delivery.dead_at == now == FILED + timedelta(hours=72)
    assert len(attempts) == delivery.attempts == len(receiver.received)
    assert all(a.status_code == 503 and a.error == "HTTP 503: busy, try later" for a in attempts)
    assert delivery.last_error == "HTTP 503: busy, try later"
    assert len({header(r.headers, "webhook-id") for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    gaps = [b.attempted_at - a.attempted_at for a, b in itertools.pairwise(attempts)]
    for n, gap in enumerate(gaps[:-1], start=1):  # the last one stops at the 72 hours
        ceiling = min(timedelta(seconds=30) * 2 ** (n - 1), timedelta(hours=6))
        assert ceiling * 0.8 <= gap <= ceiling, (n, gap)
    assert max(gaps) <= timedelta(hours=6)
    assert attempts[-1].attempted_at == delivery.expires_at
    # Dead is dead: the job leaves it alone.
    assert _run(ctx, now + timedelta(hours=6)) == NOTHING


def test_backoff_doubles_from_30_seconds_to_at_most_6_hours() -> None:
    assert backoff(1, jitter=0) == timedelta(seconds=30)
    assert backoff(2, jitter=0) == timedelta(seconds=60)
    assert backoff(11, jitter=0) == timedelta(hours=6)  # 30 s x 2^10 would be 8.5 h
    assert backoff(40, jitter=0) == timedelta(hours=6)
    assert backoff(3, jitter=0.5) == timedelta(seconds=108)  # 120 s, 10 % earlier


def test_a_dead_letter_is_redelivered_by_hand(
    session: Session, receiver: Receiver, filed: Filed
) -> None:
    receiver.handler = _failing
    world, endpoint, secret, ctx = filed.world, filed.endpoint, filed.secret, filed.ctx
    _run(ctx, FILED)
    _run(ctx, FILED + timedelta(hours=80))  # the receiver was down for days: given up
    (dead,) = deliveries_to(session, endpoint)
    assert dead.state == "dead" and dead.attempts == 2

    receiver.handler = lambda got: (204, "text/plain", b"")
    later = FILED + timedelta(days=5)
    with clock_at(later):
        view = get_delivery(session, organization_id=world.factory.id, delivery_id=dead.id)
        fresh = redeliver(session, view, actor_user_id=None, via="test")
    session.commit()
    assert (fresh.redelivery_of, fresh.state, fresh.next_attempt_at) == (dead.id, "pending", later)
    assert fresh.expires_at == later + timedelta(hours=72)
    assert _run(ctx, later) == "webhooks: 1 delivered, 0 to retry, 0 dead"

    first, _, third = receiver.received
    assert header(third.headers, "webhook-id") == header(first.headers, "webhook-id")
    assert third.body == first.body
    timestamp = header(third.headers, "webhook-timestamp")
    assert timestamp == str(int(later.timestamp()))
    assert header(third.headers, "webhook-signature") == expected_signature(
        secret, header(third.headers, "webhook-id"), timestamp, third.body
    )
    states = {d.id: d.state for d in deliveries_to(session, endpoint)}
    assert states == {dead.id: "dead", fresh.id: "delivered"}  # the dead letter stays as it was
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "webhook.delivery.redelivered")
    ).one()
    assert audit.target_id == str(fresh.id) and audit.details["redelivery_of"] == str(dead.id)
    assert audit.details["via"] == "test"


def test_a_rotated_secret_signs_beside_the_old_one_for_24_hours(
    session: Session, settings: Settings, receiver: Receiver, filed: Filed
) -> None:
    world, endpoint, old_secret, ctx = filed.world, filed.endpoint, filed.secret, filed.ctx
    rotated_at = FILED - timedelta(hours=2)
    with clock_at(rotated_at):
        new_secret = rotate_secret(
            session, endpoint, box=SecretBox(settings.encryption_keys), actor_user_id=None
        ).secret
    session.commit()
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    _run(ctx, FILED)
    world.scenario.file(world.a, "2025-Q2", "9.00", when=rotated_at + timedelta(hours=25))
    session.commit()
    _run(ctx, rotated_at + timedelta(hours=25))

    during, after = receiver.received
    msg_id, stamp = (
        header(during.headers, "webhook-id"),
        header(during.headers, "webhook-timestamp"),
    )
    assert header(during.headers, "webhook-signature").split(" ") == [
        expected_signature(new_secret, msg_id, stamp, during.body),
        expected_signature(old_secret, msg_id, stamp, during.body),
    ]
    msg_id = header(after.headers, "webhook-id")
    stamp = header(after.headers, "webhook-timestamp")
    assert header(after.headers, "webhook-signature") == expected_signature(
        new_secret, msg_id, stamp, after.body
    )


def test_a_disabled_endpoint_is_not_sent_to_and_its_deliveries_die_after_72_hours(
    session: Session, receiver: Receiver, filed: Filed
) -> None:
    world, endpoint, ctx = filed.world, filed.endpoint, filed.ctx
    set_enabled(session, endpoint, False, actor_user_id=None)
    session.commit()
    assert _run(ctx, FILED + timedelta(hours=1)).startswith("webhooks: 0 delivered")
    assert receiver.received == []
    set_enabled(session, endpoint, True, actor_user_id=None)
    session.commit()
    assert _run(ctx, FILED + timedelta(hours=2)).startswith("webhooks: 1 delivered")

    world.scenario.file(world.a, "2025-Q2", "9.00", when=FILED + timedelta(hours=3))
    set_enabled(session, endpoint, False, actor_user_id=None)
    session.commit()
    assert _run(ctx, FILED + timedelta(hours=76)) == "webhooks: 0 delivered, 0 to retry, 1 dead"
    assert len(receiver.received) == 1
    newest = deliveries_to(session, endpoint)[-1]
    assert newest.state == "dead" and newest.attempts == 0
    assert newest.last_error == "not sent within 72 hours: the endpoint was disabled"


def test_an_untrusted_certificate_is_a_failed_attempt(
    session: Session, settings: Settings, test_db: Database, receiver: Receiver, filed: Filed
) -> None:
    ctx = job_context(test_db, settings)  # the receiver's certificate is not trusted
    assert _run(ctx, FILED) == "webhooks: 0 delivered, 1 to retry, 0 dead"
    assert receiver.received == []
    (delivery,) = deliveries_to(session, filed.endpoint)
    (attempt,) = _attempts(session, delivery)
    assert attempt.status_code is None and attempt.error is not None
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
    assert delivery.state == "pending" and delivery.next_attempt_at > FILED


def test_a_claimed_delivery_is_leased_to_one_deliverer(
    settings: Settings, test_db: Database, receiver: Receiver, filed: Filed
) -> None:
    box = SecretBox(settings.encryption_keys)
    with clock_at(FILED):
        (claimed,) = claim_due(test_db, box=box, base_url=BASE_URL)
        assert claim_due(test_db, box=box, base_url=BASE_URL) == []  # leased
    assert claimed.url == receiver.url + "/hooks"
    assert json.loads(claimed.body)["type"] == "disclosure.verified"
    with clock_at(FILED + timedelta(minutes=16)):  # the lease ran out: the deliverer died
        assert len(claim_due(test_db, box=box, base_url=BASE_URL)) == 1


def test_esgx_jobs_run_once_webhooks(
    tmp_path: Path, receiver: Receiver, certificate: Certificate
) -> None:
    env = {
        "ESGX_DATABASE_URL": f"sqlite:///{tmp_path / 'hooks.sqlite3'}",
        "ESGX_INSTANCE_DIR": str(tmp_path / "instance"),
        "ESGX_MAIL_BACKEND": "file",
        "ESGX_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ESGX_OUTBOUND_CA_FILE": str(certificate.cert_file),
        "ESGX_BASE_URL": "https://esgx.example",
    }
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    database = Database(env["ESGX_DATABASE_URL"])
    try:
        with database.transaction() as session:
            settings = Settings.from_env(env)
            world = hooks_world(session)
            register(session, world.factory, settings, receiver.url, ("checkpoint.published",))
    finally:
        database.dispose()
    assert runner.invoke(main, ["jobs", "run-once", "checkpoint"], env=env).exit_code == 0
    done = runner.invoke(main, ["jobs", "run-once", "webhooks"], env=env)
    assert done.exit_code == 0, done.output
    assert done.output == "webhooks: ok (webhooks: 1 delivered, 0 to retry, 0 dead)\n"
    (got,) = receiver.received
    assert got.json()["type"] == "checkpoint.published"
    assert got.json()["source"] == "https://esgx.example"
    again = runner.invoke(main, ["jobs", "run-once", "webhooks"], env=env)
    assert again.output == "webhooks: skipped (webhooks: 0 delivered, 0 to retry, 0 dead)\n"


def _documented_verify() -> Callable[..., bool]:
    """The receiver's `verify` from docs/webhooks.md, run as a reader would copy it."""
    text = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/webhooks.md", "exec"), namespace)  # noqa: S102 - our own docs
    return cast(Callable[..., bool], namespace["verify"])


def test_the_documented_receiver_check_accepts_a_delivery_and_nothing_else(
    receiver: Receiver, filed: Filed
) -> None:
    verify = _documented_verify()
    secret = filed.secret
    deliver_webhooks(filed.ctx)  # now, by the real clock
    (got,) = receiver.received
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert verify(secret, headers, got.body)
    assert not verify(secret, headers, got.body.replace(b"2025-Q3", b"2025-Q4"))
    assert not verify(new_secret(), headers, got.body)  # another endpoint's secret
    stale = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) - 600)}
    assert not verify(secret, stale, got.body)


def test_a_row_another_deliverer_is_claiming_is_skipped_on_postgresql(
    isolated_database: Database, settings: Settings
) -> None:
    if isolated_database.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serializes writers instead")
    with isolated_database.transaction() as session:
        world = hooks_world(session)
        register(session, world.factory, settings, "https://127.0.0.1:9/hooks")
        world.scenario.file(world.a, Q3, "10.00")
    box = SecretBox(settings.encryption_keys)
    # Were the row waited for instead of skipped, this deliverer fails rather than hangs.
    url = isolated_database.engine.url.render_as_string(hide_password=False)
    deliverer = Database(url, connect_args={"options": "-c lock_timeout=10s"})
    try:
        with isolated_database.sessions() as other:  # a deliverer in the middle of its claim
            locked = other.scalars(select(WebhookDelivery).with_for_update()).all()
            assert len(locked) == 1
            with clock_at(FILED):
                assert claim_due(deliverer, box=box, base_url=BASE_URL) == []
            other.rollback()  # it died before leasing the row
        with clock_at(FILED):
            assert len(claim_due(deliverer, box=box, base_url=BASE_URL)) == 1
    finally:
        deliverer.dispose()
