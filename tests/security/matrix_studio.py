"""Access rows for the co-authoring studio: drafts are seen only by members and admins."""

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind, Version
from eduapp.extensions import db
from eduapp.studio.models import Comment, Membership
from eduapp.studio.queries import latest_revision
from eduapp.studio.revisions import create_document
from tests.security.access_world import Row, expect

DOC = "/studio/scenario/matrix-draft"
NON_MEMBERS = {"learner": 404, "patient_educator": 404, "tutor": 404, "cohort_tutor": 404}


def members(answer, *, reviewer=None):
    """Non-members get 404 (a draft is invisible to them); members and admins get ``answer``."""
    return expect(answer, reviewer=answer if reviewer is None else reviewer, **NON_MEMBERS)


def managers(answer):
    """Inviting and removing members: staff and patient partners of the draft, and admins."""
    return expect(answer, reviewer=403, co_author=403, **NON_MEMBERS)


def editors(answer):
    """A route that changes the draft: reviewers are refused with 403."""
    return members(answer, reviewer=403)


def prepare(world):
    owner = world.make_user(Role.PATIENT_EDUCATOR)
    document = create_document(owner, DocumentKind.SCENARIO, "matrix-draft", "Matrix", "")
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
    if world.persona.member_as is not None:
        db.session.add(
            Membership(
                document_id=document.id,
                user_id=world.me.id,
                role=world.persona.member_as.value,
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
    owner_membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == owner.id)
    )
    return {
        "comment": comment.id,
        "owner_membership": owner_membership.id,
        "source": revision.source,
    }


ROWS = {
    ("studio.index", "GET"): Row("/studio/", expect(200)),
    ("studio.create", "POST"): Row("/studio/new", expect(400, learner=403, co_author=403), {}),
    ("studio.editor", "GET"): Row(DOC, members(200)),
    ("studio.save", "POST"): Row(f"{DOC}/save", editors(302), {"base": "1", "source": "{source}"}),
    ("studio.check", "POST"): Row(f"{DOC}/check", members(200), {"source": ""}),
    ("studio.preview", "POST"): Row(f"{DOC}/preview", members(200), {"source": "", "node": "x"}),
    ("studio.add_node", "POST"): Row(f"{DOC}/nodes", editors(400), {"base": "1"}),
    ("studio.add_choice", "POST"): Row(f"{DOC}/choices", editors(400), {"base": "1"}),
    ("studio.add_variable", "POST"): Row(f"{DOC}/variables", editors(400), {"base": "1"}),
    ("studio.save_module_form", "POST"): Row(f"{DOC}/module", editors(400), {"base": "1"}),
    ("studio.playtest", "POST"): Row(f"{DOC}/playtest", editors(302), {}),
    ("history.revisions", "GET"): Row(f"{DOC}/history", members(200)),
    ("history.diff", "GET"): Row(f"{DOC}/diff?from=1&to=1", members(200)),
    ("history.restore", "POST"): Row(f"{DOC}/restore", editors(302), {"revision": "1"}),
    ("history.version", "GET"): Row(f"{DOC}/versions/1", members(200)),
    ("history.scenario_map", "GET"): Row(f"{DOC}/map", members(200)),
    # The conflict page's choices, sent from revision 1 against revision 1: nothing to merge.
    ("merge.resolve", "POST"): Row(
        f"{DOC}/merge", editors(302), {"base": "1", "theirs": "1", "source": "{source}"}
    ),
    ("merge.revision_nodes", "GET"): Row(f"{DOC}/revisions/1/nodes", members(200)),
    # The node is already as revision 1 has it: refused with a message, back to the list.
    ("merge.restore_node", "POST"): Row(
        f"{DOC}/restore-node", editors(302), {"revision": "1", "node": "opening"}
    ),
    ("collab.comments", "GET"): Row(f"{DOC}/comments", members(200)),
    ("collab.add_comment", "POST"): Row(
        f"{DOC}/comments", members(302), {"revision": "1", "anchor": "general", "body": "Hi"}
    ),
    ("collab.resolve_comment", "POST"): Row(
        f"{DOC}/comments/{{comment}}/resolve", members(302), {"resolved": "1"}
    ),
    ("collab.invite", "POST"): Row(f"{DOC}/members", managers(302), {}),
    ("collab.remove_member", "POST"): Row(
        f"{DOC}/members/{{owner_membership}}/remove", managers(302), {}
    ),
    ("collab.review", "POST"): Row(
        f"{DOC}/review", members(302), {"revision": "1", "decision": "approve"}
    ),
    ("collab.request_review", "POST"): Row(
        f"{DOC}/request-review", editors(302), {"revision": "1"}
    ),
    ("collab.publish", "POST"): Row(f"{DOC}/publish", editors(302), {"revision": "1"}),
    ("files.download", "GET"): Row(f"{DOC}/source.md", members(200)),
    # No file attached: refused as a bad request once access is granted.
    ("files.upload", "POST"): Row(f"{DOC}/upload", editors(400), {"base": "1"}),
}
