"""A signed-in user's notifications, and the unread count in every page's header."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.notifications import services
from eduapp.notifications.forms import MarkReadForm
from eduapp.notifications.queries import notifications_page, unread_count
from eduapp.security.access import signed_in

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.app_context_processor
def unread_notifications() -> dict:
    """base.html calls ``unread_notification_count()`` for signed-in users only: the COUNT runs
    when a page's header needs it, never for error pages, which must not need the database."""

    def count() -> int:
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user.id)
        return g.unread_notifications

    return {"unread_notification_count": count}


@bp.get("/notifications")
@signed_in
def index():
    page = notifications_page(current_user, request.args.get("page", 1, type=int))
    return render_template("notifications/index.html", page=page, form=MarkReadForm())


@bp.post("/notifications")
@signed_in
def mark_read():
    if not MarkReadForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user)
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))
