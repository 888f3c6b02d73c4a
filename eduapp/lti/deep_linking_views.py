"""Deep Linking 2.0: an instructor picks eduapp content and it is placed in their course.

A deep-linking launch signs the instructor in and leaves the platform's request in the session
(eduapp/lti/views.py); the picker shows the published catalogue, and sending the choice (or
cancelling) answers the request once: a page whose form posts the signed response to the
platform's return URL, sent on by a small script, with a button for browsers without one.
"""

import logging

from flask import Blueprint, abort, make_response, render_template, session, url_for

from eduapp.accounts.models import Role
from eduapp.lti import deep_linking
from eduapp.lti.deep_linking import SESSION_KEY, DeepLinkRequest, ModuleEntry
from eduapp.lti.deep_linking_forms import PickForm
from eduapp.security.access import requires
from eduapp.security.headers import allow_form_posts_to

bp = Blueprint(
    "lti_deep_linking", __name__, template_folder="templates", url_prefix="/lti/deep-linking"
)
log = logging.getLogger("eduapp.lti")

#: What the platform shows when the instructor cancels.
CANCELLED = "Nothing from eduapp was added."


def load_pending_request() -> DeepLinkRequest:
    """The deep-linking request this browser's session waits to answer; without one (never
    started here, or answered already) a page that says where to start, 404."""
    pending = deep_linking.pending_request(session.get(SESSION_KEY))
    if pending is None:
        abort(make_response(render_template("lti/deep_linking/no_request.html"), 404))
    return pending


def _form(pending: DeepLinkRequest, entries: list[ModuleEntry]) -> PickForm:
    return PickForm(
        offered=set(deep_linking.items_by_value(entries)),
        accepts_links=pending.accepts_links,
        accept_multiple=pending.accept_multiple,
    )


def _picker(pending: DeepLinkRequest, entries: list[ModuleEntry], form: PickForm) -> str:
    return render_template(
        "lti/deep_linking/pick.html",
        pending=pending,
        entries=entries,
        form=form,
        chosen=set(form.chosen),
    )


@bp.get("")
@requires(Role.TUTOR)
def pick():
    pending = load_pending_request()
    entries = deep_linking.catalogue()
    return _picker(pending, entries, _form(pending, entries))


@bp.post("")
@requires(Role.TUTOR)
def send():
    pending = load_pending_request()
    entries = deep_linking.catalogue()
    form = _form(pending, entries)
    if not form.validate_on_submit():
        return _picker(pending, entries, form), 400
    if form.cancel.data:
        chosen, message = [], CANCELLED
    else:
        offered = deep_linking.items_by_value(entries)
        chosen = [offered[value] for value in form.chosen]
        message = f"Added from eduapp: {len(chosen)} item{'s' if len(chosen) != 1 else ''}."
    launch_url = url_for("lti.launch", _external=True)
    token = deep_linking.response_token(
        pending, [deep_linking.content_item(item, launch_url) for item in chosen], message
    )
    session.pop(SESSION_KEY, None)  # a request is answered once
    log.info("lti deep linking: %d item(s) sent to platform %s", len(chosen), pending.platform.id)
    # The form posts to the platform: that origin, and only for this page, is let through.
    allow_form_posts_to(pending.return_url)
    return render_template(
        "lti/deep_linking/return.html", pending=pending, chosen=chosen, token=token
    )
