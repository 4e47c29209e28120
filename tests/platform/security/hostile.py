"""A small world for hostile-input tests, built through the real APIs and services: a supplier
with a registered key, a filed disclosure and footprint and an API token with every supplier
scope; its lead factory with an OAuth2 client with every client scope, one person holding every
factory role, an assessment, a ranking snapshot and a webhook endpoint; and the counts of what
a refused submission must never add."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role, User
from esgx_platform.accounts.services import add_membership
from esgx_platform.audit.models import AuditEvent
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure, StoredFootprint
from esgx_platform.keys.models import KeyEventRecord, SigningKey
from esgx_platform.ledger.models import LogRecord
from esgx_platform.machine.models import ApiToken
from esgx_platform.machine.services import (
    CLIENT_SCOPES,
    SUPPLIER_TOKEN_SCOPES,
    Issued,
    create_api_token,
)
from esgx_platform.secretbox import SecretBox
from esgx_platform.webhooks.endpoints import register_endpoint
from esgx_platform.webhooks.models import WebhookDelivery, WebhookEndpoint
from esgx_platform.webhooks.schemas import EndpointIn
from tests.platform.factories import make_user, sign_in
from tests.platform.intake.helpers import Filer, example_subject, make_filer
from tests.platform.intake.test_footprints import footprint_jws
from tests.platform.pact.helpers import client_token, variant

HTTPS = "https://localhost"
PERIOD = "2025-Q3"
# Rows a refused submission must never add (only audit events may be written).
STORED = {
    "disclosures": StoredDisclosure,
    "footprint_credentials": FootprintCredential,
    "log_entries": LogRecord,
    "key_events": KeyEventRecord,
    "signing_keys": SigningKey,
    "product_footprints": StoredFootprint,
}


# Path parameters naming records, per group of paths: the world's record each one names.
PINNED: list[tuple[str, dict[str, str]]] = [
    ("^/api/v1/factories/", {"org_id": "factory", "supplier_id": "supplier"}),
    ("^/api/v1/factories/.*/assessments/", {"snapshot_id": "assessment"}),
    ("^/api/v1/factories/.*/ranking-snapshots/", {"snapshot_id": "ranking"}),
    (
        "^/api/v1/organizations/",
        {
            "org_id": "supplier",
            "supplier_org": "supplier",
            "factory_org": "factory",
            "token_id": "spare_token",
        },
    ),
    ("^/api/v1/disclosures/", {"disclosure_id": "disclosure"}),
    ("^/api/v1/footprints/", {"credential_id": "credential"}),
    ("^/3/footprints/", {"footprint_id": "footprint"}),
    ("^/api/v1/webhooks/endpoints/", {"endpoint_id": "endpoint"}),
    ("^/api/v1/webhooks/deliveries/", {"delivery_id": "delivery"}),
]
# Parameters naming no record: a value the route accepts.
PLAIN = {"period": PERIOD, "size": "1", "index": "0", "kind": "revocations", "anything": "x"}


@dataclass(frozen=True)
class Caller:
    """What a caller sends: headers (a bearer token, a CSRF token) and cookies (a session)."""

    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)

    def client(self, app: Flask) -> FlaskClient:
        """A test client sending this caller's credentials with every request."""
        client = app.test_client()
        for name, value in self.cookies.items():
            client.set_cookie(name, value)
        for name, value in self.headers.items():
            client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
        return client


@dataclass(repr=False)
class HostileWorld:
    filer: Filer
    supplier_token: str
    client_token: str
    factory_person: User
    jws: dict[str, str]  # the filed disclosure's and footprint's, as sent
    ids: dict[str, str] = field(default_factory=dict)
    callers: dict[str, Caller] = field(default_factory=dict)

    def pinned(self, path: str) -> dict[str, str]:
        """The path parameters of an OpenAPI path template that name the world's records."""
        found: dict[str, str] = {}
        for pattern, names in PINNED:
            if re.match(pattern, path):
                found.update({name: self.ids[key] for name, key in names.items()})
        return found

    def url(self, path: str) -> str:
        """An OpenAPI path template with every parameter filled."""
        values = {**PLAIN, **self.pinned(path)}
        return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def caller(path: str, security: list[dict[str, Any]]) -> str:
    """Who calls an operation: the machine its security names first, else a person of the
    side the path belongs to, else nobody."""
    schemes = {name for requirement in security for name in requirement}
    if "apiToken" in schemes:
        return "supplier"
    if "oauth2" in schemes:
        return "factory"
    if "session" in schemes:
        side = re.match(r"^/api/v1/(factories|log)/", path)
        return "factory_person" if side else "supplier_person"
    return "public"


