"""PACT events: Published and RequestCreated taken at once; requests answered asynchronously at
the requester's own HTTPS endpoint, with sign-in there and retries with back-off."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at, utcnow
from esgx_platform.devcert import Certificate, self_signed
from esgx_platform.pact.models import PactRequest
from esgx_platform.pact.requests import answer_due
from esgx_platform.pact.services import set_callback_credential
from esgx_platform.secretbox import SecretBox
from tests.platform.intake.helpers import Filer
from tests.platform.pact.helpers import file, pact_world, variant
from tests.tls import Received, Receiver, https_receiver

PRODUCT = "urn:pact:example.com:product-id:housing-a7"
CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
HOST_SOURCE = "https://esgx.example"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return self_signed(tmp_path_factory.mktemp("tls"))


class RequesterSystem:
    """A lead factory's PACT endpoint: issues a token for the host's credentials, takes events,
    and fails the first `failures` event posts."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.failures = 0
        receiver.handler = self.answer

    def answer(self, got: Received) -> tuple[int, str, bytes]:
        if got.path == "/auth/token":
            expected = base64.b64encode(b"host-at-factory:s3cret").decode()
            if got.headers.get("Authorization") != f"Basic {expected}":
                return 401, "application/json", b'{"error":"invalid_client"}'
            return 200, "application/json", b'{"access_token":"t0k","token_type":"Bearer"}'
        if got.headers.get("Authorization") != "Bearer t0k":
            return 401, "application/json", b"{}"
        if self.failures > 0:
            self.failures -= 1
            return 503, "text/plain", b"busy"
        return 200, "application/json", b""

    def events(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.receiver.at("/3/events")]


@pytest.fixture
def requester(certificate: Certificate) -> Iterator[RequesterSystem]:
    with https_receiver(certificate) as receiver:
        yield RequesterSystem(receiver)


def _register(session: Session, filer: Filer, settings: Settings, url: str) -> None:
    set_callback_credential(
        session,
        organization=filer.factory,
        base_url=url + "/",
        client_id="host-at-factory",
        secret="s3cret",
        box=SecretBox(settings.encryption_keys),
        actor_user_id=None,
    )
    session.commit()


def _request(source: str, event_id: str | None = None, **criteria: Any) -> dict[str, Any]:
    return {
        "type": CREATED,
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": source,
        "time": "2026-11-25T10:00:00Z",
        "data": {**criteria, "comment": "please"},
    }


def _answer(test_db: Database, settings: Settings, certificate: Certificate) -> Any:
    return answer_due(
        test_db,
        SecretBox(settings.encryption_keys),
        host_source=HOST_SOURCE,
        ca_file=certificate.cert_file,
    )


def _requests(session: Session) -> list[PactRequest]:
    session.expire_all()
    return list(session.scalars(select(PactRequest).order_by(PactRequest.received_at)))


def test_a_request_is_fulfilled_at_the_requesters_endpoint(
    client: FlaskClient,
    session: Session,
    test_db: Database,
    settings: Settings,
    certificate: Certificate,
    requester: RequesterSystem,
) -> None:
    filer, pact = pact_world(session, client)
    body = variant()
    file(filer, body)
    _register(session, filer, settings, requester.receiver.url)
    sent = _request(requester.receiver.url, productId=[PRODUCT.upper()])
    response = pact.post("/3/events", sent)
    assert response.status_code == 200
    assert response.data == b""
    assert requester.events() == []  # answered later, not in the request
    report = _answer(test_db, settings, certificate)
    assert report.fulfilled == 1
    (event,) = requester.events()
    assert event["type"] == "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    assert event["specversion"] == "1.0"
    assert event["source"] == HOST_SOURCE
    assert event["data"]["requestEventId"] == sent["id"]
    assert event["data"]["pfs"] == [body]
    (row,) = _requests(session)
    assert (row.state, row.attempts) == ("fulfilled", 1)


def test_a_request_nothing_matches_is_rejected(
    client: FlaskClient,
    session: Session,
    test_db: Database,
    settings: Settings,
    certificate: Certificate,
    requester: RequesterSystem,
) -> None:
    filer, pact = pact_world(session, client)
    file(filer, variant())
    _register(session, filer, settings, requester.receiver.url)
    sent = _request(requester.receiver.url, productId=["urn:pact:null"])
    assert pact.post("/3/events", sent).status_code == 200
    assert _answer(test_db, settings, certificate).rejected == 1
    (event,) = requester.events()
    assert event["type"] == "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
    assert event["data"]["requestEventId"] == sent["id"]
    assert event["data"]["error"]["code"] == "NotFound"
    assert _requests(session)[0].state == "rejected"


def test_failed_answers_are_retried_with_backoff_and_the_same_event(
    client: FlaskClient,
    session: Session,
    test_db: Database,
    settings: Settings,
    certificate: Certificate,
    requester: RequesterSystem,
) -> None:
    filer, pact = pact_world(session, client)
    file(filer, variant())
    _register(session, filer, settings, requester.receiver.url)
    requester.failures = 2
    start = utcnow()
    with clock_at(start):
        assert pact.post("/3/events", _request(requester.receiver.url)).status_code == 200
        assert _answer(test_db, settings, certificate).retrying == 1
        (row,) = _requests(session)
        # 30 s after the first failure, up to 20 % earlier (outbound.backoff).
        assert timedelta(seconds=24) <= row.next_attempt_at - start <= timedelta(seconds=30)
        assert row.last_error == "events endpoint answered 503"
        assert _answer(test_db, settings, certificate).busy() is False  # not due yet
    with clock_at(start + timedelta(seconds=40)):
        assert _answer(test_db, settings, certificate).retrying == 1
    with clock_at(start + timedelta(minutes=5)):
        assert _answer(test_db, settings, certificate).fulfilled == 1
    events = requester.events()
    assert len(events) == 3
    assert len({e["id"] for e in events}) == 1  # one answer, posted three times
    (row,) = _requests(session)
    assert (row.state, row.attempts, row.last_error) == ("fulfilled", 3, None)


def test_answers_are_given_up_three_days_after_the_request(
    client: FlaskClient,
    session: Session,
    test_db: Database,
    settings: Settings,
    certificate: Certificate,
    requester: RequesterSystem,
) -> None:
    filer, pact = pact_world(session, client)
    file(filer, variant())
    _register(session, filer, settings, requester.receiver.url)
    requester.failures = 10_000
    start = utcnow()
    with clock_at(start):
        pact.post("/3/events", _request(requester.receiver.url))
    moment, attempts = start, 0
    while _requests(session)[0].state == "pending":
        moment = max(moment, _requests(session)[0].next_attempt_at)
        with clock_at(moment):
            _answer(test_db, settings, certificate)
        attempts += 1
        assert attempts < 40
    (row,) = _requests(session)
    assert row.state == "failed"
    assert timedelta(days=2) < moment - start <= timedelta(days=3)
    # 30 s doubling to 6 h (each wait up to 20 % shorter): 30 s … 4 h 16 min in 10 steps
    # (about 8.5 h), then 6 h steps until three days: 21 attempts without jitter, 24 with the
    # most (outbound.backoff with jitter 0 and 0.999, computed).
    assert 21 <= row.attempts <= 24


def test_unregistered_source_unknown_type_and_malformed_events_are_bad_requests(
    client: FlaskClient, session: Session
) -> None:
    _, pact = pact_world(session, client)
    unregistered = pact.post("/3/events", _request("https://elsewhere.example"))
    assert unregistered.status_code == 400
    assert "callback credentials" in unregistered.get_json()["message"]
    fulfilled = _request("https://x.example")
    fulfilled["type"] = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
    answer = pact.post("/3/events", fulfilled)
    assert (answer.status_code, answer.get_json()["code"]) == (400, "NotImplemented")
    missing = _request("https://x.example")
    del missing["specversion"]
    assert pact.post("/3/events", missing).get_json()["code"] == "BadRequest"
    assert pact.post("/3/events", ["not", "an", "event"]).status_code == 400
    bad_time = _request("https://x.example", validOn=["someday"])
    assert pact.post("/3/events", bad_time).status_code == 400
    assert _requests(session) == []


def test_published_event_with_a_non_uuid_is_a_bad_request(
    client: FlaskClient, session: Session
) -> None:
    _, pact = pact_world(session, client)
    event = _request("https://x.example")
    event["type"] = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
    event["data"] = {"pfIds": [str(uuid.uuid4()), "not-a-uuid"]}
    refused = pact.post("/3/events", event)
    assert refused.status_code == 400
    assert "pfIds[1]" in refused.get_json()["message"]
    event["data"] = {"pfIds": [str(uuid.uuid4())]}
    assert pact.post("/3/events", event).status_code == 200


def test_a_resent_request_is_answered_once(
    client: FlaskClient,
    session: Session,
    settings: Settings,
    requester: RequesterSystem,
) -> None:
    filer, pact = pact_world(session, client)
    _register(session, filer, settings, requester.receiver.url)
    sent = _request(requester.receiver.url, event_id="req-1")
    assert pact.post("/3/events", sent).status_code == 200
    assert pact.post("/3/events", sent).status_code == 200
    assert session.scalar(select(func.count()).select_from(PactRequest)) == 1


def test_callback_secret_is_stored_encrypted(
    client: FlaskClient, session: Session, settings: Settings
) -> None:
    filer, _ = pact_world(session, client)
    _register(session, filer, settings, "https://factory.example")
    from esgx_platform.pact.models import PactCallbackCredential

    row = session.scalars(select(PactCallbackCredential)).one()
    assert row.base_url == "https://factory.example"  # the trailing slash is dropped
    assert b"s3cret" not in row.secret_ciphertext
    assert SecretBox(settings.encryption_keys).decrypt(row.secret_ciphertext) == b"s3cret"
    assert row.client_id == "host-at-factory"
