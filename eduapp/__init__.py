"""eduapp: co-created branching scenarios for interprofessional health-professions education."""

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ProductionConfig, config_from_environment
from eduapp import cli, dates, errors, security, transaction
from eduapp.accounts.models import Role
from eduapp.accounts.views import bp as accounts_bp
from eduapp.admin.views import bp as admin_bp
from eduapp.assessments.views import bp as assessments_bp
from eduapp.cohorts.insight_views import bp as insight_bp
from eduapp.cohorts.membership_views import bp as membership_bp
from eduapp.cohorts.views import bp as cohorts_bp
from eduapp.core.views import bp as core_bp
from eduapp.extensions import (
    begin_before_savepoint,
    csrf,
    db,
    login_manager,
    migrate,
    tune_sqlite,
)
from eduapp.lti import receivers as lti_receivers
from eduapp.lti.admin_views import bp as lti_admin_bp
from eduapp.lti.deep_linking_views import bp as lti_deep_linking_bp
from eduapp.lti.roster_views import bp as lti_roster_bp
from eduapp.lti.roster_views import lms_course_of
from eduapp.lti.scores import send_scores_after_request
from eduapp.lti.views import bp as lti_bp
from eduapp.mail import receivers as mail_receivers
from eduapp.mail.sender import deliver_after_request
from eduapp.markdown import render_markdown
from eduapp.mydata.views import bp as mydata_bp
from eduapp.notifications import receivers as notification_receivers
from eduapp.notifications.views import bp as notifications_bp
from eduapp.player.views import bp as player_bp
from eduapp.reflections.views import bp as reflections_bp
from eduapp.studio.collaboration import bp as collab_bp
from eduapp.studio.files import bp as files_bp
from eduapp.studio.help_views import bp as studio_help_bp
from eduapp.studio.history import bp as history_bp
from eduapp.studio.merge_views import bp as merge_bp
from eduapp.studio.node_views import bp as nodes_bp
from eduapp.studio.proposal_views import bp as proposals_bp
from eduapp.studio.views import bp as studio_bp
from eduapp.tallies import receivers as tally_receivers
from eduapp.urls import RowNumberConverter


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the application. Creating it never migrates, seeds or touches the network.

    Without a class, EDUAPP_CONFIG chooses one (development by default).
    """
    config_class = config_class or config_from_environment()
    if issubclass(config_class, ProductionConfig):
        config_class.check()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=app.config["TRUSTED_PROXIES"]
        )

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", tune_sqlite)
            sa.event.listen(db.engine, "savepoint", begin_before_savepoint)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    security.register(app)
    transaction.register(app)  # after security's after_request functions: it runs first
    errors.register(app)
    register_blueprints(app)
    register_receivers(app)
    cli.register(app)
    app.teardown_request(deliver_after_request)
    app.teardown_request(send_scores_after_request)
    register_template_helpers(app)
    return app


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = RowNumberConverter
    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(player_bp)
    app.register_blueprint(assessments_bp, url_prefix="/assessments")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(studio_bp, url_prefix="/studio")
    app.register_blueprint(collab_bp, url_prefix="/studio")
    app.register_blueprint(history_bp, url_prefix="/studio")
    app.register_blueprint(studio_help_bp, url_prefix="/studio")
    app.register_blueprint(merge_bp, url_prefix="/studio")
    app.register_blueprint(nodes_bp, url_prefix="/studio")
    app.register_blueprint(files_bp, url_prefix="/studio")
    app.register_blueprint(proposals_bp, url_prefix="/studio")
    app.register_blueprint(mydata_bp)
    app.register_blueprint(membership_bp)
    app.register_blueprint(reflections_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(cohorts_bp, url_prefix="/cohorts")
    app.register_blueprint(insight_bp, url_prefix="/cohorts")
    app.register_blueprint(lti_bp)
    app.register_blueprint(lti_deep_linking_bp)
    app.register_blueprint(lti_admin_bp)
    app.register_blueprint(lti_roster_bp)


def register_receivers(app: Flask) -> None:
    """What listens to the domains' events, inside their transactions (docs/architecture.md)."""
    tally_receivers.connect(app)
    mail_receivers.connect(app)
    lti_receivers.connect(app)
    notification_receivers.connect(app)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["day"] = dates.day
    app.jinja_env.filters["when"] = dates.when
    app.jinja_env.filters["to_the_second"] = dates.to_the_second
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.globals["lms_course_of"] = lms_course_of