def _person(app: Flask, user: User) -> Caller:
    client = app.test_client()
    sign_in(client, user)
    cookie = client.get_cookie("esgx_session")
    assert cookie is not None
    with client.session_transaction() as sess:
        csrf = str(sess["csrf"])
    return Caller({"X-CSRF-Token": csrf}, {"esgx_session": cookie.value})


def build_world(app: Flask, session: Session) -> HostileWorld:
    filer = make_filer(session, app.test_client())
    endpoint = _endpoint(app, session, filer)  # before the filing, so it gets a delivery
    filed_jws = {
        "disclosure": filer.sign(example_subject()),
        "footprint": footprint_jws(filer, variant()),
    }
    disclosure = filer.post("/api/v1/disclosures", {"jws": filed_jws["disclosure"]})
    assert disclosure.status_code == 201, disclosure.get_json()
    filed = filer.post("/api/v1/footprints", {"jws": filed_jws["footprint"]})
    assert filed.status_code == 201, filed.get_json()
    token = _token(session, filer, sorted(SUPPLIER_TOKEN_SCOPES))
    spare = _token(session, filer, ["disclosures:read"])  # for DELETE to revoke
    access = client_token(session, filer, sorted(CLIENT_SCOPES))
    person = make_user(session, filer.factory, Role.FACTORY_ANALYST)
    for role in (Role.PROCUREMENT, Role.FACTORY_ADMIN):
        add_membership(session, person, filer.factory, role)
    session.commit()
    world = HostileWorld(filer, token.secret, access, person, filed_jws)
    delivery = session.scalar(
        select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    world.ids = {
        "supplier": str(filer.supplier.id),
        "factory": str(filer.factory.id),
        "disclosure": disclosure.get_json()["id"],
        "footprint": filed.get_json()["footprintId"],
        "credential": filed.get_json()["id"],
        "spare_token": str(spare.record.id),
        "endpoint": str(endpoint.id),
        "delivery": str(delivery),
    }
    world.callers = {
        "supplier": Caller(_bearer(token.secret)),
        "factory": Caller(_bearer(access)),
        "supplier_person": _person(app, filer.admin),
        "factory_person": _person(app, person),
        "public": Caller({}),
    }
    world.ids.update(_snapshots(app, world))
    return world


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _token(session: Session, filer: Filer, scopes: list[str]) -> Issued[ApiToken]:
    return create_api_token(
        session, organization=filer.supplier, name="ERP", scopes=scopes, actor_user_id=None
    )


def _endpoint(app: Flask, session: Session, filer: Filer) -> WebhookEndpoint:
    settings = app.extensions["esgx_settings"]
    values = {"url": "https://hooks.esgx.test/in", "eventTypes": ["disclosure.verified"]}
    issued = register_endpoint(
        session,
        organization=filer.factory,
        values=EndpointIn().load(values),
        box=SecretBox(settings.encryption_keys),
        actor_user_id=None,
    )
    session.commit()
    return issued.record


def _snapshots(app: Flask, world: HostileWorld) -> dict[str, str]:
    """An assessment and a ranking snapshot, taken by the factory's person through the API."""
    person = world.callers["factory_person"].client(app)
    base = f"/api/v1/factories/{world.filer.factory.id}"
    assessment = person.post(f"{base}/assessments", json={"year": 2025})
    assert assessment.status_code == 201, assessment.get_json()
    ranking = person.post(f"{base}/rankings/{PERIOD}/snapshots")
    assert ranking.status_code == 201, ranking.get_json()
    return {"assessment": assessment.get_json()["id"], "ranking": ranking.get_json()["id"]}


def stored_counts(session: Session) -> dict[str, int]:
    """Rows of every append-only table a submission writes, and of audit events."""
    counts = {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in STORED.items()
    }
    counts["audit_events"] = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return counts
