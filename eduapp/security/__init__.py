"""Access rules, security headers, sessions and request logging, bound to the app in one call."""

from flask import Flask

from eduapp.extensions import login_manager
from eduapp.security.access import enforce_access
from eduapp.security.headers import set_security_headers
from eduapp.security.logging import configure_logging, finish_request, note_user, start_request
from eduapp.security.sessions import load_user, send_to_sign_in


def register(app: Flask) -> None:
    configure_logging(app)
    login_manager.login_view = "accounts.login"
    login_manager.unauthorized_handler(send_to_sign_in)
    login_manager.session_protection = None  # sessions are ended server-side instead
    login_manager.user_loader(load_user)
    app.before_request(start_request)
    app.before_request(note_user)
    app.before_request(enforce_access)
    app.after_request(set_security_headers)
    app.after_request(finish_request)
