"""Sign-in and sign-out with the session cookie."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from esgx_platform.accounts.logins import end_login, open_login
from esgx_platform.accounts.models import User
from esgx_platform.accounts.schemas import LoginSchema
from esgx_platform.accounts.services import authenticate, check_password, find_user
from esgx_platform.accounts.throttle import (
    Attempt,
    Lock,
    SignInLocked,
    record_refusal,
    sign_in_lock,
)
from esgx_platform.db import begin_write
from esgx_platform.errors import InvalidInput, Unauthenticated
from esgx_platform.schemas import load
from esgx_platform.web.context import (
    LOGIN_KEY,
    auth_epoch,
    current_user,
    db_session,
    local_path,
    reads_first,
)
from esgx_platform.web.csrf import rotate_csrf_token
from esgx_platform.web.security import client_address

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
    """Sign in, unless the e-mail or the address is locked after repeated failures (429, the
    password not even checked); a failure is counted and audited either way."""
    form = {"email": request.form.get("email", ""), "password": request.form.get("password", "")}
    next_url = request.form.get("next", "")
    db = db_session()
    try:
        credentials = load(LoginSchema(), form)
        user = _sign_in(db, credentials["email"], credentials["password"])
    except (InvalidInput, Unauthenticated, SignInLocked) as exc:
        # Keep the failure count and audit event even though sign-in failed.
        db.commit()
        page = render_template(
            "login.html",
            next=next_url,
            email=form["email"],
            failure=exc.detail,
            errors=exc.errors or (),
        )
        if isinstance(exc, SignInLocked):
            return page, exc.status, {"Retry-After": str(exc.extra["retryAfter"])}
        return page, 401
    start_session(user)
    return redirect(_safe_next(next_url))


def _sign_in(db: Session, email: str, password: str) -> User:
    address = client_address()
    attempt = Attempt.of(email, address, secret=str(current_app.secret_key))
    lock = sign_in_lock(db, attempt)
    if lock is not None:
        raise _refused(db, lock, email, address)
    # Argon2 takes ~0.1 s: do it before holding SQLite's write lock for the record.
    checked = check_password(db, email=email, password=password)
    db.commit()
    begin_write(db)
    return authenticate(
        db, email=email, password=password, checked=checked, remote_addr=address, attempt=attempt
    )


def _refused(db: Session, lock: Lock, email: str, address: str | None) -> SignInLocked:
    """Audit an attempt refused by `lock`; the error to answer with."""
    db.commit()
    begin_write(db)
    user = find_user(db, email)
    record_refusal(db, lock, user_id=user.id if user else None, remote_addr=address)
    return lock.refusal()


def start_session(user: User) -> None:
    """Sign `user` in: a new session record (ending the browser's previous one) and a fresh
    cookie session with a new CSRF token, so nothing planted before (fixation) and no copy of
    an earlier cookie survives. Commits the request's transaction."""
    db = db_session()
    begin_write(db)
    lifetime = current_app.permanent_session_lifetime
    record = open_login(db, user_id=user.id, lifetime=lifetime, previous=session.get(LOGIN_KEY))
    db.commit()
    session.clear()
    session["user_id"] = str(user.id)
    session[LOGIN_KEY] = str(record.id)
    session["auth"] = auth_epoch(user)
    session["locale"] = user.locale
    rotate_csrf_token()
    session.permanent = True


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session record too: a copy of the cookie authenticates nobody afterwards."""
    db = db_session()
    end_login(db, session.get(LOGIN_KEY))
    db.commit()
    session.clear()
    return redirect(url_for("auth.login_form"))
