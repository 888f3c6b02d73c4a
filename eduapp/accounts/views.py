"""Sign-up, sign-in, sign-out and the profile."""

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from eduapp.accounts import services, throttle
from eduapp.accounts.forms import LoginForm, PasswordChangeForm, ProfileForm, RegistrationForm
from eduapp.accounts.passwords import verify_password
from eduapp.security.access import public, signed_in

bp = Blueprint("accounts", __name__, template_folder="templates")
log = logging.getLogger("eduapp.access")

LOGIN_FAILED = "That e-mail and password do not match an account."


def _sign_in(user) -> None:
    # A fresh cookie session at sign-in: nothing from before (a planted id) carries over.
    session.clear()
    services.open_session(user)
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("player.modules"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_learner(
                form.email.data, form.display_name.data, form.password.data, form.profession.data
            )
        except services.EmailTaken:
            form.email.errors.append("An account with this e-mail address exists. Sign in instead.")
        else:
            _sign_in(user)
            flash("Welcome. Your account is ready: pick a module to begin.", "success")
            return redirect(url_for("player.modules"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("player.modules"))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or ""
        if throttle.is_throttled(form.email.data, address):
            log.warning("refused: sign-in throttled")
            abort(429)
        user = services.authenticate(form.email.data, form.password.data)
        throttle.record(form.email.data, address, succeeded=user is not None)
        if user is not None:
            _sign_in(user)
            return redirect(url_for("player.modules"))
        form.password.errors.append(LOGIN_FAILED)
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    services.close_session(current_user.session_token)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("core.index"))


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.display_name.data, form.profession.data)
        flash("Your profile is saved.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html", form=form, password_form=PasswordChangeForm(formdata=None)
    )


@bp.post("/profile/password")
@signed_in
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.current_password.data):
            services.change_password(current_user, form.new_password.data)
            flash("Your password is changed; other devices were signed out.", "success")
            return redirect(url_for("accounts.profile"))
        form.current_password.errors.append("That is not your current password.")
    return render_template(
        "accounts/profile.html", form=ProfileForm(obj=current_user), password_form=form
    ), 400
