"""Sign-in and sign-out with the session cookie."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from esgx_platform.accounts.models import User
from esgx_platform.accounts.schemas import LoginSchema
from esgx_platform.accounts.services import authenticate, check_password
from esgx_platform.db import begin_write
from esgx_platform.errors import InvalidInput, Unauthenticated
from esgx_platform.schemas import load
from esgx_platform.web.context import (
    auth_epoch,
    current_user,
    db_session,
    local_path,
    reads_first,
)
from esgx_platform.web.csrf import rotate_csrf_token

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return local_path(target, url_for("pages.home"))


@bp.get("/login")
def login_form() -> ResponseReturnValue:
    if current_user() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", next=request.args.get("next", ""), errors=(), email="")


@bp.post("/login")
@reads_first
def login() -> ResponseReturnValue:
    form = {"email": request.form.get("email", ""), "password": request.form.get("password", "")}
    next_url = request.form.get("next", "")
    db = db_session()
    try:
        credentials = load(LoginSchema(), form)
        email, password = credentials["email"], credentials["password"]
        # Argon2 takes ~0.1 s: do it before holding SQLite's write lock for the record.
        checked = check_password(db, email=email, password=password)
        db.commit()
        begin_write(db)
        user = authenticate(
            db, email=email, password=password, checked=checked, remote_addr=request.remote_addr
        )
    except (InvalidInput, Unauthenticated) as exc:
        # Keep the failure count and audit event even though sign-in failed.
        db.commit()
        errors = exc.errors or ()
        return render_template(
            "login.html", next=next_url, email=form["email"], failure=exc.detail, errors=errors
        ), 401
    db.commit()
    start_session(user)
    return redirect(_safe_next(next_url))


def start_session(user: User) -> None:
    """Sign `user` in: a fresh session, so nothing planted before it (fixation) survives."""
    session.clear()
    session["user_id"] = str(user.id)
    session["auth"] = auth_epoch(user)
    session["locale"] = user.locale
    rotate_csrf_token()
    session.permanent = True


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("auth.login_form"))
