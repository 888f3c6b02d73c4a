"""LTI 1.3 endpoints a platform calls (login, launch, key set) and the pages a launch leads to
(the first visit's profession question, linking an existing account)."""

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.accounts.services import set_profession
from eduapp.accounts.signin import start_session
from eduapp.cohorts.models import Cohort
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import csrf, db, utcnow
from eduapp.lti import keys, provisioning
from eduapp.lti import launch as checks
from eduapp.lti.forms import LinkForm, WelcomeForm
from eduapp.lti.models import ResourceLink
from eduapp.lti.queries import identities_of, module_slug_with_scenario
from eduapp.player.services import start_attempt
from eduapp.security.access import public, signed_in
from eduapp.security.headers import allow_form_posts_to, allow_framing_by

bp = Blueprint("lti", __name__, template_folder="templates", url_prefix="/lti")
log = logging.getLogger("eduapp.lti")

#: Where a browser that refused the login's cookie inside a frame may start again.
FRAME_DESTINATIONS = {"iframe", "frame", "embed", "object"}


def _refused(error: checks.LaunchRefused):
    log.warning("lti refused: %s", error.reason)
    return render_template("lti/refused.html", message=error.message), 400


@bp.route("/login", methods=["GET", "POST"])
@public
@csrf.exempt
def login():
    params = request.values.to_dict()
    try:
        start = checks.begin_login(params, url_for("lti.launch", _external=True), request.host)
    except checks.LaunchRefused as error:
        return _refused(error)
    if request.headers.get("Sec-Fetch-Dest", "") in FRAME_DESTINATIONS:
        _let_the_lms_frame(start.platform)
    response = redirect(start.redirect_url)
    response.set_cookie(
        start.cookie_name,
        start.cookie_value,
        max_age=current_app.config["LTI_LOGIN_LIFETIME_SECONDS"],
        path=url_for("lti.launch"),
        httponly=True,
        # A launch is a cross-site POST from the LMS: over HTTPS the cookie must say so.
        secure=request.is_secure,
        samesite="None" if request.is_secure else "Lax",
    )
    return response


@bp.post("/launch")
@public
@csrf.exempt
def launch():
    form = request.form.to_dict()
    if request.headers.get("Sec-Fetch-Dest", "") in FRAME_DESTINATIONS:
        return _offer_new_window(form.get("state", ""))
    try:
        checked = checks.check_launch(form, request.cookies)
        arrival = provisioning.arrive(checked, _linking_user())
    except checks.LaunchRefused as error:
        return _refused(error)
    log.info("lti launch accepted: platform %s, %s", checked.platform.id, checked.message_type)
    start_session(arrival.user)
    if arrival.is_new_link:
        flash(
            f"Signed in through {checked.platform.name}: opening eduapp from your course signs "
            "you in from now on.",
            "success",
        )
    if checked.message_type == checks.DEEP_LINKING:
        session["lti_deep_link"] = _deep_link_request(checked)
        return redirect(url_for("lti_deep_linking.pick"))
    if Role.LEARNER in arrival.roles and arrival.user.profession is None:
        session["lti_opening"] = {
            "link": arrival.link.id if arrival.link else None,
            "cohort": arrival.cohort.id if arrival.cohort else None,
            "roles": sorted(arrival.roles),
        }
        return redirect(url_for("lti.welcome"))
    return redirect(_destination(arrival))


def _offer_new_window(state: str):
    """eduapp never runs inside another site's frame (its pages refuse to be framed, and
    browsers keep its cookies from a frame anyway): a launch into the LMS's frame offers the
    same login again in a window of its own, and only this page may show in the LMS's frame."""
    try:
        platform, login_parameters = checks.login_of(state)
    except checks.LaunchRefused as error:
        return _refused(error)
    _let_the_lms_frame(platform, posting=True)
    log.info("lti launch in a frame: offered a new window (platform %s)", platform.id)
    return render_template("lti/new_window.html", login=login_parameters)


