"""tallies: running counts for cohort insight, module progress and "how others chose", filled
from what learners already played; indexes for rosters listed by name and the tutors' reflection queue

Revision ID: 47bab952dcc1
Revises: 4af8593ffeaa
Create Date: 2026-11-22 17:49:32.812494

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47bab952dcc1'
down_revision = '4af8593ffeaa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cohort_tallies',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('choice_label', sa.Text(), nullable=False),
    sa.Column('profession', sa.String(length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('seconds_total', sa.BigInteger(), nullable=False),
    sa.Column('slow_visits', sa.Integer(), nullable=False),
    sa.CheckConstraint('attempts >= 0 AND visits >= 0 AND seconds_total >= 0 AND slow_visits >= 0', name=op.f('ck_cohort_tallies_counts_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_tallies_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_cohort_tallies_document_id_documents')),
    sa.PrimaryKeyConstraint('cohort_id', 'document_id', 'node_id', 'choice_label', 'profession', name=op.f('pk_cohort_tallies'))
    )
    op.create_table('learner_choices',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('choice_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learner_choices_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_learner_choices_version_id_versions')),
    sa.PrimaryKeyConstraint('user_id', 'version_id', 'node_id', 'choice_number', name=op.f('pk_learner_choices'))
    )
    op.create_table('version_choice_counts',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('choice_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('learners', sa.Integer(), nullable=False),
    sa.CheckConstraint('learners >= 0', name=op.f('ck_version_choice_counts_learners_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_version_choice_counts_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', 'node_id', 'choice_number', name=op.f('pk_version_choice_counts'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_display_name', ['display_name', 'id'], unique=False)

    op.create_table('cohort_module_progress',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('module_document_id', sa.Integer(), nullable=False),
    sa.Column('begun', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.CheckConstraint('begun >= 0 AND completed >= 0', name=op.f('ck_cohort_module_progress_counts_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_module_progress_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_document_id'], ['documents.id'], name=op.f('fk_cohort_module_progress_module_document_id_documents')),
    sa.PrimaryKeyConstraint('cohort_id', 'module_document_id', name=op.f('pk_cohort_module_progress'))
    )
    op.create_table('learner_scenarios',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('finished', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_learner_scenarios_document_id_documents')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_learner_scenarios_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'document_id', name=op.f('pk_learner_scenarios'))
    )
    with op.batch_alter_table('learner_scenarios', schema=None) as batch_op:
        batch_op.create_index('ix_learner_scenarios_document', ['document_id', 'user_id', 'finished'], unique=False)

    op.create_table('module_scenarios',
    sa.Column('module_document_id', sa.Integer(), nullable=False),
    sa.Column('scenario_document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_document_id'], ['documents.id'], name=op.f('fk_module_scenarios_module_document_id_documents')),
    sa.ForeignKeyConstraint(['scenario_document_id'], ['documents.id'], name=op.f('fk_module_scenarios_scenario_document_id_documents')),
    sa.PrimaryKeyConstraint('module_document_id', 'scenario_document_id', name=op.f('pk_module_scenarios'))
    )
    with op.batch_alter_table('module_scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_module_scenarios_scenario_document_id'), ['scenario_document_id'], unique=False)

    op.create_table('cohort_professions',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('profession', sa.String(length=32), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.CheckConstraint('members >= 0', name=op.f('ck_cohort_professions_members_not_negative')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_professions_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'profession', name=op.f('pk_cohort_professions'))
    )
    with op.batch_alter_table('reflections', schema=None) as batch_op:
        batch_op.create_index(
            'ix_reflections_shared_created', ['created_at', 'id'], unique=False,
            postgresql_where=sa.text("visibility = 'tutors'"),
            sqlite_where=sa.text("visibility = 'tutors'"),
        )

    # Fill the tallies from what learners have already played (the same counts as
    # eduapp.tallies.services.rebuild, written out as SQL so this migration never changes
    # meaning when the app's code does). 120 is SLOW_VISIT_SECONDS.
    for statement in BACKFILL:
        op.execute(statement)


BACKFILL = [
    """
    INSERT INTO cohort_tallies (cohort_id, document_id, node_id, choice_label, profession,
                                attempts, visits, seconds_total, slow_visits)
    SELECT m.cohort_id, h.document_id, h.node_id, h.choice_label,
           COALESCE(u.profession, 'other'),
           SUM(h.attempts), SUM(h.visits), SUM(h.seconds_total), SUM(h.slow_visits)
    FROM (
        SELECT a.user_id, v.document_id, e.from_node AS node_id, e.choice_label,
               COUNT(DISTINCT e.attempt_id) AS attempts, COUNT(*) AS visits,
               SUM(e.seconds_on_node) AS seconds_total,
               SUM(CASE WHEN e.seconds_on_node >= 120 THEN 1 ELSE 0 END) AS slow_visits
        FROM choice_events e
        JOIN attempts a ON a.id = e.attempt_id
        JOIN versions v ON v.id = a.version_id
        WHERE a.is_playtest = false
        GROUP BY a.user_id, v.document_id, e.from_node, e.choice_label
        UNION ALL
        SELECT a.user_id, v.document_id, a.node_id, '', COUNT(*), 0, 0, 0
        FROM attempts a
        JOIN versions v ON v.id = a.version_id
        WHERE a.is_playtest = false AND a.status = 'completed'
        GROUP BY a.user_id, v.document_id, a.node_id
    ) h
    JOIN cohort_members m ON m.user_id = h.user_id
    JOIN users u ON u.id = h.user_id
    GROUP BY m.cohort_id, h.document_id, h.node_id, h.choice_label,
             COALESCE(u.profession, 'other')
    """,
    """
    INSERT INTO learner_choices (user_id, version_id, node_id, choice_number)
    SELECT a.user_id, a.version_id, e.from_node, e.choice_number
    FROM choice_events e JOIN attempts a ON a.id = e.attempt_id
    WHERE a.is_playtest = false
    UNION
    SELECT a.user_id, a.version_id, e.from_node, 0
    FROM choice_events e JOIN attempts a ON a.id = e.attempt_id
    WHERE a.is_playtest = false
    """,
    """
    INSERT INTO version_choice_counts (version_id, node_id, choice_number, learners)
    SELECT version_id, node_id, choice_number, COUNT(*)
    FROM learner_choices
    GROUP BY version_id, node_id, choice_number
    """,
    """
    INSERT INTO cohort_professions (cohort_id, profession, members)
    SELECT m.cohort_id, COALESCE(u.profession, 'other'), COUNT(*)
    FROM cohort_members m JOIN users u ON u.id = m.user_id
    GROUP BY m.cohort_id, COALESCE(u.profession, 'other')
    """,
    # Each learner's progress per scenario; the cohorts' module counts are computed when a
    # dashboard first needs them (eduapp/tallies/progress.py).
    """
    INSERT INTO learner_scenarios (user_id, document_id, finished)
    SELECT a.user_id, v.document_id,
           MAX(CASE WHEN a.status = 'completed' THEN 1 ELSE 0 END) = 1
    FROM attempts a JOIN versions v ON v.id = a.version_id
    WHERE a.is_playtest = false
    GROUP BY a.user_id, v.document_id
    """,
]


def downgrade():
    op.drop_table('cohort_professions')
    with op.batch_alter_table('reflections', schema=None) as batch_op:
        batch_op.drop_index('ix_reflections_shared_created')

    with op.batch_alter_table('module_scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_module_scenarios_scenario_document_id'))

    op.drop_table('module_scenarios')
    with op.batch_alter_table('learner_scenarios', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_scenarios_document')

    op.drop_table('learner_scenarios')
    op.drop_table('cohort_module_progress')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_display_name')

    op.drop_table('version_choice_counts')
    op.drop_table('learner_choices')
    op.drop_table('cohort_tallies')
