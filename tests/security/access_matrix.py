"""The access matrix: every route's row, gathered from the ``matrix_*.py`` modules beside this
file, and the world its checks run in (test_access_matrix.py, test_get_never_writes.py)."""

import importlib
from pathlib import Path

from eduapp.content.services import load_course
from eduapp.extensions import db
from tests.security.access_world import Persona, World
from tests.support.accounts import Auth
from tests.support.app import empty_tables

#: Core and cohorts prepare the world the other domains build on; the rest follow by name.
FIRST = ("matrix_core", "matrix_cohorts")
MODULES = [
    importlib.import_module(f"tests.security.{stem}")
    for stem in sorted(
        (path.stem for path in Path(__file__).parent.glob("matrix_*.py")),
        key=lambda stem: (FIRST.index(stem) if stem in FIRST else len(FIRST), stem),
    )
]
#: (endpoint, method) -> Row, for every route.
ROWS = {key: row for module in MODULES for key, row in module.ROWS.items()}


def world(app, make_user, persona: Persona) -> tuple[World, Auth]:
    """The course loaded, each domain's objects made, and a client signed in as ``persona``
    (anonymous: not signed in)."""
    load_course(app.config["CURRICULUM_DIR"], app.config["SCENARIOS_DIR"])
    me = make_user(persona.role) if persona.role else None
    made = World(persona=persona, me=me, make_user=make_user)
    for module in MODULES:
        if hasattr(module, "prepare"):
            made.values.update(module.prepare(made))
    auth = Auth(app.test_client())
    if me is not None:
        assert auth.login(me).status_code == 302
    return made, auth


def fresh_world(app, make_user, persona: Persona) -> tuple[World, Auth]:
    """``world`` again, in emptied tables."""
    db.session.remove()
    empty_tables()
    return world(app, make_user, persona)
