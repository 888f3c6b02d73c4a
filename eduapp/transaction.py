"""The transaction boundary: services change the session and flush; a request, a CLI command or
one step of a worker commits once, here, or rolls back (Indico's ``RH.process``).

- A request's work is committed once, after the view, when the response is below 400
  (a page, a redirect); an error response (a form sent back with 400, a 401 or 429 at sign-in,
  a 404, a 409 conflict) or an exception rolls it all back. A view that saved what was sent
  and still answers with an error (an assessment submitted with questions unanswered keeps its
  answers and shows the form again with 400) says so, last, with ``commit_despite_status()``.
  A commit that fails is answered by the app's error handlers as if the view had raised it
  (a 503 while the database is down).
- A CLI command of a ``CommandGroup`` is committed when it returns and rolled back when it
  raises (``sys.exit`` included). ``unit_of_work()`` is the same rule for any other block: a
  worker's step (``flask mail send`` sends each message in units of its own), a test.
- A service that must survive a race (a unique constraint losing to another request) writes
  the racing rows inside ``db.session.begin_nested()`` and catches the IntegrityError: the
  savepoint is undone and the request's transaction stays usable for what follows.
- A few records must stand whatever becomes of the request: a counted failed sign-in
  (eduapp/accounts/throttle.py) and the login session's own bookkeeping. They are written by
  ``separate_transaction()``, on a connection of their own, committed at once. SQLite has one
  writer at a time, so such a write must come before the request writes anything itself.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, Response, current_app, g
from flask.cli import AppGroup

from eduapp.extensions import db

#: Responses from this status on roll the request's work back.
FIRST_ERROR_STATUS = 400


def roll_back() -> None:
    """Forget the session's transaction, or drop its connection if even that fails (the
    database went away mid-request)."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()


def commit_despite_status() -> None:
    """Commit this request's work although its answer has an error status. Call it last, with
    the answer ready: an exception before it still rolls everything back."""
    g.commit_despite_status = True


def end_request(response: Response) -> Response:
    """after_request, run before every other one: commit the request's work once, or roll it
    back if the response is an error."""
    if not db.session.registry.has():  # the request never used the database
        return response
    if response.status_code >= FIRST_ERROR_STATUS and not g.pop("commit_despite_status", False):
        roll_back()
        return response
    try:
        db.session.commit()
    except Exception as error:  # answered by the app's error handlers, as if the view raised it
        roll_back()
        return current_app.make_response(current_app.handle_user_exception(error))
    return response


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block changed when it ends, or roll it all back if it raises."""
    try:
        yield
        db.session.commit()
    except BaseException:
        roll_back()
        raise


@contextmanager
def separate_transaction() -> Iterator[sa.Connection]:
    """A short transaction on a connection of its own, committed when the block ends, whatever
    becomes of the request's: for records that must stand even if the request fails."""
    with db.engine.begin() as connection:
        yield connection


def in_unit_of_work(command: Callable) -> Callable:
    """Run a function (a click command's callback) as one unit of work."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with unit_of_work():
            return command(*args, **kwargs)

    return run


class CommandGroup(AppGroup):
    """An AppGroup whose commands each run as one unit of work: a CLI command is a request too."""

    def command(self, *args, **kwargs) -> Callable:
        register = super().command(*args, **kwargs)
        return lambda command: register(in_unit_of_work(command))


def register(app: Flask) -> None:
    """Commit or roll back each request. Registered after every other after_request function,
    so it runs first: the log line and the headers see the answer the commit allowed."""
    app.after_request(end_request)
