"""The bare stack the play step is measured against (bench/playstep.py): the same libraries as
eduapp (Flask, Flask-SQLAlchemy, Flask-WTF's CSRF protection, Jinja, psycopg) doing the least a
step must, and nothing else: no sign-in, no access rules, no scenario, no counts.

- ``GET /attempts/<id>``: read the attempt and 20 rows of text, render a page with a form (its
  CSRF token, the step and the choice buttons); once the attempt has taken ``PLAY_LENGTH`` steps
  the page is an ending instead, with a form to start again.
- ``POST /attempts/<id>``: check the CSRF token, ``UPDATE ... SET step = step + 1 WHERE id = ?
  AND step = ?``, one ``INSERT`` of the choice, commit, redirect to the page.
- ``POST /start``: one ``INSERT`` of a new attempt, commit, redirect to it (``GET /`` shows
  its form, once per learner before the timing starts).

Served by gunicorn as ``bench.bare_stack:create_app()``, on the database in BARE_DATABASE_URL.
"""

import os
import secrets

import sqlalchemy as sa
from flask import Flask, abort, redirect, render_template, request, url_for
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Steps to an ending: what a learner choosing at random takes through the course's scenarios
#: on average (5.8 to 8.1; bench/playstep.py prints eduapp's figure of the run beside it), so
#: both stacks serve the same mix of requests.
PLAY_LENGTH = 7
#: Rows of text the page shows.
ROWS = 20


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()


class BareAttempt(db.Model):
    __tablename__ = "bare_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[int] = mapped_column(default=0)


class BareEvent(db.Model):
    __tablename__ = "bare_events"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("bare_attempts.id"))
    step: Mapped[int]
    choice: Mapped[int]


class BareLine(db.Model):
    __tablename__ = "bare_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Step {{ attempt.step + 1 }}</title></head>
<body><main>
<h1>Step {{ attempt.step + 1 }}</h1>
{% for line in lines %}<p>{{ line.text }}</p>
{% endfor %}
{% if attempt.step < play_length %}
<form method="post" action="{{ url_for('step', attempt_id=attempt.id) }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input type="hidden" name="step" value="{{ attempt.step }}">
  {% for number in (1, 2, 3) %}
  <button type="submit" name="choice" value="{{ number }}">Choice {{ number }}</button>
  {% endfor %}
</form>
{% else %}
<p>Ending.</p>
<form method="post" action="{{ url_for('start') }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <button type="submit">Start again</button>
</form>
{% endif %}
</main></body></html>
"""

START = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Start</title></head>
<body><main><form method="post" action="{{ url_for('start') }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <button type="submit">Start</button>
</form></main></body></html>
"""


def create_app(url: str | None = None) -> Flask:
    """The bare app on ``url`` (default: BARE_DATABASE_URL), with eduapp's engine options."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32),
        SQLALCHEMY_DATABASE_URI=url or os.environ["BARE_DATABASE_URL"],
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "hide_parameters": True},
        WTF_CSRF_TIME_LIMIT=None,
    )
    # A named template is compiled once per process, as eduapp's template files are.
    app.jinja_loader = DictLoader({"page.html": PAGE, "start.html": START})
    db.init_app(app)
    csrf.init_app(app)

    @app.get("/")
    def index():
        return render_template("start.html")

    @app.get("/attempts/<int:attempt_id>")
    def page(attempt_id: int):
        attempt = db.session.get(BareAttempt, attempt_id) or abort(404)
        lines = db.session.scalars(sa.select(BareLine).order_by(BareLine.id).limit(ROWS)).all()
        return render_template("page.html", attempt=attempt, lines=lines, play_length=PLAY_LENGTH)

    @app.post("/attempts/<int:attempt_id>")
    def step(attempt_id: int):
        step = request.form.get("step", type=int)
        choice = request.form.get("choice", type=int)
        if step is None or choice is None:
            abort(400)
        claimed = db.session.execute(
            sa.update(BareAttempt)
            .where(BareAttempt.id == attempt_id, BareAttempt.step == step)
            .values(step=BareAttempt.step + 1)
        ).rowcount
        if claimed == 1:
            db.session.add(BareEvent(attempt_id=attempt_id, step=step + 1, choice=choice))
        db.session.commit()
        return redirect(url_for("page", attempt_id=attempt_id))

    @app.post("/start")
    def start():
        attempt = BareAttempt(step=0)
        db.session.add(attempt)
        db.session.flush()
        attempt_id = attempt.id  # read before the commit expires it
        db.session.commit()
        return redirect(url_for("page", attempt_id=attempt_id))

    return app


def prepare(url: str) -> None:
    """Create the bare tables on ``url`` and the rows the page reads."""
    app = create_app(url)
    with app.app_context():
        db.create_all()
        db.session.add_all(
            BareLine(text=f"Line {number} of what the page shows, as a node's text would be.")
            for number in range(1, ROWS + 1)
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
