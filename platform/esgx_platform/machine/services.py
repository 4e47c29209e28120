"""Issuing, checking and revoking API tokens and OAuth2 client credentials.

Secrets are random 256-bit strings shown once; only their SHA-256 is stored. A fast hash is
right here (unlike passwords): the secrets carry full entropy, so there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from esgx_platform.audit.services import record_event
from esgx_platform.db import utcnow
from esgx_platform.errors import Conflict, InvalidInput, NotFound, TokenExpired, Unauthenticated
from esgx_platform.i18n import Text
from esgx_platform.machine.models import ApiToken, OAuthAccessToken, OAuthClient
from esgx_platform.organizations.models import Organization, OrgKind

API_TOKEN_PREFIX = "esgx_at_"  # noqa: S105 - a public marker, not a secret
ACCESS_TOKEN_PREFIX = "esgx_oa_"  # noqa: S105 - a public marker, not a secret
CLIENT_ID_PREFIX = "esgxc_"

SUPPLIER_TOKEN_SCOPES = frozenset({"disclosures:submit", "disclosures:read", "keys:manage"})
CLIENT_SCOPES = frozenset(
    {
        "footprints:read",
        "disclosures:read",
        "rollups:read",
        "assessments:read",
        "rankings:read",
        "webhooks:manage",
    }
)
BAD_TOKEN = Text(
    "The access token is missing, unknown, expired or revoked.",
    "访问令牌缺失、未知、已过期或已撤销。",
)


T = TypeVar("T")


@dataclass(frozen=True)
class Issued(Generic[T]):
    """A record and its secret; the secret exists only in this object, never in the database."""

    record: T
    secret: str


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_scopes(scopes: Iterable[str], allowed: frozenset[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in allowed]
    if unknown or not chosen:
        raise InvalidInput(
            Text("Scopes must be some of: {allowed}.", "权限范围须取自：{allowed}。").format(
                allowed=", ".join(sorted(allowed))
            )
        )
    return chosen


def create_api_token(
    session: Session,
    *,
    organization: Organization,
    name: str,
    scopes: Iterable[str],
    actor_user_id: uuid.UUID | None,
    expires_at: datetime | None = None,
) -> Issued[ApiToken]:
    """A token for a supplier's own systems (submission, key management)."""
    if organization.kind is not OrgKind.SUPPLIER:
        raise InvalidInput(
            Text(
                "API tokens are for suppliers' systems; lead factories use OAuth2 clients.",
                "API 令牌仅供供应商系统使用；龙头工厂请使用 OAuth2 客户端。",
            )
        )
    if not name.strip() or len(name) > 100:
        raise InvalidInput(
            Text(
                "Give the token a name of 1 to 100 characters.",
                "请为令牌填写 1 至 100 个字符的名称。",
            )
        )
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organization_id=organization.id,
        name=name.strip(),
        prefix=secret[:12],
        token_sha256=sha256_hex(secret),
        scopes=_check_scopes(scopes, SUPPLIER_TOKEN_SCOPES),
        created_by=actor_user_id,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        action="api_token.created",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="api_token",
        target_id=token.id,
        details={"name": token.name, "scopes": token.scopes, "prefix": token.prefix},
    )
    return Issued(token, secret)


def revoke_api_token(session: Session, token: ApiToken, *, actor_user_id: uuid.UUID | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record_event(
            session,
            action="api_token.revoked",
            actor_user_id=actor_user_id,
            organization_id=token.organization_id,
            target_type="api_token",
            target_id=token.id,
        )


@dataclass(frozen=True)
class ApiTokenHolder:
    """A live API token: what a supplier's system acts as, and when it was last used."""

    id: uuid.UUID
    organization_id: uuid.UUID
    scopes: tuple[str, ...]
    last_used_at: datetime | None


# Checked on every submission a supplier's system makes: columns only, built once.
_API_TOKEN_LOOKUP = select(
    ApiToken.id,
    ApiToken.organization_id,
    ApiToken.scopes,
    ApiToken.expires_at,
    ApiToken.revoked_at,
    ApiToken.last_used_at,
).where(ApiToken.token_sha256 == bindparam("token_sha256"))


def authenticate_api_token(session: Session, secret: str) -> ApiTokenHolder:
    """The live token for `secret`, or Unauthenticated."""
    row = (
        session.connection()
        .execute(_API_TOKEN_LOOKUP, {"token_sha256": sha256_hex(secret)})
        .first()
    )
    if (
        row is None
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= utcnow())
    ):
        raise Unauthenticated(BAD_TOKEN)
    return ApiTokenHolder(row.id, row.organization_id, tuple(row.scopes), row.last_used_at)


def last_use_is_stale(token: ApiTokenHolder) -> bool:
    """Whether `last_used_at` is due a refresh: at most one write a minute per token."""
    return token.last_used_at is None or utcnow() - token.last_used_at > timedelta(minutes=1)


