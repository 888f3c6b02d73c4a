from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from eduapp.accounts.models import Role


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        "Roles",
        choices=[SelectChoice(r.value, r.label) for r in Role],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField("Save roles")


class ConfirmAddressForm(FlaskForm):
    """Carries only the CSRF token: the admin confirms a person's address, checked another way."""

    submit = SubmitField("Mark address confirmed")


class CarryOutErasureForm(FlaskForm):
    confirm = BooleanField(
        "I have checked this request", validators=[DataRequired(message="Tick the box first.")]
    )
    submit = SubmitField("Erase now")
