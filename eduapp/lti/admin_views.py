"""The admin's LTI pages: registered platforms, eduapp's configuration values, its keys."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.extensions import db
from eduapp.lti import keys, platforms
from eduapp.lti.admin_forms import (
    LOOPBACK_HOSTS,
    PlatformForm,
    RemovePlatformForm,
    RotateKeyForm,
)
from eduapp.lti.models import Platform
from eduapp.security.access import requires

bp = Blueprint("lti_admin", __name__, url_prefix="/admin/lti", template_folder="templates")

TAKEN = "An LMS with this issuer and client ID was registered a moment ago; change that one."
#: The services eduapp uses, and the scopes a platform grants it for them.
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


@bp.get("")
@requires(Role.ADMIN)
def index():
    return _index_page(PlatformForm(formdata=None))


def _index_page(form: PlatformForm, status: int = 200):
    """The platforms and the registration form (a refused one comes back with its messages)."""
    page = render_template("lti/admin/index.html", platforms=platforms.all_platforms(), form=form)
    return page, status


@bp.post("/platforms")
@requires(Role.ADMIN)
def register():
    form = PlatformForm()
    if not form.validate_on_submit():
        return _index_page(form, 400)
    try:
        platform = platforms.register(current_user, form.fields())
    except platforms.PlatformTaken:
        form.client_id.errors.append(TAKEN)
        return _index_page(form, 400)
    flash(f"{platform.name} is registered.", "success")
    return redirect(url_for(".index"))


@bp.get("/platforms/<int:platform_id>")
@requires(Role.ADMIN)
def platform(platform_id: int):
    platform = db.get_or_404(Platform, platform_id)
    form = PlatformForm(
        formdata=None,
        obj=platform,
        deployment_ids="\n".join(d.deployment_id for d in platform.deployments),
        platform_id=platform.id,
    )
    return _platform_page(platform, form)


def _platform_page(platform: Platform, form: PlatformForm, status: int = 200):
    page = render_template(
        "lti/admin/platform.html",
        platform=platform,
        form=form,
        reach=platforms.reach_of(platform),
    )
    return page, status


@bp.post("/platforms/<int:platform_id>")
@requires(Role.ADMIN)
def update(platform_id: int):
    platform = db.get_or_404(Platform, platform_id)
    form = PlatformForm(platform_id=platform.id)
    if not form.validate_on_submit():
        return _platform_page(platform, form, 400)
    try:
        changed = platforms.update(current_user, platform, form.fields())
    except platforms.PlatformTaken:
        form.client_id.errors.append(TAKEN)
        return _platform_page(platform, form, 400)
    if changed:
        flash(f"{platform.name} is saved: {', '.join(changed)}.", "success")
    else:
        flash("Nothing was changed.", "info")
    return redirect(url_for(".platform", platform_id=platform.id))


@bp.get("/platforms/<int:platform_id>/remove")
@requires(Role.ADMIN)
def confirm_removal(platform_id: int):
    platform = db.get_or_404(Platform, platform_id)
    reach = platforms.reach_of(platform)
    form = RemovePlatformForm(formdata=None, waiting_seen=reach.waiting_scores)
    return _removal_page(platform, form, reach)


def _removal_page(platform, form, reach, status: int = 200):
    page = render_template("lti/admin/remove.html", platform=platform, form=form, reach=reach)
    return page, status


@bp.post("/platforms/<int:platform_id>/remove")
@requires(Role.ADMIN)
def remove(platform_id: int):
    platform = db.get_or_404(Platform, platform_id)
    form = RemovePlatformForm()
    if not form.validate_on_submit():
        return _removal_page(platform, form, platforms.reach_of(platform), 400)
    name = platform.name
    try:
        platforms.remove(current_user, platform, discard_up_to=form.discard_up_to())
    except platforms.ScoresWaiting as waiting:
        form.discard_scores.errors = [_waiting_message(waiting.count, form.discard_scores.data)]
        return _removal_page(platform, form, platforms.reach_of(platform), 400)
    flash(
        f"{name} is removed. Its people's eduapp accounts, its courses' cohorts and everything "
        "done in them stay.",
        "success",
    )
    return redirect(url_for(".index"))


def _waiting_message(count: int, discard_ticked: bool) -> str:
    grades = f"{count} grade waits" if count == 1 else f"{count} grades wait"
    if discard_ticked:
        return (
            f"{grades} now, more than this page showed before: read the numbers again, "
            "then tick the box again to discard them."
        )
    return f"{grades} for its gradebook: tick this box to discard them, or wait."


@bp.get("/tool")
@requires(Role.ADMIN)
def tool():
    """What an LMS admin pastes into their LMS, and eduapp's signing keys. Reads only: no key
    is made here (the first registration or a rotation makes one)."""
    launch_url = url_for("lti.launch", _external=True)
    parts = urlsplit(launch_url)
    return render_template(
        "lti/admin/tool.html",
        tool_name=current_app.config["SCHOOL_NAME"],
        domain=parts.netloc,
        launch_url=launch_url,
        login_url=url_for("lti.login", _external=True),
        jwks_url=url_for("lti.jwks", _external=True),
        scopes=SCOPES,
        is_https=parts.scheme == "https",
        is_loopback=parts.hostname in LOOPBACK_HOSTS,
        key_rows=platforms.key_rows(),
        signing_key=keys.signing_key(),
        overlap_hours=current_app.config["LTI_KEY_OVERLAP_HOURS"],
        rotate_form=RotateKeyForm(formdata=None),
    )


@bp.post("/tool/rotate-key")
@requires(Role.ADMIN)
def rotate_key():
    if not RotateKeyForm().validate_on_submit():
        flash("The form had expired; please try again.", "error")
        return redirect(url_for(".tool"))
    had_key = keys.signing_key() is not None
    key = platforms.rotate_key(current_user)
    hours = current_app.config["LTI_KEY_OVERLAP_HOURS"]
    kept = f" The previous one stays in the key set for {hours} hours." if had_key else ""
    flash(f"A new signing key ({key.kid}) signs from now on.{kept}", "success")
    return redirect(url_for(".tool"))
