"""Access rows for proposing a scenario to a module (issue 13): the scenario's editors propose;
the module's editors accept or decline; a draft stays invisible (404) to non-members."""

import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.content.models import Document, DocumentKind
from eduapp.extensions import db
from eduapp.studio.models import Membership, ModuleProposal
from eduapp.studio.revisions import create_document
from tests.security.access_world import Row
from tests.security.matrix_studio import DOC, editors

MODULE = "/studio/module/matrix-module"


def prepare(world):
    owner = world.make_user(Role.TUTOR)
    module = create_document(owner, DocumentKind.MODULE, "matrix-module", "Matrix module", "")
    if world.persona.member_as is not None:
        db.session.add(
            Membership(
                document_id=module.id,
                user_id=world.me.id,
                role=world.persona.member_as.value,
                credit="member",
            )
        )
    scenario = db.session.scalar(sa.select(Document).where(Document.slug == "matrix-draft"))
    proposal = ModuleProposal(
        module_document_id=module.id, scenario_document_id=scenario.id, proposer_id=owner.id
    )
    db.session.add(proposal)
    db.session.commit()
    return {"proposal": proposal.id}


ROWS = {
    # Nothing chosen: refused on the editor once access is granted.
    ("proposals.propose", "POST"): Row(f"{DOC}/proposals", editors(400), {}),
    ("proposals.accept", "POST"): Row(f"{MODULE}/proposals/{{proposal}}/accept", editors(302), {}),
    ("proposals.decline", "POST"): Row(
        f"{MODULE}/proposals/{{proposal}}/decline", editors(302), {}
    ),
}
