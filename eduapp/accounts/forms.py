"""Account forms. Only the fields declared here are ever read from a request."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from eduapp.accounts.models import Profession
from eduapp.accounts.passwords import MAX_LENGTH, password_problem

PROFESSION_CHOICES = [SelectChoice(p.value, p.label) for p in Profession]


class StrongPassword:
    """Refuses short, common and guessable passwords, using the other fields as context."""

    def __init__(self, *context_fields: str):
        self.context_fields = context_fields

    def __call__(self, form, field):
        context = [getattr(form, name).data or "" for name in self.context_fields]
        problem = password_problem(field.data or "", *context)
        if problem:
            raise ValidationError(problem)


class RegistrationForm(FlaskForm):
    display_name = StringField("Name shown to others", validators=[DataRequired(), Length(max=80)])
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    profession = SelectField("Your profession", choices=PROFESSION_CHOICES)
    password = PasswordField(
        "Password",
        validators=[DataRequired(), StrongPassword("email", "display_name")],
        description="At least 10 characters. A passphrase of unrelated words is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
    )
    # No check that the address is free: the answer would tell anyone whether it has an
    # account (SECURITY.md row 33). The confirmation mail tells its owner instead.
    submit = SubmitField("Create my account")


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in")


class ProfileForm(FlaskForm):
    display_name = StringField("Name shown to others", validators=[DataRequired(), Length(max=80)])
    profession = SelectField(
        "Profession",
        choices=[SelectChoice("", "None"), *PROFESSION_CHOICES],
        validators=[Optional()],
    )
    submit = SubmitField("Save profile")


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), StrongPassword()],
        description="Changing it signs you out on every other device.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", "The passwords differ.")],
    )
    submit = SubmitField("Change password")


class EmailChangeForm(FlaskForm):
    """Moving the account to another address: the password, then a link to the new address."""

    new_email = EmailField(
        "New e-mail address",
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    current_password = PasswordField(
        "Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    submit = SubmitField("Send a link to the new address")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    submit = SubmitField("Send me a link")


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), StrongPassword()],
        description="At least 10 characters. A passphrase of unrelated words is easy to remember.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("new_password", "The passwords differ.")],
    )
    submit = SubmitField("Choose this password")


class ConfirmForm(FlaskForm):
    """Carries only the CSRF token: following a mailed link changes nothing until this is sent."""

    submit = SubmitField("Confirm")


class LogoutForm(FlaskForm):
    """Carries only the CSRF token: signing out is a POST."""

    submit = SubmitField("Sign out")
