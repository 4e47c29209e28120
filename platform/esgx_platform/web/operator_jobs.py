"""The operators' page for scheduled jobs: what is declared, what ran, and "run now"."""

from __future__ import annotations

import uuid
from typing import cast

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.accounts.models import User
from esgx_platform.audit.services import record_event
from esgx_platform.config import Settings
from esgx_platform.db import begin_write
from esgx_platform.errors import Forbidden
from esgx_platform.i18n import Text
from esgx_platform.jobs.operations import error_headline, jobs_overview, run_now
from esgx_platform.jobs.runner import instance_name
from esgx_platform.web.context import current_user, database, db_session, principal, reads_first

bp = Blueprint("operator_jobs", __name__, url_prefix="/operator")


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["esgx_settings"])


def _operator() -> User | None:
    """The signed-in platform operator; None for anonymous visitors (sent to sign in);
    Forbidden for everyone else."""
    user = current_user()
    if user is None:
        return None
    if not principal().is_operator:
        raise Forbidden(
            Text("Only platform operators may see the jobs.", "只有平台运营人员可以查看任务。")
        )
    return user


@bp.get("/jobs")
def jobs() -> ResponseReturnValue:
    """Every declared job with its trigger, what it does and its last run; the latest runs."""
    if _operator() is None:
        return redirect(url_for("auth.login_form", next=request.path), 303)
    overview = jobs_overview(db_session(), _settings())
    ran = _uuid(request.args.get("ran"))
    just_ran = next((run for run in overview.runs if run.id == ran), None)
    return render_template(
        "operator/jobs.html", overview=overview, just_ran=just_ran, headline=error_headline
    )


@bp.post("/jobs/<job_id>/run")
@reads_first
def run(job_id: str) -> ResponseReturnValue:
    """Run the job once now, in this request, through the runner `esgx jobs run-once` uses
    (recorded as a run by `web:<host>:<pid>` and the operator, and in the audit log)."""
    user = _operator()
    if user is None:
        return redirect(url_for("auth.login_form", next=url_for("operator_jobs.jobs")), 303)
    db = db_session()
    # The job writes in transactions of its own: end this request's read first, so SQLite
    # never sees two connections of one request waiting on each other.
    db.commit()
    who = f"{instance_name('web')} {user.email}"[:200]  # job_runs.instance: who ran it
    done = run_now(database(), _settings(), job_id, instance=who)
    begin_write(db)
    record_event(
        db,
        action="job.run",
        actor_user_id=user.id,
        target_type="job_run",
        target_id=done.id,
        details={"job": done.job_id, "outcome": done.outcome},
        remote_addr=request.remote_addr,
    )
    db.commit()
    return redirect(url_for("operator_jobs.jobs", ran=done.id, _anchor="result"), 303)


def _uuid(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw or "")
    except ValueError:
        return None
