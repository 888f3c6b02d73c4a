"""notification digests (issue 12): whether each person wants the daily e-mail of their unread
notifications, and up to when the last one went

Revision ID: 9e4b2a7c5d18
Revises: 3c1d7e0b9a42
Create Date: 2026-12-04 22:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b2a7c5d18'
down_revision = '3c1d7e0b9a42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_digests',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('wanted', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('sent_through', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_notification_digests_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_digests')),
    )


def downgrade():
    op.drop_table('notification_digests')
