"""The webhook outbox: events are written in the transaction of the fact they announce, to the
endpoints entitled to them at that moment, and never for a refused, rolled-back or duplicate
submission."""

from __future__ import annotations

from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from esgx_platform.intake.credentials import Submitter
from esgx_platform.intake.pipeline import submit_disclosure
from esgx_platform.jobs.maintenance import publish_log_checkpoint
from esgx_platform.jobs.reminders import mark_overdue
from esgx_platform.ledger.checkpoints import publish_checkpoint
from esgx_platform.ledger.models import LogCheckpoint
from esgx_platform.organizations.services import withdraw_consent
from esgx_platform.secretbox import SecretBox
from esgx_platform.webhooks.endpoints import set_enabled
from esgx_platform.webhooks.events import cloud_event, event_body
from esgx_platform.webhooks.models import WebhookDelivery, WebhookEvent
from signing import generate_key
from tests.platform.intake.helpers import example_subject, make_filer
from tests.platform.jobs.world import day
from tests.platform.rollups.world import SIGNER, disclosure_subject, on_time
from tests.platform.webhook_helpers import (
    BASE_URL,
    deliveries_to,
    events,
    hooks_world,
    job_context,
    register,
)

RECEIVER = "https://receiver.example/hooks"
Q3 = "2025-Q3"


def _deliveries(session: Session, event: WebhookEvent) -> set[object]:
    rows = session.scalars(select(WebhookDelivery).where(WebhookDelivery.event_id == event.id))
    return {d.endpoint_id for d in rows}


def test_a_first_filing_goes_to_the_endpoints_entitled_to_it(
    session: Session, settings: Settings
) -> None:
    world = hooks_world(session)
    mine, _ = register(session, world.factory, settings, RECEIVER)
    checkpoints_only, _ = register(
        session, world.factory, settings, RECEIVER + "/log", ("checkpoint.published",)
    )
    paused, _ = register(session, world.factory, settings, RECEIVER + "/paused")
    set_enabled(session, paused, False, actor_user_id=None)
    no_consent, _ = register(session, world.other, settings, RECEIVER + "/m")
    stranger, _ = register(session, world.stranger, settings, RECEIVER + "/n")
    session.commit()

    content_id = world.scenario.file(world.a, Q3, "10.00")
    world.scenario.file(world.b, Q3, "20.00")  # no consent: announced to nobody
    session.commit()

    (event,) = events(session)
    assert event.type == "disclosure.verified"
    assert _deliveries(session, event) == {mine.id}
    for endpoint in (checkpoints_only, paused, no_consent, stranger):
        assert deliveries_to(session, endpoint) == []

    sent = cloud_event(event, BASE_URL)
    data = sent["data"]
    assert {k: sent[k] for k in ("specversion", "source", "type", "datacontenttype")} == {
        "specversion": "1.0",
        "source": BASE_URL,
        "type": "disclosure.verified",
        "datacontenttype": "application/json",
    }
    assert sent["id"] == str(event.id) and sent["time"] == "2025-10-15T10:00:00Z"
    assert sent["subject"] == f"disclosures/{data['disclosureId']}"
    assert data["supplier"] == {
        "id": str(world.a.org.id),
        "name": {"en": "Hook Supplier A", "zh": "Hook Supplier A（中文）"},
        "creditCode": world.a.org.uscc,
    }
    assert (data["period"], data["version"], data["contentId"]) == (Q3, 1, content_id)
    assert isinstance(data["logIndex"], int)
    assert data["bundleUrl"] == f"{BASE_URL}/api/v1/disclosures/{data['disclosureId']}/bundle"
    assert event_body(event, BASE_URL) == event_body(event, BASE_URL)  # same bytes each time


def test_a_restatement_announces_disclosure_restated(session: Session, settings: Settings) -> None:
    world = hooks_world(session)
    register(session, world.factory, settings, RECEIVER)
    world.scenario.file(world.a, Q3, "10.00")
    restated = world.scenario.restate(world.a, Q3, "12.00", when=day("2025-11-02"))
    session.commit()

    first, second = events(session)
    assert (first.type, second.type) == ("disclosure.verified", "disclosure.restated")
    assert second.data["version"] == 2 and second.data["contentId"] == restated
    assert second.data["restatesDisclosureId"] == first.data["disclosureId"]


def test_a_duplicate_resubmission_announces_nothing(session: Session, settings: Settings) -> None:
    world = hooks_world(session)
    register(session, world.factory, settings, RECEIVER)
    subject = disclosure_subject(Q3, world.factory, Decimal("10.00"))
    with clock_at(on_time(Q3)):
        jws = world.scenario.sign(world.a, subject)
        submitter = Submitter({world.a.org.id}, None, "test")
        first = submit_disclosure(session, jws=jws, submitter=submitter, signer=SIGNER)
        again = submit_disclosure(session, jws=jws, submitter=submitter, signer=SIGNER)
    session.commit()
    assert (first.duplicate, again.duplicate) == (False, True)
    assert len(events(session)) == 1


