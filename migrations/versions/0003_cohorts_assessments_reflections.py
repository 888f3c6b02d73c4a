"""cohorts assessments reflections

Revision ID: 4af8593ffeaa
Revises: 5109e63b701f
Create Date: 2026-11-22 15:25:20.354089

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4af8593ffeaa'
down_revision = '5109e63b701f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('is_failure', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_key_time', ['key_hash', 'created_at'], unique=False)

    op.create_table('cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    sa.UniqueConstraint('join_code', name=op.f('uq_cohorts_join_code'))
    )
    op.create_table('cohort_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_invites_cohort_id_cohorts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_invites')),
    sa.UniqueConstraint('cohort_id', 'email', name=op.f('uq_cohort_invites_cohort_id_email'))
    )
    with op.batch_alter_table('cohort_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_invites_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_invites_email'), ['email'], unique=False)

    op.create_table('cohort_members',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_members_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cohort_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_cohort_members'))
    )
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_members_user_id'), ['user_id'], unique=False)

    op.create_table('cohort_modules',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_modules_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_cohort_modules_document_id_documents')),
    sa.PrimaryKeyConstraint('cohort_id', 'document_id', name=op.f('pk_cohort_modules'))
    )
    op.create_table('cohort_tutors',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_tutors_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cohort_tutors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_cohort_tutors'))
    )
    with op.batch_alter_table('cohort_tutors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_tutors_user_id'), ['user_id'], unique=False)

    op.create_table('erasure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('carried_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('carried_out_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carried_out_by_id'], ['users.id'], name=op.f('fk_erasure_requests_carried_out_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_erasure_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests'))
    )
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_erasure_requests_pending_user_id', ['user_id'], unique=True, sqlite_where=sa.text('carried_out_at IS NULL'), postgresql_where=sa.text('carried_out_at IS NULL'))

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_themes_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('name', name=op.f('uq_themes_name'))
    )
    op.create_table('assessment_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('points', sa.Double(), nullable=True),
    sa.Column('max_points', sa.Double(), nullable=True),
    sa.Column('is_passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_attempts_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_assessment_attempts_version_id_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_attempts')),
    sa.UniqueConstraint('user_id', 'version_id', 'number', name=op.f('uq_assessment_attempts_user_id_version_id_number'))
    )
    with op.batch_alter_table('assessment_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_attempts_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_attempts_version_id'), ['version_id'], unique=False)

    op.create_table('assessment_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('points', sa.Double(), nullable=True),
    sa.Column('max_points', sa.Double(), nullable=False),
    sa.Column('needs_marking', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rubric_points', sa.JSON(), nullable=True),
    sa.Column('tutor_feedback', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['assessment_attempts.id'], name=op.f('fk_assessment_answers_attempt_id_assessment_attempts')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_assessment_answers_marked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_answers')),
    sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_assessment_answers_attempt_id_question_id'))
    )
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_answers_marking', ['needs_marking', 'marked_at'], unique=False)

    op.create_table('peer_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reflection_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_peer_reviews_cohort_id_cohorts')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_peer_reviews_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reflection_id'], ['reflections.id'], name=op.f('fk_peer_reviews_reflection_id_reflections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_reviews')),
    sa.UniqueConstraint('reflection_id', 'cohort_id', name=op.f('uq_peer_reviews_reflection_id_cohort_id'))
    )
    with op.batch_alter_table('peer_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_reviews_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_reviews_reflection_id'), ['reflection_id'], unique=False)

    op.create_table('reflection_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reflection_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_reflection_replies_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reflection_id'], ['reflections.id'], name=op.f('fk_reflection_replies_reflection_id_reflections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflection_replies'))
    )
    with op.batch_alter_table('reflection_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflection_replies_reflection_id'), ['reflection_id'], unique=False)

    op.create_table('reflection_themes',
    sa.Column('reflection_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('tagged_by_id', sa.Integer(), nullable=True),
    sa.Column('tagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reflection_id'], ['reflections.id'], name=op.f('fk_reflection_themes_reflection_id_reflections')),
    sa.ForeignKeyConstraint(['tagged_by_id'], ['users.id'], name=op.f('fk_reflection_themes_tagged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_reflection_themes_theme_id_themes')),
    sa.PrimaryKeyConstraint('reflection_id', 'theme_id', name=op.f('pk_reflection_themes'))
    )
    op.create_table('peer_review_allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('peer_review_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=True),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['peer_review_id'], ['peer_reviews.id'], name=op.f('fk_peer_review_allocations_peer_review_id_peer_reviews')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_peer_review_allocations_reviewer_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_review_allocations')),
    sa.UniqueConstraint('peer_review_id', 'reviewer_id', name=op.f('uq_peer_review_allocations_peer_review_id_reviewer_id'))
    )
    with op.batch_alter_table('peer_review_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_allocations_reviewer_id'), ['reviewer_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))

    # Covering indexes for the dashboards (docs/performance.md).
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_version_learner', ['version_id', 'is_playtest', 'user_id', 'status', 'id'], unique=False)

    with op.batch_alter_table('choice_events', schema=None) as batch_op:
        batch_op.create_index('ix_choice_events_attempt_node', ['attempt_id', 'from_node', 'choice_number', 'seconds_on_node'], unique=False)

    # Assessments are documents too (Alembic does not compare check constraints: by hand).
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_documents_kind_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_documents_kind_known'), "kind IN ('scenario','module','assessment')"
        )


def downgrade():
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_key_time')

    op.drop_table('login_attempts')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_documents_kind_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_documents_kind_known'), "kind IN ('scenario','module')"
        )

    with op.batch_alter_table('choice_events', schema=None) as batch_op:
        batch_op.drop_index('ix_choice_events_attempt_node')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_version_learner')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('peer_review_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_allocations_reviewer_id'))

    op.drop_table('peer_review_allocations')
    op.drop_table('reflection_themes')
    with op.batch_alter_table('reflection_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflection_replies_reflection_id'))

    op.drop_table('reflection_replies')
    with op.batch_alter_table('peer_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_reviews_reflection_id'))
        batch_op.drop_index(batch_op.f('ix_peer_reviews_cohort_id'))

    op.drop_table('peer_reviews')
    with op.batch_alter_table('assessment_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_answers_marking')

    op.drop_table('assessment_answers')
    with op.batch_alter_table('assessment_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_attempts_version_id'))
        batch_op.drop_index(batch_op.f('ix_assessment_attempts_user_id'))

    op.drop_table('assessment_attempts')
    op.drop_table('themes')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')

    op.drop_table('notifications')
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_erasure_requests_pending_user_id', sqlite_where=sa.text('carried_out_at IS NULL'), postgresql_where=sa.text('carried_out_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_erasure_requests_user_id'))

    op.drop_table('erasure_requests')
    with op.batch_alter_table('cohort_tutors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_tutors_user_id'))

    op.drop_table('cohort_tutors')
    op.drop_table('cohort_modules')
    with op.batch_alter_table('cohort_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_members_user_id'))

    op.drop_table('cohort_members')
    with op.batch_alter_table('cohort_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_invites_email'))
        batch_op.drop_index(batch_op.f('ix_cohort_invites_cohort_id'))

    op.drop_table('cohort_invites')
    op.drop_table('cohorts')
