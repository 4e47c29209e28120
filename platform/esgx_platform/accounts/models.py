"""People who sign in, and their roles in organizations."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esgx_platform.db import Base, CreatedAt, UUIDPk
from esgx_platform.organizations.models import Organization, OrgKind, str_enum


class Role(enum.StrEnum):
    SUPPLIER_ADMIN = "supplier_admin"
    SUPPLIER_MEMBER = "supplier_member"
    PROCUREMENT = "procurement"
    FACTORY_ANALYST = "factory_analyst"
    OPERATOR_ADMIN = "operator_admin"
    # A lead factory's administrator of its integrations (webhook endpoints); no data access
    # of its own beyond what those integrations carry.
    FACTORY_ADMIN = "factory_admin"

    @property
    def org_kind(self) -> OrgKind:
        """The kind of organization this role belongs to."""
        return _ROLE_ORG_KIND[self]


_ROLE_ORG_KIND = {
    Role.SUPPLIER_ADMIN: OrgKind.SUPPLIER,
    Role.SUPPLIER_MEMBER: OrgKind.SUPPLIER,
    Role.PROCUREMENT: OrgKind.LEAD_FACTORY,
    Role.FACTORY_ANALYST: OrgKind.LEAD_FACTORY,
    Role.OPERATOR_ADMIN: OrgKind.OPERATOR,
    Role.FACTORY_ADMIN: OrgKind.LEAD_FACTORY,
}


class User(Base):
    __tablename__ = "users"

    id: Mapped[UUIDPk]
    # Stored lower-cased; unique, so one address is one account.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[CreatedAt]

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")


class Membership(Base):
    """One role of one user in one organization."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id", "role"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"))
    created_at: Mapped[CreatedAt]

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship()


class Invitation(Base):
    """An invitation to join an organization in a role; the link's token is stored hashed."""

    __tablename__ = "invitations"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role, "invitation_role"))
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
