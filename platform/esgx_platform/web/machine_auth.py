"""Bearer authentication for machines: supplier API tokens and lead-factory OAuth2 tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from flask import current_app, request
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import Role
from esgx_platform.db import Database
from esgx_platform.machine.services import (
    API_TOKEN_PREFIX,
    authenticate_access_token,
    authenticate_api_token,
    last_use_is_stale,
    touch_api_token,
)
from esgx_platform.organizations.models import OrgKind
from esgx_platform.tenancy import Grant, Principal


def database() -> Database:
    return cast(Database, current_app.extensions["esgx_db"])


def bearer_secret() -> str | None:
    """The bearer credential of the request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def machine_principal(secret: str, request_session: Callable[[], Session]) -> Principal:
    """The principal a bearer secret stands for; raises Unauthenticated when it is not live.

    An OAuth2 access token is looked up in the request's own session (a read; lead factories'
    systems poll, and a transaction of its own would cost a round trip or two per request). An
    API token is checked in a short transaction of its own, which may record its last use, and
    the request's session is not opened for it: on SQLite a state-changing request's session
    holds the write lock from its first statement, and the last-use write would wait on it.
    """
    if not secret.startswith(API_TOKEN_PREFIX):
        client = authenticate_access_token(request_session(), secret)
        grant = Grant(client.organization_id, OrgKind.LEAD_FACTORY, Role.FACTORY_ANALYST)
        return Principal(None, (grant,), frozenset(client.scopes), f"oauth_client:{client.id}")
    with database().statement_reads() as session:
        token = authenticate_api_token(session, secret)
    # Key management is an administrator's act; other tokens act as a member.
    role = Role.SUPPLIER_ADMIN if "keys:manage" in token.scopes else Role.SUPPLIER_MEMBER
    grant = Grant(token.organization_id, OrgKind.SUPPLIER, role)
    who = Principal(None, (grant,), frozenset(token.scopes), f"api_token:{token.id}")
    if last_use_is_stale(token):
        with database().transaction() as session:
            touch_api_token(session, token.id)
    return who
