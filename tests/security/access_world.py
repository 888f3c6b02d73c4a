"""The world every access-matrix check runs in, and the vocabulary its rows are written in.

A row names a route, the URL and form to send, and what each persona must get. Domain modules
(``matrix_*.py`` beside this file) each hold their rows and, if they need objects of their own, a
``prepare(world)`` that makes them and returns the values their URL templates use.
"""

from dataclasses import dataclass, field

from eduapp.accounts.models import Role, User
from eduapp.studio.models import MemberRole

LOGIN = "login"  # redirected to the sign-in page


@dataclass(frozen=True)
class Persona:
    name: str
    role: Role | None = None
    #: Membership of the studio draft under test.
    member_as: MemberRole | None = None

    def __str__(self) -> str:
        return self.name


PERSONAS = [
    Persona("anonymous"),
    #: A learner in the world's cohort (owner of their own attempt).
    Persona("learner", Role.LEARNER),
    Persona("patient_educator", Role.PATIENT_EDUCATOR),
    #: A tutor of another cohort: sees nothing of the world's cohort.
    Persona("tutor", Role.TUTOR),
    #: A tutor of the world's cohort.
    Persona("cohort_tutor", Role.TUTOR),
    Persona("admin", Role.ADMIN),
    #: A learner invited to the studio draft as a peer student.
    Persona("co_author", Role.LEARNER, MemberRole.PEER_STUDENT),
    #: A tutor invited to the studio draft as a reviewer.
    Persona("reviewer", Role.TUTOR, MemberRole.REVIEWER),
]
NAMES = [p.name for p in PERSONAS]


def expect(default=None, **answers):
    """What each persona gets: ``anonymous`` is redirected to sign in unless said otherwise."""
    unknown = set(answers) - set(NAMES)
    assert not unknown, f"unknown personas {unknown}"
    result = {name: default for name in NAMES}
    result["anonymous"] = LOGIN
    result.update(answers)
    missing = [name for name, value in result.items() if value is None]
    assert not missing, f"no answer for {missing}"
    return result


@dataclass(frozen=True)
class Row:
    url: str
    expected: dict
    #: Form fields for a POST (values may use the same {placeholders} as the URL).
    data: dict | None = None


@dataclass
class World:
    persona: Persona
    me: User | None
    make_user: object
    values: dict = field(default_factory=dict)
