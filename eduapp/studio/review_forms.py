"""Forms of taking a draft to learners: publishing (over a request for changes, once confirmed)
and proposing a published scenario to a module."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from eduapp.content.models import Version
from eduapp.studio.forms import RevisionForm


class PublishForm(RevisionForm):
    over_changes = BooleanField(
        "Publish anyway: I have read the request for changes and answered it"
    )


class ProposalForm(FlaskForm):
    #: The service says which modules are offered, and why another is not.
    module = SelectField(
        "Module",
        validators=[DataRequired(message="Choose a module.")],
        validate_choice=False,
        id="proposal-module",
    )
    note = TextAreaField(
        "Note for the module's co-authors (optional)",
        validators=[Length(max=2000)],
        filters=[lambda value: (value or "").strip()],
        description="Why learners of this module should play it, for example.",
        id="proposal-note",  # the editor's decision form has a "note" too
    )
    submit = SubmitField("Propose")

    def __init__(self, *args, modules: list[Version], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.module.choices = [("", "Choose a module")] + [(v.slug, v.title) for v in modules]
