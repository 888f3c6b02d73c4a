"""Who may use each route. Every view declares it; the check runs in one place, before the view.

A view without a declaration is refused (fail closed), and a test walks the URL map to prove
every route has one.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, current_app, request
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.extensions import db, login_manager

log = logging.getLogger("eduapp.access")

#: Endpoints served by Flask itself.
BUILTIN_PUBLIC_ENDPOINTS = {"static"}


@dataclass(frozen=True)
class Access:
    is_public: bool
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if self.is_public:
            return "anyone"
        if not self.roles:
            return "signed-in users"
        return " or ".join(sorted(r.label for r in self.roles))


def _declare(access: Access) -> Callable:
    def decorator(view: Callable) -> Callable:
        view.access = access
        return view

    return decorator


public = _declare(Access(is_public=True))
signed_in = _declare(Access(is_public=False))


def requires(*roles: Role) -> Callable:
    """Only signed-in users holding at least one of these roles."""
    return _declare(Access(is_public=False, roles=frozenset(roles)))


def access_of(endpoint: str) -> Access | None:
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return Access(is_public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_access():
    """before_request: apply the route's declared access rule."""
    if request.endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    access = access_of(request.endpoint)
    if access is None:
        log.error("route %s declares no access rule; refused", request.endpoint)
        abort(403)
    if access.is_public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if access.roles and not current_user.has_role(*access.roles):
        log.warning("refused: %s needs %s", request.endpoint, access.describe())
        abort(403)
    return None


def get_owned_or_404(model, ident, owner_attr: str = "user_id", *, options=(), query=None):
    """Load a record that must belong to the current user; anything else is a logged 404.

    ``options`` are loader options for what the page reads with it (in the same query), or
    ``query`` a statement built once that selects it by the parameter ``ident``.
    """
    if query is None:
        record = db.session.get(model, ident, options=options)
    else:
        record = db.session.execute(query, {"ident": ident}).scalar_one_or_none()
    if record is None or getattr(record, owner_attr) != current_user.id:
        if record is not None:
            log.warning("refused: %s %s belongs to another user", model.__name__, ident)
        abort(404)
    return record
