"""Per-request state: the database session, the signed-in principal and its tenant scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from sqlalchemy.orm import Session

from esgx_platform.accounts.logins import login_is_live
from esgx_platform.accounts.models import Role, User
from esgx_platform.db import Database, begin_write
from esgx_platform.errors import Forbidden, Unauthenticated, reason_of
from esgx_platform.i18n import Text
from esgx_platform.problems import MalformedSubmission, UnsupportedMediaType
from esgx_platform.tenancy import ANONYMOUS, Principal, TenantScope, load_principal
from esgx_platform.web.machine_auth import bearer_secret, machine_principal
from signing import JSONError, parse_json

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LOGIN_KEY = "login"  # the session cookie's key for the id of its sign-in record
P = ParamSpec("P")
R = TypeVar("R")


def database() -> Database:
    return cast(Database, current_app.extensions["esgx_db"])


def db_session() -> Session:
    """The request's session, opened on first use and closed at teardown (never committed
    implicitly: views commit what they mean to keep).

    A state-changing request writes from its first statement (SQLite: BEGIN IMMEDIATE), so a
    read that turns into a write can never deadlock against another writer; views marked
    `reads_first` do their read-only work first and start writing themselves.
    """
    if "db" not in g:
        view = current_app.view_functions.get(request.endpoint or "")
        safe = request.method in SAFE_METHODS
        if safe and getattr(view, "statement_reads", False):
            g.db = database().statement_reads()
        else:
            g.db = database().sessions()
        if not safe and not getattr(view, "reads_first", False):
            begin_write(g.db)
    return cast(Session, g.db)


def end_request_reads() -> None:
    """End the request session's transaction if one was begun (signing in a person reads
    their account), so nothing is held open while the request waits on other work."""
    if "db" in g:
        cast(Session, g.db).commit()


def statement_reads(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a read-only view whose statements need no common snapshot: each (the bearer
    token's check, then a PACT listing query, or the feed's log state, checkpoint and page,
    which only serves what that checkpoint covers of an append-only log) is consistent by
    itself. Its session runs every statement in autocommit, saving the BEGIN and ROLLBACK round
    trips a transaction costs on PostgreSQL; hot polling endpoints only. Anything it must
    write goes through a transaction of its own (`database().transaction()`)."""
    view.statement_reads = True  # type: ignore[attr-defined]
    return view


def reads_first(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view that verifies and parses before it writes (it calls begin_write itself)."""
    view.reads_first = True  # type: ignore[attr-defined]
    return view


def current_user() -> User | None:
    """The signed-in person; None for anonymous and for bearer-authenticated (machine) requests."""
    if "user" not in g:
        user_id = None if bearer_secret() else session.get("user_id")
        user = db_session().get(User, uuid.UUID(user_id)) if user_id else None
        # A session whose auth epoch no longer matches (password change, lock) is dead, and so
        # is one whose sign-in record has ended (signed out, or signed in again since).
        if user is not None and (
            not user.is_active
            or session.get("auth") != auth_epoch(user)
            or not login_is_live(db_session(), session.get(LOGIN_KEY), user.id)
        ):
            user = None
        g.user = user
    return cast(User | None, g.user)


def auth_epoch(user: User) -> str:
    """Changes when the password hash changes, ending every session signed in before."""
    return user.password_hash[-16:]


def principal() -> Principal:
    if "principal" not in g:
        secret = bearer_secret()
        if secret:
            # A request with a bearer credential never falls back to the cookie session.
            g.principal = machine_principal(secret, db_session)
        else:
            user = current_user()
            g.principal = load_principal(db_session(), user.id) if user else ANONYMOUS
    return cast(Principal, g.principal)


def scope() -> TenantScope:
    return TenantScope(db_session(), principal())


def auth_required(*scopes: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A person or a machine; machines need every scope named here."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            who = principal()
            if not who.is_authenticated:
                raise Unauthenticated(
                    Text("Sign in or send a bearer token.", "请登录或提供 Bearer 令牌。")
                )
            missing = [s for s in scopes if not who.allows(s)]
            if missing:
                raise Forbidden(
                    Text("The token lacks the scope {s}.", "该令牌缺少权限范围 {s}。").format(
                        s=", ".join(missing)
                    )
                )
            return view(*args, **kwargs)

        wrapped.auth_scopes = scopes  # type: ignore[attr-defined]  # read by the OpenAPI spec
        return wrapped

    return decorator


def login_required(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if current_user() is None:
            raise Unauthenticated(Text("Please sign in.", "请先登录。"))
        return view(*args, **kwargs)

    wrapped.people_only = True  # type: ignore[attr-defined]  # read by the OpenAPI spec
    return wrapped


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The user must hold one of `roles` in some organization (operators pass too)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if current_user() is None:
                raise Unauthenticated(Text("Please sign in.", "请先登录。"))
            who = principal()
            if not (who.is_operator or who.org_ids(*roles)):
                raise Forbidden(
                    Text("Your role does not allow this page.", "您的角色无权访问此页面。")
                )
            return view(*args, **kwargs)

        wrapped.people_only = True  # type: ignore[attr-defined]  # read by the OpenAPI spec
        return wrapped

    return decorator


def wants_json() -> bool:
    """JSON API paths and clients that prefer JSON get problem+json; browsers get pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _close_session(_exc: BaseException | None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_session)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or UnsupportedMediaType / MalformedSubmission."""
    if not request.is_json:
        raise UnsupportedMediaType(Text("Send application/json.", "请以 application/json 发送。"))
    body = request_json()
    if not isinstance(body, dict):
        raise MalformedSubmission(Text("The body is not a JSON object.", "请求体不是 JSON 对象。"))
    return body


def request_json() -> Any:
    """The body parsed as strict JSON (signing's parser: UTF-8, no NaN or Infinity, no repeated
    member name, which would silently win over the first, integers within ±(2**53-1), no lone
    surrogates, which no database stores, any depth); MalformedSubmission saying why not."""
    try:
        return parse_json(request.get_data())
    except JSONError as exc:
        raise MalformedSubmission(
            Text("The body is not acceptable JSON: {r}", "请求体不是可接受的 JSON：{r}").format(
                r=reason_of(exc)
            )
        ) from None


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects).

    Browsers drop tabs and newlines from URLs and treat a backslash as a slash, so "/\t/host"
    or "/\\host" would leave the site: anything but a plain absolute path is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ord(c) < 0x21 or c in "\\\x7f" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
