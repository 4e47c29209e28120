"""Locale choice for requests (user setting, then session, then Accept-Language) and the switch."""

from __future__ import annotations

from flask import Blueprint, Flask, g, has_request_context, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import Babel

from esgx_platform.config import REPO_ROOT
from esgx_platform.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES, normalize_locale
from esgx_platform.web.context import current_user, db_session, local_path

TRANSLATIONS_DIR = REPO_ROOT / "platform" / "esgx_platform" / "translations"
bp = Blueprint("i18n", __name__)


def current_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE
    if "locale" not in g:
        g.locale = _choose_locale()
    return str(g.locale)


def _choose_locale() -> str:
    user = current_user()
    if user is not None:
        return normalize_locale(user.locale)
    if session.get("locale") in SUPPORTED_LOCALES:
        return str(session["locale"])
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"])
    return normalize_locale(best)


@bp.post("/language")
def switch_language() -> ResponseReturnValue:
    """Remember the chosen language in the session and, when signed in, on the user."""
    locale = normalize_locale(request.form.get("locale"))
    session["locale"] = locale
    user = current_user()
    if user is not None:
        user.locale = locale
        db_session().commit()
    target = local_path(request.form.get("next"))
    return redirect(target)


def init_app(app: Flask) -> None:
    Babel(
        app, locale_selector=current_locale, default_translation_directories=str(TRANSLATIONS_DIR)
    )
    app.register_blueprint(bp)

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        return {"locale": current_locale()}
