"""hardening (SECURITY.md rows 25-36, 39): confirmed e-mail addresses (confirmation links and
the mail outbox), idle login sessions, throttle keys under a secret (old rows dropped), audit
events naming people by id, and the shared "how others chose" figures

After upgrading a database that holds learners' play, run `flask tallies rebuild` once: it takes
the first shared snapshots (until then each node's figures return as learners decide there).

Revision ID: 8ae31f072c08
Revises: 47bab952dcc1
Create Date: 2026-12-04 17:30:49.394697

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ae31f072c08'
down_revision = '47bab952dcc1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=300), server_default='', nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('tries >= 0', name=op.f('ck_outbox_mail_tries_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail'))
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_mail_due', ['next_try_at'], unique=False, sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))

    op.create_table('address_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('profession', sa.String(length=32), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("user_id IS NOT NULL OR password_hash <> ''", name=op.f('ck_address_confirmations_sign_up_has_password')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_address_confirmations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_confirmations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_address_confirmations_token_hash'))
    )
    with op.batch_alter_table('address_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_address_confirmations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_confirmations_user_id'), ['user_id'], unique=False)

    op.create_table('shared_choice_figures',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('choice_number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('learners', sa.Integer(), nullable=False),
    sa.CheckConstraint('learners >= 0', name=op.f('ck_shared_choice_figures_learners_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_shared_choice_figures_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', 'node_id', 'choice_number', name=op.f('pk_shared_choice_figures'))
    )
    op.create_table('shared_figure_marks',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=64), nullable=False),
    sa.Column('checked_at_learners', sa.Integer(), nullable=False),
    sa.Column('shown_learners', sa.Integer(), nullable=False),
    sa.CheckConstraint('checked_at_learners >= 0 AND shown_learners >= 0', name=op.f('ck_shared_figure_marks_counts_not_negative')),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_shared_figure_marks_version_id_versions')),
    sa.PrimaryKeyConstraint('version_id', 'node_id', name=op.f('pk_shared_figure_marks'))
    )
    with op.batch_alter_table('learner_choices', schema=None) as batch_op:
        batch_op.create_index('ix_learner_choices_node', ['version_id', 'node_id', 'choice_number', 'user_id'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_subject_id_users'), 'users', ['subject_id'], ['id'], ondelete='SET NULL')
    _audit_names_people_by_id()

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), server_default=sa.func.current_timestamp(), nullable=False))

    # Older rows carry plain SHA-256 of e-mails and addresses; keys are HMACs from now on.
    op.execute(sa.text('DELETE FROM login_attempts'))
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    # First: on SQLite, rebuilding the users table below sets subject_id to NULL.
    _audit_names_people_by_address()
    with op.batch_alter_table('address_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_confirmations_user_id'))
        batch_op.drop_index(batch_op.f('ix_address_confirmations_email'))

    op.drop_table('address_confirmations')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mail_due', sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))

    op.drop_table('outbox_mail')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_created_at')

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_subject_id_users'), type_='foreignkey')
        batch_op.drop_column('subject_id')

    with op.batch_alter_table('learner_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_learner_choices_node')

    op.drop_table('shared_figure_marks')
    op.drop_table('shared_choice_figures')


# Data: the audit log names people by id and keeps no one's words (SECURITY.md row 28). ------
_audit = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("subject_id", sa.Integer),
    sa.column("detail", sa.String),
)
_users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
_NAMING_ACTIONS = ("invited", "removed")
#: Their words live in the revision (message) and the sign-off (note), which erasure blanks.
_WORDS_ACTIONS = ("edited", "signed_off", "requested_changes")


def _audit_names_people_by_id():
    """"<e-mail> as <role>" and "<e-mail>" become subject_id and "as <role>" (or nothing), for
    every address that is an account's; copies of messages and notes are dropped."""
    bind = op.get_bind()
    events = bind.execute(
        sa.select(_audit.c.id, _audit.c.detail).where(_audit.c.action.in_(_NAMING_ACTIONS))
    ).all()
    for event_id, detail in events:
        address, _, rest = detail.partition(" ")
        user_id = bind.scalar(sa.select(_users.c.id).where(_users.c.email == address.lower()))
        if user_id is not None:
            bind.execute(
                sa.update(_audit)
                .where(_audit.c.id == event_id)
                .values(subject_id=user_id, detail=rest.strip())
            )
    bind.execute(
        sa.update(_audit).where(_audit.c.action.in_(_WORDS_ACTIONS)).values(detail="")
    )


def _audit_names_people_by_address():
    """Back to the address in the detail, before subject_id goes."""
    bind = op.get_bind()
    events = bind.execute(
        sa.select(_audit.c.id, _audit.c.detail, _users.c.email)
        .join(_users, _users.c.id == _audit.c.subject_id)
        .where(_audit.c.action.in_(_NAMING_ACTIONS))
    ).all()
    for event_id, detail, email in events:
        bind.execute(
            sa.update(_audit)
            .where(_audit.c.id == event_id)
            .values(detail=f"{email} {detail}".strip()[:300])
        )
