"""Who is signed in: the user behind the session's token, and the way to the sign-in page."""

from flask import flash, g, redirect, request, session
from flask_login import login_url

from eduapp.accounts.services import SessionExpired, user_for_token

SIGN_IN_MESSAGE = "Please sign in to see that page."
EXPIRED_MESSAGE = "You were signed out after a long session or a long pause. Please sign in again."


def load_user(token: str):
    """Flask-Login's user loader. An expired session signs this browser out and says why."""
    try:
        return user_for_token(token)
    except SessionExpired:
        session.clear()
        flash(EXPIRED_MESSAGE, "info")
        g.session_expired = True
        return None


def send_to_sign_in():
    """Flask-Login's answer to a visitor who must sign in: the sign-in page, coming back here
    afterwards; one message, the expiry's if that is why."""
    if not g.get("session_expired"):
        flash(SIGN_IN_MESSAGE, "message")
    return redirect(login_url("accounts.login", next_url=request.url))
