"""The supplier's people: members, invitations (a one-time link), and accepting one."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.accounts.invitations import (
    accept,
    invite,
    invited_account,
    members,
    open_invitation,
    pending_invitations,
    revoke_invitation,
)
from esgx_platform.accounts.models import Role
from esgx_platform.errors import EsgxError, FieldError
from esgx_platform.i18n import Text
from esgx_platform.tenancy import SUPPLIER_ROLES
from esgx_platform.web.auth import start_session
from esgx_platform.web.context import current_user, db_session, principal, roles_required, scope

bp = Blueprint("portal_team", __name__, template_folder="templates")


def _page(
    org_id: uuid.UUID,
    *,
    link: str | None = None,
    sent_to: str | None = None,
    errors: tuple[FieldError, ...] = (),
) -> str:
    tenant = scope()
    org = tenant.require(org_id, *SUPPLIER_ROLES)
    is_admin = principal().is_operator or Role.SUPPLIER_ADMIN in principal().roles_in(org.id)
    return render_template(
        "portal/team.html",
        org=org,
        members=members(tenant.session, org.id),
        invitations=pending_invitations(tenant.session, org.id),
        is_admin=is_admin,
        link=link,
        sent_to=sent_to,
        errors={e.path: e for e in errors},
    )


@bp.get("/portal/orgs/<uuid:org_id>/users")
@roles_required(*SUPPLIER_ROLES)
def team(org_id: uuid.UUID) -> ResponseReturnValue:
    return _page(org_id)


@bp.post("/portal/orgs/<uuid:org_id>/invitations")
@roles_required(Role.SUPPLIER_ADMIN)
def create_invitation(org_id: uuid.UUID) -> ResponseReturnValue:
    """The link is e-mailed to the invitee (queued with the invitation, in the language the
    administrator chose) and shown once to the administrator (it is stored hashed)."""
    org = scope().require(org_id, Role.SUPPLIER_ADMIN)
    db = db_session()
    try:
        issued = invite(
            db,
            organization=org,
            email=request.form.get("email", ""),
            role=Role(request.form.get("role", Role.SUPPLIER_MEMBER.value)),
            locale=request.form.get("locale", "zh"),
            actor_user_id=principal().user_id,
            link_for=_accept_link,
        )
    except EsgxError as exc:
        db.rollback()
        return _page(org_id, errors=tuple(exc.errors) or (FieldError("email", exc.detail),)), 422
    except ValueError:  # an unknown role value
        return _page(org_id), 422
    db.commit()
    return _page(org_id, link=_accept_link(issued.secret), sent_to=issued.record.email), 201


def _accept_link(token: str) -> str:
    """The one-time link: mailed to the invitee and shown once to the administrator."""
    return url_for("portal_team.accept_invitation", token=token, _external=True)


@bp.post("/portal/orgs/<uuid:org_id>/invitations/<uuid:invitation_id>/revoke")
@roles_required(Role.SUPPLIER_ADMIN)
def withdraw_invitation(org_id: uuid.UUID, invitation_id: uuid.UUID) -> ResponseReturnValue:
    org = scope().require(org_id, Role.SUPPLIER_ADMIN)
    db = db_session()
    revoke_invitation(
        db, organization=org, invitation_id=invitation_id, actor_user_id=principal().user_id
    )
    db.commit()
    return redirect(url_for("portal_team.team", org_id=org.id))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    """A new person sets a name and password; someone with an account signs in and confirms."""
    db = db_session()
    invitation = open_invitation(db, token)
    existing = invited_account(db, invitation)
    context: dict[str, Any] = {
        "invitation": invitation,
        "existing": existing,
        "me": current_user(),
        "errors": {},
        "values": {},
    }
    if request.method == "GET":
        return render_template("portal/accept.html", **context)
    values = {
        "display_name": request.form.get("display_name", ""),
        "password": request.form.get("password", ""),
        "locale": invitation.locale,
    }
    try:
        if existing is None and values["password"] != request.form.get("password2", ""):
            differ = Text("The passwords differ.", "两次输入的密码不一致。")
            raise EsgxError(differ, errors=(FieldError("password2", differ),))
        user = accept(db, token=token, values=values, signed_in=current_user())
    except EsgxError as exc:
        db.rollback()
        found = {e.path.removeprefix("$."): e for e in exc.errors}
        return render_template(
            "portal/accept.html",
            **{
                **context,
                "invitation": open_invitation(db, token),
                "errors": found,
                "values": values,
                "failure": exc.detail,
            },
        ), exc.status
    db.commit()
    start_session(user)
    return redirect(url_for("pages.home"))
