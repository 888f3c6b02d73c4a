"""password resets and address changes (issue 12): links mailed to an account's address to
choose a new password; a confirmation that moves an account to a new address

Revision ID: 3c1d7e0b9a42
Revises: 52b4b26b3e39
Create Date: 2026-12-04 21:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c1d7e0b9a42'
down_revision = '52b4b26b3e39'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_resets_token_hash')),
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False
        )
    with op.batch_alter_table('address_confirmations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('address_confirmations', schema=None) as batch_op:
        batch_op.drop_column('replaces_email')
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
