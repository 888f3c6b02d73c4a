"""What a new draft starts with: a small, valid example of its kind for the authors to rewrite.

Each starter is built as engine objects and written by the engine's serializers, so it is always
in the format the checker reads, however that format is written.
"""

from eduapp.content.models import DocumentKind
from eduapp.engine import (
    Assessment,
    Author,
    Choice,
    Effect,
    Module,
    Node,
    Option,
    Question,
    RubricCriterion,
    Scenario,
    Variable,
    dump_assessment,
    dump_module,
    dump_scenario,
)
from eduapp.studio.models import MemberRole, Membership

SUMMARY = "One or two sentences for learners."
LICENCE = "CC BY-SA 4.0"
TRADE_OFF = "Say what this choice gains and what it costs."
DEBRIEF = "What happened to the patient, the team and the learner."
OPENING = "What the learner sees first."
HAPPENED = "What happened."
#: The sample texts a new scenario starts with: a draft that still holds one is not signed off
#: (publishing.starter_leftovers).
SAMPLE_TEXTS = frozenset({SUMMARY, TRADE_OFF, DEBRIEF, OPENING, HAPPENED})


def starter_source(kind: DocumentKind, slug: str, title: str, author: Membership) -> str:
    """The first revision of a new draft, credited to its first member."""
    authors = (Author(_author_kind(author), author.credit),)
    if kind == DocumentKind.SCENARIO:
        return dump_scenario(_scenario(slug, title, authors))
    if kind == DocumentKind.ASSESSMENT:
        return dump_assessment(_assessment(slug, title, authors))
    return dump_module(_module(slug, title, authors))


def _author_kind(member: Membership) -> str:
    """How the text credits a member: one of the engine's AUTHOR_KINDS."""
    return {
        MemberRole.PATIENT_PARTNER.value: "patient educator",
        MemberRole.PEER_STUDENT.value: "student",
    }.get(member.role, "staff")


def _scenario(slug: str, title: str, authors: tuple[Author, ...]) -> Scenario:
    """Two choices from an opening to two endings, one of them changing a variable."""
    return Scenario(
        id=slug,
        title=title,
        summary=SUMMARY,
        professions=("medicine", "nursing"),
        authors=authors,
        licence=LICENCE,
        variables=(Variable("voice", 0, "How far the patient's own words reach the team"),),
        start="opening",
        nodes=(
            Node(
                id="opening",
                title="Where it begins",
                speaker="patient",
                body=OPENING,
                choices=(
                    Choice(
                        label="Listen first",
                        target="heard",
                        effects=(Effect("voice", "+=", 1),),
                        feedback=TRADE_OFF,
                    ),
                    Choice(label="Carry on with the plan", target="unheard", feedback=TRADE_OFF),
                ),
            ),
            _ending("heard", "Heard", "Heard"),
            _ending("unheard", "Not heard", "Not heard"),
        ),
    )


def _ending(node_id: str, title: str, label: str) -> Node:
    return Node(id=node_id, title=title, ending=label, body=HAPPENED, debrief=DEBRIEF)


def _assessment(slug: str, title: str, authors: tuple[Author, ...]) -> Assessment:
    """A single-choice question and a free-text one with its rubric, for the module ``slug``."""
    return Assessment(
        id=slug,
        module=slug,
        title=title,
        summary=SUMMARY,
        pass_mark=70,
        attempts=3,
        authors=authors,
        licence=LICENCE,
        questions=(
            Question(
                id="first",
                title="A first question",
                type="single",
                stem="The question, in Markdown.",
                options=(
                    Option("The right answer.", is_correct=True, feedback="Say why it is right."),
                    Option("Another answer.", feedback="Explain, rather than only say 'wrong'."),
                ),
            ),
            Question(
                id="in-your-words",
                title="In your own words",
                type="text",
                points=2,
                stem="What the learner writes about, in a few sentences.",
                rubric=(
                    RubricCriterion("What a tutor looks for first", 1),
                    RubricCriterion("What a tutor looks for next", 1),
                ),
            ),
        ),
    )


def _module(slug: str, title: str, authors: tuple[Author, ...]) -> Module:
    """A module placed last in the course, with no scenarios yet."""
    return Module(
        id=slug,
        title=title,
        order=99,
        summary=SUMMARY,
        outcomes=("Describe ...",),
        scenarios=(),
        authors=authors,
        licence=LICENCE,
        reading="The reading, in Markdown.",
        references="- Author A. Title. *Journal*. Year;Volume(Issue):pages.",
    )
