"""The app factory: one Flask app per process, with its Celery app (web, worker and beat)."""

from __future__ import annotations

from flask import Flask

from faceclock_common.flask import (
    VERIFIER_EXTENSION,
    deny_unruled_views,
    health_blueprint,
    install_error_handlers,
    install_request_ids,
)
from faceclock_common.security import JwksKeyStore, TokenVerifier
from reporting_svc.celery_app import celery_init_app
from reporting_svc.config import Settings
from reporting_svc.deps import close_db_session
from reporting_svc.health import READINESS_CHECKS
from reporting_svc.openapi import openapi_blueprint
from reporting_svc.reports.router import blueprint as reports_blueprint
from reporting_svc.runtime import Runtime


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    settings.check_production_safety()
    app = Flask("reporting_svc", static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024)
    app.extensions["settings"] = settings
    app.extensions["reporting"] = Runtime.build(settings)
    app.extensions[VERIFIER_EXTENSION] = TokenVerifier(
        JwksKeyStore(settings.jwks_url), issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    install_request_ids(app)
    install_error_handlers(app)
    app.before_request(deny_unruled_views)
    app.teardown_appcontext(close_db_session)
    app.register_blueprint(health_blueprint(READINESS_CHECKS))
    app.register_blueprint(reports_blueprint)
    app.register_blueprint(openapi_blueprint())
    celery_init_app(app, settings)
    return app
