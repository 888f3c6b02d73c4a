"""LTI 1.3 (issue 12): registered platforms and their deployments, eduapp's signing keys,
used launch nonces, accounts linked to LMS people, LMS courses as cohorts, their links, and
the scores waiting for a gradebook

Revision ID: 5a8f3c2e1d90
Revises: 9e4b2a7c5d18
Create Date: 2026-12-04 23:02:23.130512

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5a8f3c2e1d90'
down_revision = '9e4b2a7c5d18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_url', sa.String(length=500), nullable=False),
    sa.Column('token_url', sa.String(length=500), nullable=False),
    sa.Column('jwks_url', sa.String(length=500), nullable=False),
    sa.Column('jwks_json', sa.Text(), nullable=True),
    sa.Column('jwks_fetched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name=op.f('uq_lti_platforms_issuer_client_id'))
    )
    op.create_table('lti_tool_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_tool_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_lti_tool_keys_kid'))
    )
    op.create_table('lti_contexts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('memberships_url', sa.String(length=500), nullable=True),
    sa.Column('lineitems_url', sa.String(length=500), nullable=True),
    sa.Column('ags_scopes', sa.String(length=500), nullable=False),
    sa.Column('roster_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_lti_contexts_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_contexts_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_contexts')),
    sa.UniqueConstraint('cohort_id', name=op.f('uq_lti_contexts_cohort_id')),
    sa.UniqueConstraint('platform_id', 'context_id', name=op.f('uq_lti_contexts_platform_id_context_id'))
    )
    op.create_table('lti_deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_deployments_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_deployments')),
    sa.UniqueConstraint('platform_id', 'deployment_id', name=op.f('uq_lti_deployments_platform_id_deployment_id'))
    )
    with op.batch_alter_table('lti_deployments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_deployments_platform_id'), ['platform_id'], unique=False)

    op.create_table('lti_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_identities_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_identities')),
    sa.UniqueConstraint('platform_id', 'subject', name=op.f('uq_lti_identities_platform_id_subject')),
    sa.UniqueConstraint('platform_id', 'user_id', name=op.f('uq_lti_identities_platform_id_user_id'))
    )
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_identities_user_id'), ['user_id'], unique=False)

    op.create_table('lti_used_nonces',
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['lti_platforms.id'], name=op.f('fk_lti_used_nonces_platform_id_lti_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('platform_id', 'nonce', name=op.f('pk_lti_used_nonces'))
    )
    with op.batch_alter_table('lti_used_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_used_nonces_used_at'), ['used_at'], unique=False)

    op.create_table('lti_resource_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_pk', sa.Integer(), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('lineitem_url', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['context_pk'], ['lti_contexts.id'], name=op.f('fk_lti_resource_links_context_pk_lti_contexts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_lti_resource_links_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_resource_links')),
    sa.UniqueConstraint('context_pk', 'resource_link_id', name=op.f('uq_lti_resource_links_context_pk_resource_link_id'))
    )
    with op.batch_alter_table('lti_resource_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_resource_links_context_pk'), ['context_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_resource_links_document_id'), ['document_id'], unique=False)

    op.create_table('lti_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link_pk', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('score_given', sa.Double(), nullable=True),
    sa.Column('score_maximum', sa.Double(), nullable=False),
    sa.Column('activity_progress', sa.String(length=20), nullable=False),
    sa.Column('grading_progress', sa.String(length=20), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['link_pk'], ['lti_resource_links.id'], name=op.f('fk_lti_scores_link_pk_lti_resource_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lti_scores_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lti_scores'))
    )
    with op.batch_alter_table('lti_scores', schema=None) as batch_op:
        batch_op.create_index('ix_lti_scores_due', ['sent_at', 'next_try_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_scores_link_pk'), ['link_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_lti_scores_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lti_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_scores_user_id'))
        batch_op.drop_index(batch_op.f('ix_lti_scores_link_pk'))
        batch_op.drop_index('ix_lti_scores_due')

    op.drop_table('lti_scores')
    with op.batch_alter_table('lti_resource_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_resource_links_document_id'))
        batch_op.drop_index(batch_op.f('ix_lti_resource_links_context_pk'))

    op.drop_table('lti_resource_links')
    with op.batch_alter_table('lti_used_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_used_nonces_used_at'))

    op.drop_table('lti_used_nonces')
    with op.batch_alter_table('lti_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_identities_user_id'))

    op.drop_table('lti_identities')
    with op.batch_alter_table('lti_deployments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_deployments_platform_id'))

    op.drop_table('lti_deployments')
    op.drop_table('lti_contexts')
    op.drop_table('lti_tool_keys')
    op.drop_table('lti_platforms')
