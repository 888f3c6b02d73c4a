"""Every route, every persona: the expected answer for each, taken from the URL map so that a
new route without a row here fails the suite.

Personas: anonymous; a learner, a patient educator, a tutor and an admin who are not members of
the studio draft under test; a co-author (a learner invited as peer student) and a reviewer (a
tutor invited as reviewer) of that draft.
"""

from dataclasses import dataclass

import pytest
from conftest import Auth

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from eduapp.player import services
from eduapp.studio import services as studio
from eduapp.studio.models import Comment, MemberRole, Membership
from eduapp.studio.queries import latest_revision


@dataclass(frozen=True)
class Persona:
    name: str
    role: Role | None = None
    member_as: MemberRole | None = None

    def __str__(self) -> str:
        return self.name


ANONYMOUS = Persona("anonymous")
PERSONAS = [
    ANONYMOUS,
    Persona("learner", Role.LEARNER),
    Persona("patient_educator", Role.PATIENT_EDUCATOR),
    Persona("tutor", Role.TUTOR),
    Persona("admin", Role.ADMIN),
    Persona("co_author", Role.LEARNER, MemberRole.PEER_STUDENT),
    Persona("reviewer", Role.TUTOR, MemberRole.REVIEWER),
]
LOGIN = "login"  # redirected to the sign-in page


def each(anonymous, learner, patient_educator, tutor, admin, co_author, reviewer):
    values = (anonymous, learner, patient_educator, tutor, admin, co_author, reviewer)
    return dict(zip([p.name for p in PERSONAS], values, strict=True))


def members(answer, *, anonymous=LOGIN, reviewer=None):
    """A studio route: non-members get 404; members and admins get ``answer``."""
    return each(anonymous, 404, 404, 404, answer, answer, answer if reviewer is None else reviewer)


def editors(answer):
    """A studio route that changes the draft: reviewers are refused with 403."""
    return members(answer, reviewer=403)


DOC = "/studio/scenario/matrix-draft"

#: (endpoint, method) -> (url template, form data, expected per persona)
MATRIX = {
    ("core.index", "GET"): ("/", None, each(200, 302, 302, 302, 302, 302, 302)),
    ("core.healthz", "GET"): ("/healthz", None, each(*[200] * 7)),
    ("static", "GET"): ("/static/eduapp.css", None, each(*[200] * 7)),
    ("accounts.register", "GET"): ("/register", None, each(200, *[302] * 6)),
    ("accounts.register", "POST"): ("/register", {}, each(200, *[302] * 6)),
    ("accounts.login", "GET"): ("/login", None, each(200, *[302] * 6)),
    ("accounts.login", "POST"): ("/login", {}, each(200, *[302] * 6)),
    ("accounts.logout", "POST"): ("/logout", {}, each(LOGIN, *[302] * 6)),
    ("accounts.profile", "GET"): ("/profile", None, each(LOGIN, *[200] * 6)),
    # An empty post keeps the profile as it is.
    ("accounts.profile", "POST"): ("/profile", {}, each(LOGIN, *[302] * 6)),
    ("accounts.change_password", "POST"): ("/profile/password", {}, each(LOGIN, *[400] * 6)),
    ("player.modules", "GET"): ("/modules", None, each(LOGIN, *[200] * 6)),
    ("player.module", "GET"): ("/modules/test-module", None, each(LOGIN, *[200] * 6)),
    ("player.start", "POST"): (
        "/scenarios/ward-round/start",
        {},
        each(LOGIN, 302, 403, 403, 403, 302, 403),
    ),
    ("player.attempts", "GET"): ("/attempts", None, each(LOGIN, 200, 403, 403, 403, 200, 403)),
    # The attempt belongs to the persona when it is a learner, to someone else otherwise.
    ("player.attempt", "GET"): (
        "/attempts/{attempt}",
        None,
        each(LOGIN, 200, 404, 404, 404, 200, 404),
    ),
    ("player.step", "POST"): (
        "/attempts/{attempt}",
        {"step": "0", "choice": "1"},
        each(LOGIN, 302, 404, 404, 404, 302, 404),
    ),
    ("admin.users", "GET"): ("/admin/users", None, each(LOGIN, 403, 403, 403, 200, 403, 403)),
    ("admin.set_roles", "POST"): (
        "/admin/users/{other}/roles",
        {},
        each(LOGIN, 403, 403, 403, 302, 403, 403),
    ),
    ("admin.audit", "GET"): ("/admin/audit", None, each(LOGIN, 403, 403, 403, 200, 403, 403)),
    ("studio.index", "GET"): ("/studio/", None, each(LOGIN, *[200] * 6)),
    ("studio.create", "POST"): ("/studio/new", {}, each(LOGIN, 403, 400, 400, 400, 403, 400)),
    ("studio.editor", "GET"): (DOC, None, members(200)),
    ("studio.save", "POST"): (f"{DOC}/save", {"base": "1", "source": "{source}"}, editors(302)),
    ("studio.check", "POST"): (f"{DOC}/check", {"source": ""}, members(200)),
    ("studio.preview", "POST"): (f"{DOC}/preview", {"source": "", "node": "x"}, members(200)),
    ("studio.add_node", "POST"): (f"{DOC}/nodes", {"base": "1"}, editors(400)),
    ("studio.add_choice", "POST"): (f"{DOC}/choices", {"base": "1"}, editors(400)),
    ("studio.add_variable", "POST"): (f"{DOC}/variables", {"base": "1"}, editors(400)),
    ("studio.save_module_form", "POST"): (f"{DOC}/module", {"base": "1"}, editors(400)),
    ("studio.playtest", "POST"): (f"{DOC}/playtest", {}, editors(302)),
    ("history.revisions", "GET"): (f"{DOC}/history", None, members(200)),
    ("history.diff", "GET"): (f"{DOC}/diff?from=1&to=1", None, members(200)),
    ("history.restore", "POST"): (f"{DOC}/restore", {"revision": "1"}, editors(302)),
    ("history.version", "GET"): (f"{DOC}/versions/1", None, members(200)),
    ("history.scenario_map", "GET"): (f"{DOC}/map", None, members(200)),
    ("collab.comments", "GET"): (f"{DOC}/comments", None, members(200)),
    ("collab.add_comment", "POST"): (
        f"{DOC}/comments",
        {"revision": "1", "anchor": "general", "body": "Hi"},
        members(302),
    ),
    ("collab.resolve_comment", "POST"): (
        f"{DOC}/comments/{{comment}}/resolve",
        {"resolved": "1"},
        members(302),
    ),
    ("collab.invite", "POST"): (f"{DOC}/members", {}, editors(302)),
    ("collab.remove_member", "POST"): (
        f"{DOC}/members/{{owner_membership}}/remove",
        {},
        editors(302),
    ),
    ("collab.review", "POST"): (
        f"{DOC}/review",
        {"revision": "1", "decision": "approve"},
        members(302),
    ),
    ("collab.publish", "POST"): (f"{DOC}/publish", {"revision": "1"}, editors(302)),
}