def _let_the_lms_frame(platform, *, posting: bool = False) -> None:
    """The launch's own answers may show in the LMS's frame (its issuer's and its authorization
    endpoint's origins), which a browser checks even on a redirect. ``posting``: the page's
    form posts to eduapp's login, which redirects to the platform, and browsers check
    form-action on that redirect too."""
    try:
        allow_framing_by(platform.issuer, platform.auth_url)
        if posting:
            allow_form_posts_to(platform.auth_url)
    except ValueError:
        log.warning("lti platform %s: its URLs cannot be named as frame ancestors", platform.id)


def _linking_user():
    """The signed-in account that asked to be linked to the next launch, if it still waits."""
    if not current_user.is_authenticated:
        return None
    if not provisioning.link_requested_at_is_fresh(session.get("lti_link_requested_at")):
        return None
    return current_user._get_current_object()


def _deep_link_request(checked: checks.Launch) -> dict:
    settings = checked.deep_linking
    return {
        "platform_id": checked.platform.id,
        "deployment_id": checked.deployment_id,
        "return_url": settings["deep_link_return_url"],
        "data": settings.get("data"),
        "accept_multiple": bool(settings.get("accept_multiple", False)),
        "accept_types": list(settings.get("accept_types") or []),
        "context_title": str(checked.context.get("title") or "")[:120],
    }


def _destination(arrival: provisioning.Arrival) -> str:
    """What the link opens: a learner's scenario starts (or resumes) at once; the rest open
    their page. A link that names nothing opens the modules page (learners) or the cohort's
    dashboard (tutors)."""
    link = arrival.link
    if link is None:
        if Role.TUTOR in arrival.roles and arrival.cohort is not None:
            return url_for("cohorts.dashboard", cohort_id=arrival.cohort.id)
        return url_for("player.modules")
    document = link.document
    if document.kind == DocumentKind.SCENARIO:
        if Role.LEARNER in arrival.roles and arrival.user.profession is not None:
            version = newest_version(DocumentKind.SCENARIO, document.slug)
            if version is not None:
                attempt = start_attempt(arrival.user, version)
                return url_for("player.attempt", attempt_id=attempt.id)
        module = module_slug_with_scenario(document.slug)
        if module is not None:
            return url_for("player.module", slug=module)
        return url_for("player.modules")
    if document.kind == DocumentKind.MODULE:
        return url_for("player.module", slug=document.slug)
    return url_for("assessments.overview", slug=document.slug)


def _arrival_again(opening: dict) -> provisioning.Arrival:
    """The launch that asked the profession first, as it arrived (its rows, read again)."""
    link = db.session.get(ResourceLink, opening["link"]) if opening["link"] else None
    cohort = db.session.get(Cohort, opening["cohort"]) if opening["cohort"] else None
    roles = frozenset(Role(role) for role in opening["roles"])
    return provisioning.Arrival(current_user, roles, cohort, link, is_new_link=False)


@bp.get("/jwks.json")
@public
def jwks():
    response = jsonify(keys.key_set())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/welcome", methods=["GET", "POST"])
@signed_in
def welcome():
    """The first visit from the LMS asks a learner's profession: cohort figures are split by it."""
    form = WelcomeForm()
    if form.validate_on_submit():
        set_profession(current_user, form.profession.data)
        db.session.flush()
        opening = session.pop("lti_opening", None)
        if opening is None:
            return redirect(url_for("player.modules"))
        return redirect(_destination(_arrival_again(opening)))
    if request.method == "POST":
        return render_template("lti/welcome.html", form=form), 400
    return render_template("lti/welcome.html", form=form)


@bp.route("/links", methods=["GET", "POST"])
@signed_in
def links():
    """The LMS accounts linked to this one, and linking one more."""
    form = LinkForm()
    if form.validate_on_submit():
        session["lti_link_requested_at"] = utcnow().timestamp()
        flash(
            "Now open eduapp from your course in the LMS, in this browser, within ten "
            "minutes: that LMS account will be linked to this one.",
            "success",
        )
        return redirect(url_for("lti.links"))
    waiting = provisioning.link_requested_at_is_fresh(session.get("lti_link_requested_at"))
    return render_template(
        "lti/links.html",
        form=form,
        identities=identities_of(current_user.id),
        waiting=waiting,
        lms_only=current_user.password_hash == provisioning.LMS_ONLY_HASH,
    )
