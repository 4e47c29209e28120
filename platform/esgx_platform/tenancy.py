"""Who may see what: the one place tenant data access is decided.

Every query for tenant data goes through `TenantScope`: views never trust an organization id
taken from a URL or body without `scope.organization(...)` or `scope.require(...)` first, and
list queries are narrowed with `scope.restrict(...)`. Unknown and invisible organizations look
the same (404), so ids cannot be probed.
"""

from __future__ import annotations

import enum
import functools
import uuid
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from esgx_platform.accounts.models import Membership, Role
from esgx_platform.errors import Forbidden, NotFound
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization, OrgKind, SupplyRelationship

FACTORY_ROLES = frozenset({Role.PROCUREMENT, Role.FACTORY_ANALYST})
_Ts = TypeVarTuple("_Ts")
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_ADMIN, Role.SUPPLIER_MEMBER})
# Who may file signed credentials for an organization (always only for organizations where
# they hold the role): a supplier's people for the supplier, and a lead factory's carbon
# analysts for the factory's own operations. Never procurement, never for another organization.
FILER_ROLES = SUPPLIER_ROLES | {Role.FACTORY_ANALYST}
# Who may register, rotate and revoke an organization's signing keys.
KEY_ADMIN_ROLES = frozenset({Role.SUPPLIER_ADMIN, Role.FACTORY_ANALYST})
# A lead factory's integrations (API clients, webhooks, PACT callbacks): its administrators
# change them, its analysts look. The administrator reads no supplier data through this.
INTEGRATION_ADMIN_ROLES = frozenset({Role.FACTORY_ADMIN})
INTEGRATION_VIEWER_ROLES = INTEGRATION_ADMIN_ROLES | {Role.FACTORY_ANALYST}


class Purpose(enum.Enum):
    """Why data is read. A lead factory sees its suppliers' profiles through the relationship,
    but their figures only while the supplier's data-sharing consent stands."""

    PROFILE = "profile"
    DATA = "data"


@dataclass(frozen=True)
class Grant:
    organization_id: uuid.UUID
    org_kind: OrgKind
    role: Role


@dataclass(frozen=True)
class Principal:
    """The actor of a request: a signed-in user, or a machine (an API token or OAuth2 client)
    acting for one organization within its scopes. Anonymous when neither."""

    user_id: uuid.UUID | None
    grants: tuple[Grant, ...] = ()
    # None for people (their roles decide); a machine may do only what its scopes name.
    scopes: frozenset[str] | None = None
    machine: str | None = None  # "api_token:<id>" or "oauth_client:<id>", for the audit log

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None or self.machine is not None

    def allows(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes

    @property
    def is_operator(self) -> bool:
        return any(g.role is Role.OPERATOR_ADMIN for g in self.grants)

    def roles_in(self, org_id: uuid.UUID) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants if g.organization_id == org_id)

    def org_ids(self, *roles: Role) -> list[uuid.UUID]:
        """Organizations where the principal holds any of `roles` (any role when none given)."""
        wanted = set(roles)
        ids = {g.organization_id for g in self.grants if not wanted or g.role in wanted}
        return sorted(ids)


ANONYMOUS = Principal(user_id=None)


def load_principal(session: Session, user_id: uuid.UUID) -> Principal:
    rows = session.execute(
        select(Membership.organization_id, Organization.kind, Membership.role)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id)
    ).all()
    return Principal(user_id, tuple(Grant(r[0], r[1], r[2]) for r in rows))


@dataclass(frozen=True)
class Readable:
    """The organizations a principal may read: its own, and the suppliers of the lead
    factories where it holds a factory role (for `Purpose.DATA` only while the supplier's
    consent stands). Kept as values for one SQL shape per purpose (`readable_subquery`), so a
    hot query that embeds it is built once and only its parameters change."""

    own: tuple[uuid.UUID, ...]
    factories: tuple[uuid.UUID, ...]
    purpose: Purpose

    def params(self) -> dict[str, Any]:
        return {"readable_own": list(self.own), "readable_factories": list(self.factories)}

    def subquery(self) -> Select[uuid.UUID]:
        """The readable ids as a subquery with these values bound."""
        return readable_subquery(self.purpose).params(**self.params())


@functools.cache
def readable_subquery(purpose: Purpose) -> Select[uuid.UUID]:
    """Readable organization ids; parameters `readable_own` and `readable_factories` (lists
    of organization ids, see `Readable.params`)."""
    suppliers = select(SupplyRelationship.supplier_id).where(
        SupplyRelationship.lead_factory_id.in_(
            bindparam("readable_factories", expanding=True, type_=Organization.id.type)
        ),
        SupplyRelationship.ended_on.is_(None),
    )
    if purpose is Purpose.DATA:
        suppliers = suppliers.where(
            SupplyRelationship.consent_given_at.is_not(None),
            SupplyRelationship.consent_withdrawn_at.is_(None),
        )
    own = bindparam("readable_own", expanding=True, type_=Organization.id.type)
    return select(Organization.id).where(Organization.id.in_(own) | Organization.id.in_(suppliers))


class TenantScope:
    """Access decisions for one principal within one session."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def readable(self, purpose: Purpose = Purpose.DATA) -> Readable | None:
        """Whom the principal may read, as values for `readable_subquery`; None meaning all
        (operators)."""
        if self.principal.is_operator:
            return None
        return Readable(
            tuple(self.principal.org_ids()), tuple(self.principal.org_ids(*FACTORY_ROLES)), purpose
        )

    def readable_org_ids(self, purpose: Purpose = Purpose.DATA) -> Select[uuid.UUID] | None:
        """A subquery of readable organization ids, or None meaning all (operators)."""
        readable = self.readable(purpose)
        return None if readable is None else readable.subquery()

    def restrict(
        self,
        stmt: Select[*_Ts],
        column: InstrumentedAttribute[uuid.UUID] | ColumnElement[uuid.UUID],
        purpose: Purpose = Purpose.DATA,
    ) -> Select[*_Ts]:
        """Narrow `stmt` to rows whose tenant `column` the principal may read."""
        readable = self.readable_org_ids(purpose)
        return stmt if readable is None else stmt.where(column.in_(readable))

    def can_read(self, org_id: uuid.UUID, purpose: Purpose = Purpose.DATA) -> bool:
        readable = self.readable_org_ids(purpose)
        if readable is None:
            return True
        return self.session.scalar(readable.where(Organization.id == org_id)) is not None

    def organization(self, org_id: uuid.UUID, purpose: Purpose = Purpose.PROFILE) -> Organization:
        """The organization if readable, else NotFound (never revealing that it exists)."""
        org = self.session.get(Organization, org_id) if self.can_read(org_id, purpose) else None
        if org is None:
            raise NotFound(Text("No such organization.", "组织不存在。"))
        return org

    def require(self, org_id: uuid.UUID, *roles: Role) -> Organization:
        """The organization when the principal holds one of `roles` in it (operators always)."""
        org = self.organization(org_id)
        if self.principal.is_operator or self.principal.roles_in(org_id) & set(roles):
            return org
        raise Forbidden(
            Text(
                "Your role does not allow this action here.",
                "您的角色无权在此执行该操作。",
            )
        )