def touch_api_token(session: Session, token_id: uuid.UUID) -> None:
    """Record a use in its own short transaction, never in the request's (a write there would
    turn every read-only request into a writer)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def create_oauth_client(
    session: Session,
    *,
    organization: Organization,
    name: str,
    scopes: Iterable[str],
    actor_user_id: uuid.UUID | None,
) -> Issued[OAuthClient]:
    """Client credentials for a lead factory's system; the secret is returned once."""
    if organization.kind is not OrgKind.LEAD_FACTORY:
        raise InvalidInput(
            Text("OAuth2 clients belong to lead factories.", "OAuth2 客户端仅限龙头工厂。")
        )
    if len(name.strip()) > 100:
        raise InvalidInput(
            Text("Keep the client's name to 100 characters.", "客户端名称最多 100 个字符。")
        )
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(
        organization_id=organization.id,
        name=name.strip() or "client",
        client_id=CLIENT_ID_PREFIX + secrets.token_hex(10),
        secret_sha256=sha256_hex(secret),
        scopes=_check_scopes(scopes, CLIENT_SCOPES),
        created_by=actor_user_id,
    )
    session.add(client)
    session.flush()
    record_event(
        session,
        action="oauth_client.created",
        actor_user_id=actor_user_id,
        organization_id=organization.id,
        target_type="oauth_client",
        target_id=client.id,
        details={"client_id": client.client_id, "scopes": client.scopes},
    )
    return Issued(client, secret)


def rotate_oauth_client_secret(
    session: Session, client: OAuthClient, *, actor_user_id: uuid.UUID | None
) -> Issued[OAuthClient]:
    """A new secret; the old one stops working at once, as do tokens issued with it.
    Raises Conflict for a revoked client (revocation is final)."""
    if client.revoked_at is not None:
        raise Conflict(
            Text(
                "The client is revoked; create a new one instead.",
                "该客户端已撤销，请新建一个客户端。",
            )
        )
    secret = secrets.token_urlsafe(32)
    client.secret_sha256 = sha256_hex(secret)
    client.rotated_at = utcnow()
    _expire_access_tokens(session, client)
    record_event(
        session,
        action="oauth_client.rotated",
        actor_user_id=actor_user_id,
        organization_id=client.organization_id,
        target_type="oauth_client",
        target_id=client.id,
    )
    return Issued(client, secret)


def revoke_oauth_client(
    session: Session, client: OAuthClient, *, actor_user_id: uuid.UUID | None
) -> None:
    client.revoked_at = client.revoked_at or utcnow()
    _expire_access_tokens(session, client)
    record_event(
        session,
        action="oauth_client.revoked",
        actor_user_id=actor_user_id,
        organization_id=client.organization_id,
        target_type="oauth_client",
        target_id=client.id,
    )


def _expire_access_tokens(session: Session, client: OAuthClient) -> None:
    now = utcnow()
    for token in session.scalars(
        select(OAuthAccessToken).where(
            OAuthAccessToken.client_id == client.id, OAuthAccessToken.expires_at > now
        )
    ):
        token.expires_at = now
    session.flush()


def issue_access_token(
    session: Session, *, client_id: str, client_secret: str, lifetime: timedelta
) -> tuple[str, OAuthAccessToken]:
    """Exchange client credentials for a bearer token; Unauthenticated on any mismatch."""
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    expected = client.secret_sha256 if client else sha256_hex("no such client")
    if (
        not hmac.compare_digest(expected, sha256_hex(client_secret))
        or client is None
        or client.revoked_at is not None
    ):
        raise Unauthenticated(Text("Client authentication failed.", "客户端认证失败。"))
    secret = ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = OAuthAccessToken(
        client_id=client.id, token_sha256=sha256_hex(secret), expires_at=utcnow() + lifetime
    )
    session.add(token)
    session.flush()
    return secret, token


@dataclass(frozen=True)
class TokenHolder:
    """The OAuth2 client behind a live access token: what a request acts as."""

    id: uuid.UUID  # the client's row id
    organization_id: uuid.UUID
    scopes: tuple[str, ...]


# Checked on every request of a polling client: columns only, built once.
_TOKEN_LOOKUP = (
    select(
        OAuthClient.id,
        OAuthClient.organization_id,
        OAuthClient.scopes,
        OAuthClient.revoked_at,
        OAuthAccessToken.expires_at,
    )
    .join(OAuthClient, OAuthClient.id == OAuthAccessToken.client_id)
    .where(OAuthAccessToken.token_sha256 == bindparam("token_sha256"))
)


def authenticate_access_token(session: Session, secret: str) -> TokenHolder:
    """The client behind a live access token, or Unauthenticated (TokenExpired once expired)."""
    row = session.connection().execute(_TOKEN_LOOKUP, {"token_sha256": sha256_hex(secret)}).first()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated(BAD_TOKEN)
    if row.expires_at <= utcnow():
        raise TokenExpired(Text("The access token has expired.", "访问令牌已过期。"))
    return TokenHolder(row.id, row.organization_id, tuple(row.scopes))


def list_api_tokens(session: Session, *, organization_id: uuid.UUID) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.organization_id == organization_id)
            .order_by(ApiToken.created_at.desc())
        )
    )


def get_api_token(session: Session, *, organization_id: uuid.UUID, token_id: uuid.UUID) -> ApiToken:
    """The organization's token, or NotFound (another organization's looks the same)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.organization_id != organization_id:
        raise NotFound(Text("No such token.", "令牌不存在。"))
    return token


def list_oauth_clients(session: Session, *, organization_id: uuid.UUID) -> list[OAuthClient]:
    """A lead factory's clients, newest first, revoked ones included (never their secrets)."""
    return list(
        session.scalars(
            select(OAuthClient)
            .where(OAuthClient.organization_id == organization_id)
            .order_by(OAuthClient.created_at.desc(), OAuthClient.client_id)
        )
    )


def get_oauth_client(
    session: Session, *, organization_id: uuid.UUID, client_id: str
) -> OAuthClient:
    """The organization's client by its public id (`esgxc_...`), or NotFound (another
    organization's looks the same)."""
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
    if client is None or client.organization_id != organization_id:
        raise NotFound(Text("No such OAuth2 client.", "OAuth2 客户端不存在。"))
    return client
