"""module proposals (issue 13): a scenario's author asks a module to list it

Revision ID: 7c2e9d4b1a63
Revises: 5a8f3c2e1d90
Create Date: 2026-12-10 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c2e9d4b1a63'
down_revision = '5a8f3c2e1d90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'module_proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('module_document_id', sa.Integer(), nullable=False),
        sa.Column('scenario_document_id', sa.Integer(), nullable=False),
        sa.Column('proposer_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revision_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'declined')",
            name=op.f('ck_module_proposals_proposal_status_known'),
        ),
        sa.ForeignKeyConstraint(
            ['module_document_id'], ['documents.id'],
            name=op.f('fk_module_proposals_module_document_id_documents'),
        ),
        sa.ForeignKeyConstraint(
            ['scenario_document_id'], ['documents.id'],
            name=op.f('fk_module_proposals_scenario_document_id_documents'),
        ),
        sa.ForeignKeyConstraint(
            ['proposer_id'], ['users.id'],
            name=op.f('fk_module_proposals_proposer_id_users'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['users.id'],
            name=op.f('fk_module_proposals_decided_by_id_users'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['revision_id'], ['revisions.id'],
            name=op.f('fk_module_proposals_revision_id_revisions'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_module_proposals')),
    )
    with op.batch_alter_table('module_proposals', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_module_proposals_module_document_id'), ['module_document_id']
        )
        batch_op.create_index(
            batch_op.f('ix_module_proposals_scenario_document_id'), ['scenario_document_id']
        )


def downgrade():
    with op.batch_alter_table('module_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_proposals_scenario_document_id'))
        batch_op.drop_index(batch_op.f('ix_module_proposals_module_document_id'))
    op.drop_table('module_proposals')
