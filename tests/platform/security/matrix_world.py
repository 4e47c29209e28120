"""The world the authorization matrix runs against, built through the real services.

Lead factory L buys from supplier A, which has given its data-sharing consent; supplier B and
lead factory M have no relationship with anyone. A has filed a signed 2025-Q3 disclosure (with
a figure no other record carries) and a product footprint; L has an assessment, a ranking
snapshot, an improvement action, an OAuth2 client, a webhook endpoint with a delivery and
PACT callback credentials; A has an API token, a pending invitation and a notification.

People sign in through `/login` (their session cookie and CSRF token are sent afresh with each
request); machines hold a bearer secret: an access token of an OAuth2 client of L or M with
every client scope, and an API token of A with every supplier scope.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.invitations import invite
from esgx_platform.accounts.models import Role, User
from esgx_platform.assessment.services import create_action, run_assessment
from esgx_platform.i18n import Text
from esgx_platform.intake.models import FootprintCredential, StoredDisclosure
from esgx_platform.intake.receipts import LogSigner
from esgx_platform.ledger.checkpoints import publish_checkpoint
from esgx_platform.machine.services import (
    CLIENT_SCOPES,
    SUPPLIER_TOKEN_SCOPES,
    create_api_token,
    create_oauth_client,
    issue_access_token,
)
from esgx_platform.notifications.letters import Letter
from esgx_platform.notifications.services import notify_user
from esgx_platform.organizations.models import Organization
from esgx_platform.pact.services import set_callback_credential
from esgx_platform.scoring.snapshots import store_snapshot
from esgx_platform.webhooks.endpoints import register_endpoint
from esgx_platform.webhooks.events import EVENT_TYPES
from esgx_platform.webhooks.models import WebhookDelivery
from esgx_platform.webhooks.schemas import EndpointIn
from tests.platform.factories import make_org, make_user
from tests.platform.rollups.world import Scenario, Supplier, footprint

QUARTER = "2025-Q3"
FILED_AT = datetime(2025, 10, 15, 10, 0, tzinfo=UTC)
# A's allocation to L: a figure no other record carries, so a response carrying A's data is
# recognizable (Scope 1 is four times it).
A_FIGURE = "8642.135"
A_SCOPE1 = "34568.540"

PEOPLE = (
    "a_member",
    "a_admin",
    "b_admin",
    "l_procurement",
    "l_analyst",
    "l_admin",
    "m_analyst",
    "operator",
)
MACHINES = ("l_client", "m_client", "a_token")
ACTORS = ("anonymous", *PEOPLE, *MACHINES)
_MEMBERSHIP = {
    "a_member": ("A", Role.SUPPLIER_MEMBER),
    "a_admin": ("A", Role.SUPPLIER_ADMIN),
    "b_admin": ("B", Role.SUPPLIER_ADMIN),
    "l_procurement": ("L", Role.PROCUREMENT),
    "l_analyst": ("L", Role.FACTORY_ANALYST),
    "l_admin": ("L", Role.FACTORY_ADMIN),
    "m_analyst": ("M", Role.FACTORY_ANALYST),
    "operator": ("operator", Role.OPERATOR_ADMIN),
}


@dataclass
class MatrixWorld:
    orgs: dict[str, Organization]
    users: dict[str, User]
    ids: dict[str, Any]  # the real values URL parameters are filled with, by name
    bodies: dict[str, Any]  # endpoint -> the JSON body it is sent (others get none)
    forms: dict[str, dict[str, str]]  # endpoint -> the form it is sent
    figures: tuple[str, ...]  # A's figures: only those who may read A's data may see them
    a_ids: tuple[str, ...]  # A's records' ids: nobody outside A's relationships sees them
    bearers: dict[str, str]  # machine actor -> its bearer secret


def build_world(session: Session, app: Flask) -> MatrixWorld:
    """Everything above, committed (inside the test's rolled-back transaction)."""
    scenario = Scenario(session, "Matrix Plant L")
    scenario.periods("2025-Q1", "2025-Q2", QUARTER, "2025-Q4")
    a = scenario.supplier("Matrix Supplier A")
    orgs = {
        "A": a.org,
        "B": make_org(session, "supplier", "Matrix Supplier B", "GD"),
        "L": scenario.factory,
        "M": make_org(session, "lead_factory", "Matrix Plant M", "HB"),
        "operator": make_org(session, "operator", "Matrix Operator", "BJ"),
    }
    users = {name: make_user(session, orgs[org], role) for name, (org, role) in _MEMBERSHIP.items()}
    signer = cast(LogSigner, app.extensions["esgx_log_signer"])
    endpoint_id = _endpoint(session, signer, orgs["L"])  # before the filing: a delivery waits
    disclosure, credential, pact_id = _filings(session, scenario, a)
    bearers, machine_ids = _machines(session, orgs)
    ids: dict[str, Any] = {
        "disclosure_id": disclosure.id,
        "credential_id": credential.id,
        "footprint_id": pact_id,
        "endpoint_id": endpoint_id,
        "delivery_id": session.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint_id)
        ).one(),
        "rel_id": a.relationship.id,
        "period": QUARTER,
        **machine_ids,
        **_factory_records(session, signer, orgs["L"]),
        **_supplier_records(session, orgs["A"], users["a_member"]),
        # The newest checkpoint, signed with the app's own key (receipts reuse it).
        "size": publish_checkpoint(session, box=signer.box, origin=signer.origin).size,
    }
    session.commit()
    return MatrixWorld(
        orgs=orgs,
        users=users,
        ids=ids,
        bodies={
            "intake_api.submit": {"jws": disclosure.jws},
            "intake_api.submit_batch": {"jws": [disclosure.jws]},
            "intake_api.submit_footprint_credential": {"jws": credential.jws},
        },
        forms={"factory_pact.remove_credentials": {"base_url": ids["pact_base_url"]}},
        figures=(A_FIGURE, A_SCOPE1),
        a_ids=(disclosure.content_id, str(disclosure.id), pact_id, str(credential.id)),
        bearers=bearers,
    )


