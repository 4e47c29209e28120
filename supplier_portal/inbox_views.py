"""The portal inbox: the signed-in person's deadline reminders and key warnings, and the
deadlines of every customer of the suppliers they work for."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from flask import Blueprint, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.db import utcnow
from esgx_platform.notifications.inbox import inbox_page
from esgx_platform.notifications.letters import day_en, day_zh
from esgx_platform.notifications.models import Notification
from esgx_platform.notifications.services import mark_all_read, mark_read, unread_count
from esgx_platform.tenancy import SUPPLIER_ROLES
from esgx_platform.web.context import db_session, principal, roles_required, scope
from esgx_platform.web.i18n import current_locale

bp = Blueprint("portal_inbox", __name__, url_prefix="/portal", template_folder="templates")


def _user_id() -> uuid.UUID:
    user_id = principal().user_id
    assert user_id is not None  # roles_required let only a signed-in person through
    return user_id


@bp.get("/inbox")
@roles_required(*SUPPLIER_ROLES)
def inbox() -> ResponseReturnValue:
    tenant = scope()
    suppliers = [tenant.organization(org_id) for org_id in principal().org_ids(*SUPPLIER_ROLES)]
    page = inbox_page(
        tenant.session, user_id=_user_id(), suppliers=suppliers, today=utcnow().date()
    )
    return render_template("portal/inbox.html", page=page)


@bp.post("/inbox/<uuid:notification_id>/read")
@roles_required(*SUPPLIER_ROLES)
def read(notification_id: uuid.UUID) -> ResponseReturnValue:
    """Mark one of one's own notifications read (anyone else's is 404)."""
    db = db_session()
    mark_read(db, user_id=_user_id(), notification_id=notification_id)
    db.commit()
    return redirect(url_for("portal_inbox.inbox", _anchor=f"n-{notification_id}"), 303)


@bp.post("/inbox/read-all")
@roles_required(*SUPPLIER_ROLES)
def read_all() -> ResponseReturnValue:
    db = db_session()
    mark_all_read(db, user_id=_user_id())
    db.commit()
    return redirect(url_for("portal_inbox.inbox"), 303)


def inbox_unread() -> int | None:
    """For the navigation: the signed-in person's unread count, or None when they have no
    inbox (not signed in, or no supplier role). Reads only what the request has loaded."""
    if g.get("user") is None:
        return None
    if not principal().org_ids(*SUPPLIER_ROLES):
        return None
    return unread_count(db_session(), user_id=g.user.id)


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    return {"inbox_unread": inbox_unread}


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"long_day": long_day, "note_text": note_text}


def long_day(value: date | datetime) -> str:
    """A date written out in the request's language (1 July 2026 / 2026年7月1日)."""
    day = value.date() if isinstance(value, datetime) else value
    return day_zh(day) if current_locale() == "zh" else day_en(day)


def note_text(note: Notification, field: str) -> str:
    """A notification's title or body in the request's language (both are stored). The
    body's last paragraph, the link as text, is left out: the page links it properly."""
    text = str(getattr(note, f"{field}_zh" if current_locale() == "zh" else f"{field}_en"))
    if field == "body" and note.link and text.endswith(note.link):
        text = text.rpartition("\n\n")[0]
    return text
