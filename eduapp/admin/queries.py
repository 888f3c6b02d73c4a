import sqlalchemy as sa

from eduapp.accounts.models import User
from eduapp.extensions import db


def users_page(page: int, per_page: int = 50):
    return db.paginate(
        sa.select(User).order_by(User.display_name, User.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )
