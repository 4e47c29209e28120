"""A lead factory with suppliers and webhook endpoints, a job context that delivers to a real
local HTTPS receiver, and an independent check of Standard Webhooks signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.config import Settings
from esgx_platform.db import Database, clock_at
from esgx_platform.devcert import Certificate
from esgx_platform.jobs.base import JobContext
from esgx_platform.machine.services import create_oauth_client
from esgx_platform.notifications.mail import mail_backend
from esgx_platform.organizations.models import Organization
from esgx_platform.organizations.services import create_relationship
from esgx_platform.secretbox import SecretBox
from esgx_platform.webhooks.delivery import deliver_webhooks
from esgx_platform.webhooks.endpoints import register_endpoint
from esgx_platform.webhooks.events import EVENT_TYPES
from esgx_platform.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from esgx_platform.webhooks.schemas import EndpointIn
from tests.platform.factories import make_org
from tests.platform.rollups.world import Scenario, Supplier

BASE_URL = "https://esgx.example"


@dataclass
class Hooks:
    """Factory L buys from A (consent) and B (no consent); factory M buys from A without
    consent; factory N has no relationship at all. Each factory has one endpoint for every
    event type (registered by `endpoints`)."""

    scenario: Scenario
    a: Supplier
    b: Supplier
    other: Organization  # M
    stranger: Organization  # N

    @property
    def factory(self) -> Organization:
        return self.scenario.factory


def hooks_world(session: Session) -> Hooks:
    scenario = Scenario(session, "Hook Plant")
    a = scenario.supplier("Hook Supplier A")
    b = scenario.supplier("Hook Supplier B", consent=False)
    other = make_org(session, "lead_factory", "Hook Plant M", "HB")
    create_relationship(
        session, lead_factory=other, supplier=a.org, scope3_category=1, started_on=date(2024, 1, 1)
    )
    stranger = make_org(session, "lead_factory", "Hook Plant N", "SH")
    session.commit()
    return Hooks(scenario, a, b, other, stranger)


def register(
    session: Session,
    org: Organization,
    settings: Settings,
    url: str,
    types: tuple[str, ...] = EVENT_TYPES,
) -> tuple[WebhookEndpoint, str]:
    """An endpoint of `org` at `url` through the service; the endpoint and its secret."""
    values = EndpointIn().load({"url": url, "eventTypes": list(types)})
    issued = register_endpoint(
        session,
        organization=org,
        values=values,
        box=SecretBox(settings.encryption_keys),
        actor_user_id=None,
    )
    session.commit()
    return issued.record, issued.secret


def job_context(
    test_db: Database, settings: Settings, certificate: Certificate | None = None
) -> JobContext:
    """The jobs' context, trusting the receiver's self-signed certificate (when there is one)."""
    ca_file = certificate.cert_file if certificate else None
    tuned = settings.with_overrides(base_url=BASE_URL, outbound_ca_file=ca_file)
    return JobContext(test_db, tuned, mail_backend(tuned))


def events(session: Session) -> list[WebhookEvent]:
    session.expire_all()
    return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.created_at)))


def deliveries_to(session: Session, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    session.expire_all()
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        )
    )


def header(headers: dict[str, str], name: str) -> str:
    """A request header whatever its case."""
    found = {k.lower(): v for k, v in headers.items()}
    return found[name.lower()]


def expected_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks, computed here independently of the platform's code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def bearer(
    client: FlaskClient, session: Session, org: Organization, scopes: list[str]
) -> dict[str, str]:
    """The Authorization header of a fresh OAuth2 client of `org` with `scopes`."""
    issued = create_oauth_client(
        session, organization=org, name="ERP", scopes=scopes, actor_user_id=None
    )
    session.commit()
    basic = base64.b64encode(f"{issued.record.client_id}:{issued.secret}".encode()).decode()
    response = client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


UNREACHABLE = "https://127.0.0.1:9/hooks"  # nothing listens there: every attempt fails
FILED = datetime(2025, 10, 15, 10, 0, tzinfo=UTC)  # when Scenario.file files a 2025-Q3 filing


def dead_letter(
    session: Session, test_db: Database, settings: Settings, world: Hooks, endpoint: WebhookEndpoint
) -> WebhookDelivery:
    """Supplier A files for 2025-Q3; its delivery to `endpoint` (at UNREACHABLE) fails at
    once and again 80 hours later, so it is a dead letter."""
    world.scenario.file(world.a, "2025-Q3", "10.00")
    session.commit()
    ctx = job_context(test_db, settings)
    for moment in (FILED, FILED + timedelta(hours=80)):
        with clock_at(moment):
            deliver_webhooks(ctx)
    (delivery,) = deliveries_to(session, endpoint)
    assert delivery.state == "dead"
    return delivery