def test_every_route_is_in_the_matrix(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - MATRIX.keys() == set(), "add these routes to MATRIX"
    assert MATRIX.keys() - routes == set(), "these routes no longer exist"


def test_every_view_declares_its_access_rule(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert undeclared == []


def _studio_draft(owner, me, persona):
    document = studio.create_document(owner, DocumentKind.SCENARIO, "matrix-draft", "Matrix", "")
    revision = latest_revision(document)
    db.session.add(
        Version(
            document=document,
            number=1,
            revision_id=revision.id,
            source=revision.source,
            title="Matrix",
            summary="s",
        )
    )
    if persona.member_as is not None:
        db.session.add(
            Membership(
                document_id=document.id,
                user_id=me.id,
                role=persona.member_as.value,
                credit="member",
            )
        )
    comment = Comment(
        document_id=document.id,
        revision_number=1,
        anchor="general",
        author_id=owner.id,
        body="A comment",
    )
    db.session.add(comment)
    db.session.commit()
    owner_membership = next(m for m in document_memberships(document) if m.user_id == owner.id)
    return revision, comment, owner_membership


def document_memberships(document):
    return db.session.scalars(db.select(Membership).where(Membership.document_id == document.id))


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[1]} {r[0]}")
def test_access(app, client, make_user, course, route, persona):
    template, data, expected = MATRIX[route]
    other_learner = make_user(Role.LEARNER)
    owner = make_user(Role.PATIENT_EDUCATOR)
    auth = Auth(client)
    me = None
    if persona is not ANONYMOUS:
        me = make_user(persona.role)
        assert auth.login(me).status_code == 302
    revision, comment, owner_membership = _studio_draft(owner, me, persona)
    attempt_owner = me if persona.role == Role.LEARNER else other_learner
    attempt = services.start_attempt(
        attempt_owner, newest_version(DocumentKind.SCENARIO, "ward-round")
    )
    values = {
        "attempt": attempt.id,
        "other": other_learner.id,
        "comment": comment.id,
        "owner_membership": owner_membership.id,
        "source": revision.source,
    }
    url = template.format(**values)
    if route[1] == "GET":
        response = client.get(url)
    else:
        form = {key: value.format(**values) for key, value in data.items()}
        token_page = "/profile" if me else "/login"
        response = client.post(url, data={"csrf_token": auth.token(token_page), **form})
    response.close()  # static files stream from an open file
    want = expected[persona.name]
    if want == LOGIN:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
