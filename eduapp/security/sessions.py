"""Who is signed in: the user behind the session's token, and the way to the sign-in page."""

import sqlalchemy as sa
from flask import flash, g, redirect, request, session
from flask_login import login_url

from eduapp.accounts.models import User
from eduapp.accounts.services import SessionExpired, signed_in_query, user_for_token
from eduapp.extensions import prepared
from eduapp.notifications.queries import unread_of

SIGN_IN_MESSAGE = "Please sign in to see that page."
EXPIRED_MESSAGE = "You were signed out after a long session or a long pause. Please sign in again."


@prepared
def _signed_in(_insert) -> sa.Select:
    """Everything every page needs of who is signed in, in one statement: the user, their roles,
    their session, and the unread notifications the header counts."""
    return signed_in_query().add_columns(unread_of(User.id))


def load_user(token: str):
    """Flask-Login's user loader. An expired session signs this browser out and says why."""
    try:
        found = user_for_token(token, _signed_in())
    except SessionExpired:
        session.clear()
        flash(EXPIRED_MESSAGE, "info")
        g.session_expired = True
        return None
    if found is None:
        return None
    user, (g.unread_notifications,) = found
    return user


def send_to_sign_in():
    """Flask-Login's answer to a visitor who must sign in: the sign-in page, coming back here
    afterwards; one message, the expiry's if that is why."""
    if not g.get("session_expired"):
        flash(SIGN_IN_MESSAGE, "message")
    return redirect(login_url("accounts.login", next_url=request.url))
