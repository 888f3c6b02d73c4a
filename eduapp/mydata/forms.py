"""Forms of the learner's own pages. Only the fields declared here are read from a request.

The join form of My learning is cohorts' (cohorts/forms.py); the admin's erasure form is
admin's (admin/forms.py).
"""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired


class ErasureRequestForm(FlaskForm):
    confirm = BooleanField(
        "I understand that my reflections, my answers and my account will be erased for good",
        validators=[DataRequired(message="Tick the box to confirm that you want this.")],
    )
    submit = SubmitField("Ask for my data to be erased")
