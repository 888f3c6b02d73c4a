"""The landing page and the health check."""

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from eduapp.extensions import db
from eduapp.security.access import public

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("player.modules"))
    return render_template("core/index.html")


@bp.get("/healthz")
@public
def healthz():
    """For load balancers: answers 200 only when the database answers too."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
