"""The admin's LTI forms: a platform's registration, removing one, rotating the signing key.
Only the fields declared here are ever read from a request."""

import unicodedata
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from eduapp.lti.platforms import PlatformFields, platform_taken

#: Hosts reached over plain http: this computer only (development and tests).
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
#: The model's lengths: identifiers a platform chooses, and URLs.
ID_LENGTH = 255
URL_LENGTH = 500
NAME_LENGTH = 120
#: More deployments than any school has installs of one tool.
MAX_DEPLOYMENTS = 100

HTTPS_ONLY = (
    "Use an https:// address (http:// only for this computer: localhost, 127.0.0.1 or [::1])."
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(character) == "Cc" for character in value)


def no_control_characters(_form, field) -> None:
    if field.data and _has_control_characters(field.data):
        raise ValidationError("Remove the tabs, line breaks or other invisible characters.")


class WebAddress:
    """An absolute https URL (http only on loopback), without credentials or a fragment; an
    issuer also without a query (LTI 1.3 and OpenID Connect say so)."""

    def __init__(self, *, allow_query: bool = True):
        self.allow_query = allow_query

    def __call__(self, _form, field) -> None:
        value = field.data or ""
        if not value or _has_control_characters(value):
            return  # said by the other validators
        if any(character.isspace() for character in value):
            raise ValidationError("A web address has no spaces.")
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 (a port that is not a number raises here)
        except ValueError as error:
            raise ValidationError("This is not a web address.") from error
        if parts.scheme not in {"https", "http"} or not host:
            raise ValidationError(f"Type the whole address, starting with https://. {HTTPS_ONLY}")
        if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
            raise ValidationError(HTTPS_ONLY)
        if parts.username is not None or parts.password is not None:
            raise ValidationError("Leave the user name and password out of the address.")
        if parts.fragment or value.endswith("#"):
            raise ValidationError("Leave out the part from # on.")
        if not self.allow_query and (parts.query or "?" in value):
            raise ValidationError("An issuer has no query (the part from ? on).")


def _id_field(label: str, what: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=f"Type the {what}."),
            Length(max=ID_LENGTH),
            no_control_characters,
        ],
        filters=[_strip],
        description=description,
    )


def _url_field(label: str, what: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=f"Type the {what}."),
            Length(max=URL_LENGTH),
            no_control_characters,
            WebAddress(),
        ],
        filters=[_strip],
        description=description,
    )


class PlatformForm(FlaskForm):
    """A platform as an admin registers or changes it. ``platform_id`` names the platform
    being changed, which may keep its own issuer and client ID."""

    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Type a name for this LMS."),
            Length(max=NAME_LENGTH),
            no_control_characters,
        ],
        filters=[_strip],
        description="How eduapp names this LMS to its people, for example: Moodle of the "
        "nursing school.",
    )
    issuer = StringField(
        "Issuer (platform ID)",
        validators=[
            DataRequired(message="Type the issuer (platform ID)."),
            Length(max=ID_LENGTH),
            no_control_characters,
            WebAddress(allow_query=False),
        ],
        filters=[_strip],
        description="Exactly as the LMS shows it: launches are matched by it, letter for letter.",
    )
    client_id = _id_field(
        "Client ID", "client ID", "The ID the LMS gave eduapp when eduapp was added there."
    )
    auth_url = _url_field(
        "OIDC authorization URL",
        "authorization URL",
        "Where eduapp sends a login to be answered (Moodle: Authentication request URL).",
    )
    token_url = _url_field(
        "Access token URL",
        "access token URL",
        "Where eduapp asks for access to the course's roster and gradebook.",
    )
    jwks_url = _url_field(
        "Public keyset (JWKS) URL",
        "public keyset URL",
        "Where eduapp fetches the keys the LMS signs its launches with.",
    )
    deployment_ids = TextAreaField(
        "Deployment IDs",
        validators=[Length(max=MAX_DEPLOYMENTS * (ID_LENGTH + 2))],
        description="One per line. Launches from a deployment not listed here are refused; "
        "taking one away refuses its launches from then on, and its courses stay cohorts.",
    )
    submit = SubmitField("Register the platform")

    def __init__(self, *args, platform_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform_id = platform_id

    def validate_client_id(self, field) -> None:
        if field.errors or self.issuer.errors or not self.issuer.data or not field.data:
            return
        if platform_taken(self.issuer.data, field.data, other_than=self.platform_id):
            raise ValidationError(
                "An LMS with this issuer and client ID is registered already; change that one "
                "instead."
            )

    def validate_deployment_ids(self, field) -> None:
        lines = (field.data or "").splitlines()
        for number, line in enumerate(lines, start=1):
            value = line.strip()
            if _has_control_characters(value):
                raise ValidationError(
                    f"Line {number} holds tabs or other invisible characters; remove them."
                )
            if len(value) > ID_LENGTH:
                raise ValidationError(
                    f"Line {number} is longer than {ID_LENGTH} characters: is it one ID?"
                )
        if len(self.deployment_list()) > MAX_DEPLOYMENTS:
            raise ValidationError(f"At most {MAX_DEPLOYMENTS} deployment IDs.")

    def deployment_list(self) -> tuple[str, ...]:
        """The deployment IDs typed, one a line, without blank lines or repeats, in order."""
        lines = (line.strip() for line in (self.deployment_ids.data or "").splitlines())
        return tuple(dict.fromkeys(line for line in lines if line))

    def fields(self) -> PlatformFields:
        return PlatformFields(
            name=self.name.data,
            issuer=self.issuer.data,
            client_id=self.client_id.data,
            auth_url=self.auth_url.data,
            token_url=self.token_url.data,
            jwks_url=self.jwks_url.data,
            deployment_ids=self.deployment_list(),
        )


class RemovePlatformForm(FlaskForm):
    """Removing a platform: ticked to say what it does was read; and, when grades wait for
    its gradebook, ticked again to discard as many as the page showed."""

    confirm = BooleanField(
        "I understand: people linked through this LMS can no longer launch eduapp from it.",
        validators=[DataRequired(message="Tick the box to remove the platform.")],
    )
    discard_scores = BooleanField("Discard the grades still waiting for its gradebook.")
    #: How many waiting grades the page showed, so that more arriving since are not discarded.
    waiting_seen = IntegerField(
        widget=HiddenInput(), validators=[Optional(), NumberRange(min=0)], default=0
    )
    submit = SubmitField("Remove the platform")

    def discard_up_to(self) -> int:
        if not self.discard_scores.data:
            return 0
        return self.waiting_seen.data or 0


class RotateKeyForm(FlaskForm):
    """Carries only the CSRF token: the admin asks for a new signing key."""

    submit = SubmitField("Rotate the signing key")
