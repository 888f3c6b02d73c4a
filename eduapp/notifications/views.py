"""A signed-in user's notifications, and the unread count in every page's header."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.notifications import services
from eduapp.notifications.digest import set_digest, wants_digest
from eduapp.notifications.forms import DigestForm, MarkReadForm
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
    digest_form = DigestForm(formdata=None, wanted=wants_digest(current_user))
    return render_template(
        "notifications/index.html", page=page, form=MarkReadForm(), digest_form=digest_form
    )


@bp.post("/notifications/digest")
@signed_in
def digest():
    form = DigestForm()
    if not form.validate_on_submit():
        flash("The form had expired; please try again.", "error")
        return redirect(url_for("notifications.index"))
    set_digest(current_user, form.wanted.data)
    if form.wanted.data:
        flash("You will get a daily e-mail when notifications wait unread.", "success")
    else:
        flash("No more digest e-mails. Notifications still show here.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/notifications")
@signed_in
def mark_read():
    if not MarkReadForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user)
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("notifications.index"))
