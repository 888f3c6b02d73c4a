"""Sign-up, sign-in, sign-out and the profile."""

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from eduapp.accounts import password_reset, services, signin, signup, throttle
from eduapp.accounts.forms import (
    ConfirmForm,
    EmailChangeForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
)
from eduapp.security.access import public, signed_in

bp = Blueprint("accounts", __name__, template_folder="templates")
log = logging.getLogger("eduapp.access")

LOGIN_FAILED = "That e-mail and password do not match an account."


def _too_many(field, wait: int, template: str, **context):
    """The form again with what was typed, answered 429 and saying how long to wait."""
    field.errors.append(
        f"Too many tries. Please wait {throttle.describe_wait(wait)}, then try again."
    )
    return render_template(template, **context), 429, {"Retry-After": str(wait)}


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("player.modules"))
    form = RegistrationForm()
    if form.validate_on_submit():
        address = request.remote_addr or ""
        if wait := throttle.sign_up_wait(address):
            log.warning("refused: sign-up throttled")
            return _too_many(form.email, wait, "accounts/register.html", form=form)
        throttle.signed_up(address)  # counted on its own connection, before the sign-up writes
        signup.request_sign_up(
            form.email.data, form.display_name.data, form.password.data, form.profession.data
        )
        session["sign_up_address"] = services.normalise_email(form.email.data)
        return redirect(url_for("accounts.check_inbox"))
    return render_template("accounts/register.html", form=form)


@bp.get("/register/sent")
@public
def check_inbox():
    return render_template(
        "accounts/check_inbox.html",
        address=session.pop("sign_up_address", None),
        hours=current_app.config["CONFIRMATION_LIFETIME_SECONDS"] // 3600,
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_address(token: str):
    """A mailed link: the page shows what it will do; only its button does it."""
    form = ConfirmForm()
    try:
        confirmation = signup.confirmation_for(token)
        if form.validate_on_submit():
            is_sign_up, moves = confirmation.is_sign_up, confirmation.is_address_change
            user = signup.confirm(confirmation)
            if is_sign_up:
                signin.start_session(user)
                flash("Welcome. Your account is ready: pick a module to begin.", "success")
                return redirect(url_for("player.modules"))
            if moves:
                flash(f"Your account's address is now {user.email}.", "success")
            else:
                flash("Your address is confirmed.", "success")
            landing = "accounts.profile" if current_user.is_authenticated else "accounts.login"
            return redirect(url_for(landing))
    except signup.ConfirmationError as error:
        return render_template("accounts/confirm.html", confirmation=None, problem=str(error)), 410
    return render_template("accounts/confirm.html", confirmation=confirmation, form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        address = request.remote_addr or ""
        if wait := throttle.password_reset_wait(form.email.data, address):
            log.warning("refused: password reset throttled")
            return _too_many(form.email, wait, "accounts/forgot_password.html", form=form)
        throttle.password_reset_asked(form.email.data, address)  # before the request writes
        password_reset.request_reset(form.email.data)
        session["reset_address"] = services.normalise_email(form.email.data)
        return redirect(url_for("accounts.reset_sent"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.get("/password/forgot/sent")
@public
def reset_sent():
    return render_template(
        "accounts/reset_sent.html",
        address=session.pop("reset_address", None),
        minutes=current_app.config["PASSWORD_RESET_LIFETIME_SECONDS"] // 60,
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """A mailed link: the form to choose a new password; only sending it uses the link."""
    form = ResetPasswordForm()
    try:
        reset = password_reset.reset_for(token)
        if form.validate_on_submit():
            password_reset.choose_password(reset, form.new_password.data)
            if current_user.is_authenticated:
                logout_user()  # the session was ended with every other one of the account
            session.clear()
            flash("Your new password is set. Sign in with it.", "success")
            return redirect(url_for("accounts.login"))
    except password_reset.ResetError as error:
        return render_template("accounts/reset_password.html", form=None, problem=str(error)), 410
    page = render_template("accounts/reset_password.html", form=form, email=reset.user.email)
    return page, 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("player.modules"))
    form = LoginForm()
    if form.validate_on_submit():
        result = signin.sign_in(form.email.data, form.password.data, request.remote_addr or "")
        if result.wait:
            return _too_many(form.password, result.wait, "accounts/login.html", form=form)
        if result.user is None:
            form.password.errors.append(LOGIN_FAILED)
            return render_template("accounts/login.html", form=form), 401
        return redirect(url_for("player.modules"))
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
    return render_template("accounts/profile.html", **_profile_forms(form=form))


def _profile_forms(**given) -> dict:
    """The profile page's three forms: those given (sent back with what was typed), the others
    empty."""
    return {
        "form": ProfileForm(obj=current_user),
        "password_form": PasswordChangeForm(formdata=None),
        "email_form": EmailChangeForm(prefix="email", formdata=None),
    } | given


@bp.post("/profile/confirm-address")
@signed_in
def ask_for_confirmation():
    if current_user.email_verified_at is None:
        if signup.request_confirmation(current_user):
            sent_to = current_user.email
            flash(f"We sent a link to {sent_to}: open it to confirm your address.", "info")
        else:
            flash("We sent you a link a few minutes ago: look for it in your inbox.", "info")
    return redirect(url_for("accounts.profile"))


@bp.post("/profile/password")
@signed_in
def change_password():
    form = PasswordChangeForm()
    page = _profile_forms(password_form=form)
    if form.validate_on_submit():
        check = signin.check_current_password(current_user, form.current_password.data)
        if check.wait:
            return _too_many(form.current_password, check.wait, "accounts/profile.html", **page)
        if check.right:
            services.change_password(current_user, form.new_password.data)
            flash("Your password is changed; other devices were signed out.", "success")
            return redirect(url_for("accounts.profile"))
        form.current_password.errors.append("That is not your current password.")
    return render_template("accounts/profile.html", **page), 400


@bp.post("/profile/email")
@signed_in
def change_email():
    """Move the account to another address: with the password, by a link to the new address
    (counted with the password change's wrong passwords)."""
    form = EmailChangeForm(prefix="email")
    page = _profile_forms(email_form=form)
    if form.validate_on_submit():
        check = signin.check_current_password(current_user, form.current_password.data)
        if check.wait:
            return _too_many(form.current_password, check.wait, "accounts/profile.html", **page)
        if check.right:
            try:
                signup.request_address_change(current_user, form.new_email.data)
            except signup.ConfirmationError as error:
                form.new_email.errors.append(str(error))
            else:
                new_email = services.normalise_email(form.new_email.data)
                flash(
                    f"We sent a link to {new_email}: your account moves to that address when "
                    "you open it. Until then it keeps this one.",
                    "info",
                )
                return redirect(url_for("accounts.profile"))
        else:
            form.current_password.errors.append("That is not your password.")
    return render_template("accounts/profile.html", **page), 400
