"""The deep-linking picker's form. Only the fields declared here are ever read from a request."""

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField, ValidationError

#: How many refused values the message names (the rest are counted).
NAMED_AT_MOST = 3


class PickForm(FlaskForm):
    """The items chosen from the catalogue, by ``eduapp_item`` value; or Cancel, which sends
    nothing back. ``offered`` are the catalogue's values; ``accepts_links`` and
    ``accept_multiple`` are what the platform's request allows."""

    # Checked here against the catalogue, so that the message can say what was refused.
    items = SelectMultipleField("Content to add", validate_choice=False)
    send = SubmitField("Add to your course")
    cancel = SubmitField("Cancel and return")

    def __init__(
        self, *args, offered: set[str], accepts_links: bool, accept_multiple: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.accepts_links = accepts_links
        self.accept_multiple = accept_multiple

    @property
    def chosen(self) -> list[str]:
        """The values sent, each once, in the order sent."""
        return list(dict.fromkeys(self.items.data or ()))

    def validate_items(self, field) -> None:
        if self.cancel.data:
            return
        if not self.accepts_links:
            raise ValidationError(
                "Your LMS does not take links to eduapp content here: cancel to return to it."
            )
        chosen = self.chosen
        if not chosen:
            raise ValidationError("Choose at least one item to add, or cancel.")
        refused = [value for value in chosen if value not in self.offered]
        if refused:
            named = ", ".join(f"“{value[:80]}”" for value in refused[:NAMED_AT_MOST])
            more = len(refused) - NAMED_AT_MOST
            if more > 0:
                named += f" and {more} more"
            raise ValidationError(
                f"Not in eduapp's published content: {named}. Choose from the list below."
            )
        if len(chosen) > 1 and not self.accept_multiple:
            raise ValidationError(
                "Your course takes one item at a time here: choose one, then add the next "
                "from the LMS again."
            )
