"""`create_app()`: the platform's web blueprints and the supplier portal's, in one Flask app."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask

from esgx_platform.config import Settings
from esgx_platform.db import Database


def create_app(
    settings: Settings | None = None, *, database: Database | None = None, **overrides: Any
) -> Flask:
    """Build the application; `database` lets tests share one engine across apps."""
    from esgx_platform.intake.grouped import GroupCommit
    from esgx_platform.intake.receipts import LogSigner
    from esgx_platform.secretbox import SecretBox
    from esgx_platform.web import (
        api,
        assessment_api,
        auth,
        context,
        csrf,
        errors,
        factory_actions,
        factory_assessments,
        factory_clients,
        factory_pact,
        factory_views,
        factory_webhooks,
        feed_api,
        filters,
        health,
        i18n,
        intake_api,
        log_api,
        oauth,
        openapi_views,
        operator_jobs,
        pact_api,
        pages,
        procurement_method,
        procurement_views,
        ranking_api,
        rollup_api,
        security,
        tokens_api,
        webhooks_api,
    )
    from supplier_portal.form_views import bp as portal_form_bp
    from supplier_portal.inbox_views import bp as portal_inbox_bp
    from supplier_portal.scorecard_views import bp as portal_scorecards_bp
    from supplier_portal.team_views import bp as portal_team_bp
    from supplier_portal.views import bp as portal_bp

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SERVER_NAME=settings.server_name,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_NAME="esgx_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        JSON_SORT_KEYS=False,
        **overrides,
    )
    app.extensions["esgx_settings"] = settings
    app.extensions["esgx_db"] = database or Database(settings.database_url)
    app.extensions["esgx_log_signer"] = LogSigner(
        SecretBox(settings.encryption_keys), settings.log_origin
    )
    # Concurrent submissions in this process share transactions (intake/grouped.py).
    app.extensions["esgx_group_commit"] = GroupCommit(app.extensions["esgx_log_signer"])
    logging.getLogger("esgx_platform").setLevel(settings.log_level)

    context.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    blueprints = (
        auth.bp,
        health.bp,
        pages.bp,
        factory_views.bp,
        factory_assessments.bp,
        factory_actions.bp,
        factory_clients.bp,
        factory_pact.bp,
        procurement_views.bp,
        procurement_method.bp,
        api.bp,
        intake_api.bp,
        feed_api.bp,
        log_api.bp,
        oauth.bp,
        openapi_views.bp,
        pact_api.bp,
        rollup_api.bp,
        assessment_api.bp,
        ranking_api.bp,
        tokens_api.bp,
        webhooks_api.bp,
        factory_webhooks.bp,
        operator_jobs.bp,
        portal_bp,
        portal_form_bp,
        portal_team_bp,
        portal_inbox_bp,
        portal_scorecards_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app
