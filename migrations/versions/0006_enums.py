"""enum columns (issue 11): the check constraints of the columns that hold one of a few values
become the ones `sa.Enum(native_enum=False, create_constraint=True)` writes, under the same
names; the values allowed and stored do not change

Alembic does not compare check constraints, so this was written by hand; tests/test_setup.py
compares them with the models' on both databases.

Revision ID: 52b4b26b3e39
Revises: 8ae31f072c08
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '52b4b26b3e39'
down_revision = '8ae31f072c08'
branch_labels = None
depends_on = None

#: (table, constraint name, condition before, condition after), as each model's Enum writes it.
CONSTRAINTS = [
    (
        'documents', 'ck_documents_kind_known',
        "kind IN ('scenario','module','assessment')",
        "kind IN ('scenario', 'module', 'assessment')",
    ),
    (
        'users', 'ck_users_profession_known',
        "profession IS NULL OR profession IN ('medicine','nursing','pharmacy','physiotherapy',"
        "'dietetics','occupational_therapy','social_work','other')",
        "profession IN ('medicine', 'nursing', 'pharmacy', 'physiotherapy', 'dietetics', "
        "'occupational_therapy', 'social_work', 'other')",
    ),
    (
        'user_roles', 'ck_user_roles_role_known',
        "role IN ('learner','patient_educator','tutor','admin')",
        "role IN ('learner', 'patient_educator', 'tutor', 'admin')",
    ),
    (
        'attempts', 'ck_attempts_status_known',
        "status IN ('in_progress','completed','abandoned')",
        "status IN ('in_progress', 'completed', 'abandoned')",
    ),
    (
        'reflections', 'ck_reflections_visibility_known',
        "visibility IN ('private','tutors')",
        "visibility IN ('private', 'tutors')",
    ),
    (
        'memberships', 'ck_memberships_role_known',
        "role IN ('patient_partner','peer_student','staff','reviewer')",
        "role IN ('patient_partner', 'peer_student', 'staff', 'reviewer')",
    ),
    (
        'sign_offs', 'ck_sign_offs_decision_known',
        "decision IN ('approve','changes')",
        "decision IN ('approve', 'changes')",
    ),
]


def _replace(table, name, condition):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(name), type_='check')
        batch_op.create_check_constraint(batch_op.f(name), condition)


def upgrade():
    # A NULL profession passes "profession IN (...)" as it passed "IS NULL OR ...": the check
    # fails only when the condition is false, and NULL IN (...) is unknown.
    for table, name, _, after in CONSTRAINTS:
        _replace(table, name, after)


def downgrade():
    for table, name, before, _ in reversed(CONSTRAINTS):
        _replace(table, name, before)
