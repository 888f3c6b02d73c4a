"""LTI forms. Only the fields declared here are ever read from a request."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField
from wtforms.validators import InputRequired

from eduapp.accounts.forms import PROFESSION_CHOICES


class WelcomeForm(FlaskForm):
    profession = SelectField(
        "Which profession are you studying for?",
        # No profession is chosen for them: an unchanged default would split the figures wrong.
        choices=[SelectChoice("", "Choose your profession"), *PROFESSION_CHOICES],
        validators=[InputRequired("Choose the profession you are studying for.")],
        description="Your tutors see how each profession chose, never who chose what.",
    )


class LinkForm(FlaskForm):
    """'Link an LMS account': the next launch in this browser links its person to this account."""