def test_a_refused_or_rolled_back_filing_announces_nothing(
    session: Session, settings: Settings
) -> None:
    world = hooks_world(session)
    register(session, world.factory, settings, RECEIVER)
    world.scenario.file(world.a, Q3, "10.00")
    session.commit()
    # A second filing for the quarter without `restates` is refused.
    other = disclosure_subject(Q3, world.factory, Decimal("11.00"))
    refused = world.scenario.file_refused(world.a, other, day("2025-10-20"))
    assert refused == "period-already-disclosed"
    # An accepted filing whose transaction rolls back takes its event with it.
    savepoint = session.begin_nested()
    world.scenario.file(world.a, "2025-Q2", "9.00")
    assert len(events(session)) == 2  # written with the filing ...
    savepoint.rollback()  # ... when the caller's transaction fails after it
    session.commit()
    assert [e.type for e in events(session)] == ["disclosure.verified"]  # ... and gone with it


def test_a_refused_submission_over_http_announces_nothing(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    filer = make_filer(session, client)
    register(session, filer.factory, settings, RECEIVER)
    stranger_key = generate_key("Ed25519")  # not registered: the signature is refused
    refused = filer.submit(example_subject(), key=stranger_key)
    assert refused.status_code == 422, refused.get_json()
    assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
    jws = filer.sign(example_subject())
    accepted = filer.post("/api/v1/disclosures", {"jws": jws})
    assert accepted.status_code == 201, accepted.get_json()
    (event,) = events(session)
    assert event.data["contentId"] == accepted.get_json()["contentId"]
    # The same JWS again: a duplicate. (Signing the subject again could fall in another
    # second, with another validFrom: a different disclosure, refused for its period.)
    repeated = filer.post("/api/v1/disclosures", {"jws": jws})
    assert repeated.status_code == 200, repeated.get_json()
    assert len(events(session)) == 1


def test_consent_withdrawn_before_the_filing_means_no_event(
    session: Session, settings: Settings
) -> None:
    world = hooks_world(session)
    register(session, world.factory, settings, RECEIVER)
    withdraw_consent(session, world.a.relationship, actor_user_id=None)
    session.commit()
    world.scenario.file(world.a, Q3, "10.00")
    session.commit()
    assert events(session) == []


def test_overdue_marks_go_to_their_factory_with_consent_only(
    session: Session, settings: Settings, test_db: Database
) -> None:
    world = hooks_world(session)
    mine, _ = register(session, world.factory, settings, RECEIVER)
    other, _ = register(session, world.other, settings, RECEIVER + "/m")
    overdue_only, _ = register(
        session, world.factory, settings, RECEIVER + "/o", ("supplier.overdue",)
    )
    ctx = job_context(test_db, settings)
    with clock_at(day("2025-10-31")):  # T+1 of 2025-Q3: A and B are overdue for L, A for M
        assert mark_overdue(ctx).outcome == "ok"
    (event,) = events(session)
    assert event.type == "supplier.overdue"
    assert _deliveries(session, event) == {mine.id, overdue_only.id}
    assert deliveries_to(session, other) == []  # M has no consent from A
    assert event.data == {
        "supplier": {
            "id": str(world.a.org.id),
            "name": {"en": "Hook Supplier A", "zh": "Hook Supplier A（中文）"},
            "creditCode": world.a.org.uscc,
        },
        "leadFactory": {
            "id": str(world.factory.id),
            "name": {"en": "Hook Plant", "zh": "Hook Plant（中文）"},
        },
        "period": Q3,
        "deadline": "2025-10-30T23:59:59Z",
    }
    assert event.subject == f"suppliers/{world.a.org.id}/periods/{Q3}"
    with clock_at(day("2025-11-01")):
        mark_overdue(ctx)  # marked before: announced before
    assert len(events(session)) == 1


def test_a_checkpoint_goes_to_every_subscriber_once(
    session: Session, settings: Settings, test_db: Database
) -> None:
    world = hooks_world(session)
    endpoints = [
        register(session, org, settings, f"{RECEIVER}/{n}", ("checkpoint.published",))[0]
        for n, org in enumerate((world.factory, world.other, world.stranger))
    ]
    not_subscribed, _ = register(
        session, world.factory, settings, RECEIVER + "/x", ("disclosure.verified",)
    )
    ctx = job_context(test_db, settings)
    assert publish_log_checkpoint(ctx).outcome == "ok"
    assert publish_log_checkpoint(ctx).outcome == "skipped"  # nothing new: no new event
    (event,) = events(session)
    checkpoint = session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.size.desc())).first()
    assert checkpoint is not None
    assert event.type == "checkpoint.published"
    assert _deliveries(session, event) == {e.id for e in endpoints}
    assert deliveries_to(session, not_subscribed) == []
    data = cloud_event(event, BASE_URL)["data"]
    assert data["treeSize"] == checkpoint.size and data["checkpoint"] == checkpoint.note
    assert data["checkpoint"].splitlines()[1] == str(checkpoint.size)
    assert data["rootHash"] == data["checkpoint"].splitlines()[2]  # base64, as in the note

    # A checkpoint signed elsewhere (the log API, the CLI) is announced by the next run, once.
    world.scenario.supplier("Hook Supplier C")  # its key registration grows the log
    box = SecretBox(settings.encryption_keys)
    publish_checkpoint(session, box=box, origin=settings.log_origin)
    session.commit()
    publish_log_checkpoint(ctx)
    publish_log_checkpoint(ctx)
    assert [e.type for e in events(session)] == ["checkpoint.published"] * 2
