"""Bearer authentication for machines: supplier API tokens and lead-factory OAuth2 tokens."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.machine.services import (
    API_TOKEN_PREFIX,
    authenticate_access_token,
    authenticate_api_token,
)
from esgx_platform.organizations.models import OrgKind
from esgx_platform.tenancy import Grant, Principal


def bearer_secret() -> str | None:
    """The bearer credential of the request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def machine_principal(session: Session, secret: str) -> Principal:
    """The principal a bearer secret stands for; raises Unauthenticated when it is not live."""
    if secret.startswith(API_TOKEN_PREFIX):
        token = authenticate_api_token(session, secret)
        # Key management is an administrator's act; other tokens act as a member.
        role = Role.SUPPLIER_ADMIN if "keys:manage" in token.scopes else Role.SUPPLIER_MEMBER
        grant = Grant(token.organization_id, OrgKind.SUPPLIER, role)
        return Principal(None, (grant,), frozenset(token.scopes), f"api_token:{token.id}")
    client = authenticate_access_token(session, secret)
    grant = Grant(client.organization_id, OrgKind.LEAD_FACTORY, Role.FACTORY_ANALYST)
    return Principal(None, (grant,), frozenset(client.scopes), f"oauth_client:{client.id}")
