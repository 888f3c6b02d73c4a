"""The way to learners: proposing a published scenario to a module, and the module's co-authors
accepting or declining.

A proposal changes nothing a learner sees by itself. Accepting it adds a revision of the
module's draft that lists the scenario, authored by the proposer; that revision then goes
through the module's own review rule (sign-offs, publishing) like any other. Someone who edits
the module already (a co-author of it, an admin) has their proposal accepted at once; anyone
else's waits for the module's co-authors, who are notified. Every write goes into the request's
transaction with its audit event (eduapp/transaction.py).
"""

from dataclasses import replace

from flask import current_app

from eduapp.accounts.models import Role, User
from eduapp.audit.services import record
from eduapp.content.models import Document, DocumentKind
from eduapp.content.queries import newest_version
from eduapp.engine import Module, dump_module
from eduapp.extensions import db, utcnow
from eduapp.studio import queries
from eduapp.studio.errors import Conflict, StudioError
from eduapp.studio.models import ModuleProposal, ProposalStatus
from eduapp.studio.revisions import save_source
from eduapp.studio.signals import proposal_decided, scenario_proposed


def edits_module(user: User, module: Document) -> bool:
    """Whether ``user`` edits the module: an admin, or a member who is not a reviewer."""
    membership = queries.membership_of(module, user)
    return user.has_role(Role.ADMIN) or bool(membership and membership.can_edit)


def propose(actor: User, scenario: Document, module_slug: str, note: str) -> ModuleProposal:
    """Ask the published module ``module_slug`` to list the published ``scenario``."""
    if newest_version(DocumentKind.SCENARIO, scenario.slug) is None:
        raise StudioError("Publish the scenario first: a module lists published scenarios.")
    offered = {v.slug: v for v in queries.proposable_modules(scenario)}
    if module_slug not in offered:
        raise StudioError(
            "Choose one of the modules offered: it lists the scenario already, "
            "or a proposal to it is waiting."
        )
    module = offered[module_slug].document
    proposal = ModuleProposal(
        module=module,
        scenario=scenario,
        proposer=actor,
        note=note.strip(),
        status=ProposalStatus.OPEN,
    )
    db.session.add(proposal)
    db.session.flush()
    record("proposed", actor=actor, document=module, detail=f"scenario {scenario.slug}")
    if edits_module(actor, module):
        _accept(actor, proposal)
    db.session.flush()
    scenario_proposed.send(current_app._get_current_object(), proposal=proposal)
    return proposal


def accept(actor: User, proposal: ModuleProposal) -> ModuleProposal:
    """A module co-author accepts: the module's draft lists the scenario in a new revision."""
    _accept(actor, proposal)
    proposal_decided.send(current_app._get_current_object(), proposal=proposal)
    return proposal


def decline(actor: User, proposal: ModuleProposal) -> ModuleProposal:
    """A module co-author declines: nothing changes in the module."""
    _decide(actor, proposal, ProposalStatus.DECLINED)
    record(
        "declined_proposal",
        actor=actor,
        document=proposal.module,
        detail=f"scenario {proposal.scenario.slug}",
    )
    db.session.flush()
    proposal_decided.send(current_app._get_current_object(), proposal=proposal)
    return proposal


def _accept(actor: User, proposal: ModuleProposal) -> None:
    module_document, scenario = proposal.module, proposal.scenario
    latest = queries.latest_revision(module_document)
    draft = queries.draft_of(latest)
    if not isinstance(draft.model, Module):  # the module form's rule (structured_edits)
        raise StudioError(
            "The module's draft has problems; its co-authors must fix them before it can list "
            "another scenario."
        )
    _decide(actor, proposal, ProposalStatus.ACCEPTED)
    scenarios = draft.model.scenarios
    if scenario.slug not in scenarios:
        changed = replace(draft.model, scenarios=(*scenarios, scenario.slug))
        message = f"Added the scenario '{scenario.slug}' (proposed)"
        try:
            revision = save_source(
                proposal.proposer, module_document, latest.number, dump_module(changed), message
            )
        except Conflict:
            raise StudioError("Someone saved the module at the same moment; try again.") from None
        proposal.revision_id = revision.id
    record(
        "accepted_proposal",
        actor=actor,
        document=module_document,
        revision_number=queries.latest_revision(module_document).number,
        detail=f"scenario {scenario.slug}",
    )


def _decide(actor: User, proposal: ModuleProposal, status: ProposalStatus) -> None:
    if proposal.status != ProposalStatus.OPEN:
        raise StudioError("That proposal was decided already.")
    proposal.status = status
    proposal.decided_by_id = actor.id
    proposal.decided_at = utcnow()