def _filings(
    session: Session, scenario: Scenario, supplier: Supplier
) -> tuple[StoredDisclosure, FootprintCredential, str]:
    """A's 2025-Q3 disclosure and a stand-alone footprint (and its PACT id)."""
    content_id = scenario.file(supplier, QUARTER, A_FIGURE, when=FILED_AT)
    doc = footprint(
        supplier.org,
        QUARTER,
        product="urn:pact:esgx.test:product-id:matrix-part",
        unit="kilogram",
        kg_per_unit="2.5",
    )
    footprint_content = scenario.file_footprint(supplier, doc, FILED_AT + timedelta(hours=1))
    disclosure = session.scalars(
        select(StoredDisclosure).where(StoredDisclosure.content_id == content_id)
    ).one()
    credential = session.scalars(
        select(FootprintCredential).where(FootprintCredential.content_id == footprint_content)
    ).one()
    return disclosure, credential, str(doc["id"])


def _machines(
    session: Session, orgs: dict[str, Organization]
) -> tuple[dict[str, str], dict[str, Any]]:
    """Bearer secrets of L's and M's OAuth2 clients and of A's API token; their ids."""
    bearers: dict[str, str] = {}
    client_ids: dict[str, str] = {}
    for name, org in (("l_client", orgs["L"]), ("m_client", orgs["M"])):
        issued = create_oauth_client(
            session, organization=org, name=name, scopes=CLIENT_SCOPES, actor_user_id=None
        )
        bearers[name], _ = issue_access_token(
            session,
            client_id=issued.record.client_id,
            client_secret=issued.secret,
            lifetime=timedelta(hours=2),
        )
        client_ids[name] = issued.record.client_id
    token = create_api_token(
        session,
        organization=orgs["A"],
        name="matrix",
        scopes=SUPPLIER_TOKEN_SCOPES,
        actor_user_id=None,
    )
    bearers["a_token"] = token.secret
    return bearers, {"client_id": client_ids["l_client"], "token_id": token.record.id}


def _endpoint(session: Session, signer: LogSigner, factory: Organization) -> uuid.UUID:
    values = EndpointIn().load({"url": "https://127.0.0.1:9/hooks", "eventTypes": EVENT_TYPES})
    issued = register_endpoint(
        session, organization=factory, values=values, box=signer.box, actor_user_id=None
    )
    return issued.record.id


def _factory_records(session: Session, signer: LogSigner, factory: Organization) -> dict[str, Any]:
    """L's assessment of 2025, a ranking snapshot, an action and PACT callback credentials."""
    assessment = run_assessment(session, organization=factory, year=2025, actor_user_id=None)
    ranking = store_snapshot(session, organization=factory, period=QUARTER, actor_user_id=None)
    action = create_action(
        session,
        organization=factory,
        title="Matrix action",
        owner="Plant",
        due_on=date(2026, 12, 31),
        finding_id=None,
        actor_user_id=None,
    )
    set_callback_credential(
        session,
        organization=factory,
        base_url="https://erp.matrix.example/pact",
        client_id="matrix",
        secret="matrix-callback-secret",
        box=signer.box,
        actor_user_id=None,
    )
    return {
        "assessment_id": assessment.id,
        "ranking_snapshot_id": ranking.id,
        "action_id": action.id,
        "pact_base_url": "https://erp.matrix.example/pact",
    }


def _supplier_records(session: Session, supplier: Organization, member: User) -> dict[str, Any]:
    """A's pending invitation (id and link token) and a notification in its member's inbox."""
    invitation = invite(
        session,
        organization=supplier,
        email="matrix-invitee@esgx.example",
        role=Role.SUPPLIER_MEMBER,
        locale="en",
        actor_user_id=None,
    )
    letter = Letter(Text("Matrix", "矩阵"), (Text("Body", "正文"),), None, Text("f", "脚注"))
    note = notify_user(
        session, user=member, organization_id=supplier.id, kind="test", letter=letter
    )
    session.flush()
    return {
        "invitation_id": invitation.record.id,
        "token": invitation.secret,
        "notification_id": note.id,
    }
