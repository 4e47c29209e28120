"""The lead factory's improvement actions: the list with history, creating, moving along."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from esgx_platform.accounts.models import User
from esgx_platform.assessment.records import Finding, ImprovementActionEvent
from esgx_platform.assessment.services import (
    ACTION_STATUSES,
    create_action,
    get_action,
    list_actions,
    set_action_status,
)
from esgx_platform.db import utcnow
from esgx_platform.errors import FieldError, InvalidInput
from esgx_platform.i18n import Text
from esgx_platform.organizations.models import Organization
from esgx_platform.web.context import db_session, principal
from esgx_platform.web.factory_format import helpers
from esgx_platform.web.factory_views import analyst_page
from esgx_platform.web.rollup_api import lead_factory

bp = Blueprint("factory_actions", __name__, url_prefix="/factories/<uuid:org_id>/actions")
bp.context_processor(helpers)

NOT_SAVED = Text("The action could not be saved.", "无法保存该改进措施。")
BAD_DUE = Text("Give the due date as YYYY-MM-DD.", "请按 YYYY-MM-DD 格式填写到期日。")
BAD_FINDING = Text("No such finding.", "没有该发现项。")
LONG_NOTE = Text("Keep the note to 2,000 characters.", "备注最多 2000 字。")
NOTE_LIMIT = 2000


def history(session: Session, action_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Each action's status changes, oldest first, with who made them."""
    ids = list(action_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ImprovementActionEvent, User.display_name)
        .outerjoin(User, User.id == ImprovementActionEvent.by)
        .where(ImprovementActionEvent.action_id.in_(ids))
        .order_by(ImprovementActionEvent.at, ImprovementActionEvent.id)
    ).all()
    found: dict[uuid.UUID, list[Any]] = {}
    for event, name in rows:
        found.setdefault(event.action_id, []).append((event, name))
    return found


def findings_by_id(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Finding]:
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    return {f.id: f for f in session.scalars(select(Finding).where(Finding.id.in_(wanted)))}


def _page(
    org: Organization,
    *,
    errors: dict[str, FieldError] | None = None,
    values: dict[str, str] | None = None,
    status_errors: dict[uuid.UUID, dict[str, FieldError]] | None = None,
) -> str:
    session = db_session()
    actions = list_actions(session, org.id)
    finding_id = (values or {}).get("finding_id") or request.args.get("finding", "")
    linked = findings_by_id(session, [a.finding_id for a in actions])
    return render_template(
        "factory/actions.html",
        org=org,
        groups=[(s, [a for a in actions if a.status == s]) for s in ACTION_STATUSES],
        statuses=ACTION_STATUSES,
        history=history(session, (a.id for a in actions)),
        findings=linked,
        today=utcnow().date(),
        errors=errors or {},
        values=values or {"due_on": "", "title": "", "owner": "", "finding_id": finding_id},
        status_errors=status_errors or {},
    )


@bp.get("")
@analyst_page
def actions(org_id: uuid.UUID) -> ResponseReturnValue:
    return _page(lead_factory(org_id))


def _due(raw: str) -> tuple[date | None, tuple[FieldError, ...]]:
    try:
        return date.fromisoformat(raw.strip()), ()
    except ValueError:
        return None, (FieldError("due_on", BAD_DUE),)


def _finding(raw: str) -> tuple[uuid.UUID | None, tuple[FieldError, ...]]:
    if not raw.strip():
        return None, ()
    try:
        return uuid.UUID(raw.strip()), ()
    except ValueError:
        return None, (FieldError("finding", BAD_FINDING),)


@bp.post("")
@analyst_page
def create(org_id: uuid.UUID) -> ResponseReturnValue:
    """Commit to an action (from a finding or on its own); every problem is shown at its field."""
    org = lead_factory(org_id)
    db = db_session()
    values = {k: request.form.get(k, "") for k in ("title", "owner", "due_on", "finding_id")}
    due, due_errors = _due(values["due_on"])
    finding_id, finding_errors = _finding(values["finding_id"])
    own_errors = due_errors + finding_errors
    try:
        # A savepoint, so the service checks title, owner and finding even when the date is
        # bad, and nothing stays behind when anything is wrong.
        with db.begin_nested():
            action = create_action(
                db,
                organization=org,
                title=values["title"],
                owner=values["owner"],
                due_on=due or utcnow().date(),
                finding_id=finding_id,
                actor_user_id=principal().user_id,
            )
            if own_errors:
                raise InvalidInput(NOT_SAVED, own_errors)
    except InvalidInput as exc:
        found = {e.path: e for e in (*own_errors, *exc.errors)}
        return _page(org, errors=found, values=values), 422
    db.commit()
    return redirect(url_for("factory_actions.actions", org_id=org.id) + f"#action-{action.id}", 303)


@bp.post("/<uuid:action_id>/status")
@analyst_page
def change_status(org_id: uuid.UUID, action_id: uuid.UUID) -> ResponseReturnValue:
    """Move the action to another status with an optional note (kept in its history)."""
    org = lead_factory(org_id)
    db = db_session()
    action = get_action(db, org.id, action_id)
    note = request.form.get("note", "").strip()
    status = request.form.get("status", "")
    try:
        if len(note) > NOTE_LIMIT:
            raise InvalidInput(NOT_SAVED, (FieldError("note", LONG_NOTE),))
        set_action_status(
            db, action=action, status=status, note=note or None, actor_user_id=principal().user_id
        )
    except InvalidInput as exc:
        db.rollback()
        found = {e.path: e for e in exc.errors}
        return _page(org, status_errors={action_id: found}), 422
    db.commit()
    return redirect(url_for("factory_actions.actions", org_id=org.id) + f"#action-{action.id}", 303)
