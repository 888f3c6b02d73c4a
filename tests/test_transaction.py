"""The transaction boundary (eduapp/transaction.py): services only flush; a request, a CLI
command or a worker's step commits once, or rolls everything back. Events (eduapp/*/signals.py)
are received inside that transaction: the counts and the outbox rows they write go with it."""

import ast
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from flask import Blueprint, abort

from eduapp.accounts.models import LoginAttempt, Role, User
from eduapp.accounts.signup import request_sign_up
from eduapp.audit.models import AuditEvent
from eduapp.audit.services import record
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort
from eduapp.extensions import db
from eduapp.mail.models import OutboxMail
from eduapp.reflections.models import Theme
from eduapp.security.access import public
from eduapp.tallies.models import CohortProfession
from eduapp.transaction import CommandGroup, commit_despite_status, unit_of_work
from tests.support.accounts import PASSWORD, Auth

EDUAPP = Path(__file__).resolve().parent.parent / "eduapp"


def _events() -> list[str]:
    db.session.rollback()  # read what is committed, not what the test's session holds
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def commits(app):
    """The commits of the requests' sessions (not the test's own), as they happen."""
    seen: list[object] = []
    own = db.session()

    def note(session):
        if session is not own:
            seen.append(session)

    sa.event.listen(sa.orm.Session, "after_commit", note)
    yield seen
    sa.event.remove(sa.orm.Session, "after_commit", note)


@pytest.fixture
def writing_app(app):
    """Routes that write an audit event, then answer in different ways."""
    bp = Blueprint("writes", __name__)

    @bp.get("/writes/<int:status>")
    @public
    def answer(status: int):
        record(f"answered {status}")
        return "written", status

    @bp.get("/writes/raises")
    @public
    def raises():
        record("raised")
        raise RuntimeError("after writing")

    @bp.get("/writes/aborts")
    @public
    def aborts():
        record("aborted")
        abort(404)

    @bp.get("/writes/kept")
    @public
    def kept():
        record("kept")
        commit_despite_status()
        return "saved, and the form again", 400

    @bp.get("/writes/commit-fails")
    @public
    def commit_fails():
        # Two themes of one name: the unique constraint refuses them only at the commit.
        db.session.add_all([Theme(name="same"), Theme(name="same")])
        return "never seen", 200

    app.register_blueprint(bp)
    return app


def test_a_request_commits_once_when_it_answers_below_400(writing_app, client, commits):
    assert client.get("/writes/200").status_code == 200
    assert client.get("/writes/302").status_code == 302
    assert _events() == ["answered 200", "answered 302"]
    assert len(commits) == 2  # one per request


@pytest.mark.parametrize(
    ("url", "status"),
    [("/writes/400", 400), ("/writes/409", 409), ("/writes/raises", 500), ("/writes/aborts", 404)],
)
def test_an_error_answer_or_an_exception_rolls_the_request_back(writing_app, client, url, status):
    assert client.get(url).status_code == status
    assert _events() == []


def test_a_view_may_keep_its_work_while_answering_with_an_error(writing_app, client):
    assert client.get("/writes/kept").status_code == 400
    assert _events() == ["kept"]


def test_a_commit_that_fails_is_answered_by_the_error_handlers(writing_app, client):
    response = client.get("/writes/commit-fails")
    assert response.status_code == 409  # a unique constraint: saved at the same moment
    assert "never seen" not in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0


def test_signing_in_commits_once_and_a_failure_is_counted_all_the_same(client, make_user, commits):
    user = make_user(Role.LEARNER)

    def sign_in(password: str) -> int:
        token = Auth(client).token()
        commits.clear()
        form = {"email": user.email, "password": password, "csrf_token": token}
        return client.post("/login", data=form).status_code

    assert sign_in("not the password") == 401
    assert commits == []  # the request rolled back ...
    db.session.rollback()
    # ... but its counters were written on a connection of their own (accounts/throttle.py).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 3
    assert sign_in(PASSWORD) == 302
    assert len(commits) == 1


def test_a_cli_command_is_one_unit_of_work(app, runner):
    group = CommandGroup("writes")

    @group.command("record")
    @click.option("--fail", is_flag=True)
    def write(fail: bool):
        record("first")
        record("second")
        if fail:
            raise click.ClickException("half way")

    app.cli.add_command(group)
    assert runner.invoke(args=["writes", "record", "--fail"]).exit_code == 1
    assert _events() == []
    result = runner.invoke(args=["writes", "record"])
    assert result.exit_code == 0, result.output
    assert _events() == ["first", "second"]


def test_unit_of_work_commits_or_rolls_back_the_block(app):
    with pytest.raises(RuntimeError), unit_of_work():
        record("lost")
        raise RuntimeError
    with unit_of_work():
        record("kept")
    assert _events() == ["kept"]


def test_counts_are_written_by_events_inside_the_transaction(app, make_user):
    """The tallies count a join through cohorts' signals; rolled back, the count goes too."""
    tutor, learner = make_user(Role.TUTOR), make_user(Role.LEARNER)
    with unit_of_work():
        cohort_id = cohorts.create_cohort(tutor, "Events").id

    def members() -> int:
        return db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(CohortProfession.members), 0)).where(
                CohortProfession.cohort_id == cohort_id
            )
        )

    with pytest.raises(RuntimeError), unit_of_work():
        cohorts.join(db.session.get(User, learner.id), db.session.get(Cohort, cohort_id))
        assert members() == 1  # counted in the join's own transaction
        raise RuntimeError("the request failed after the join")
    assert members() == 0
    with unit_of_work():
        cohorts.join(db.session.get(User, learner.id), db.session.get(Cohort, cohort_id))
    db.session.rollback()
    assert members() == 1


def test_the_mail_outbox_is_written_by_an_event_in_the_same_transaction(app):
    with app.test_request_context():
        with pytest.raises(RuntimeError), unit_of_work():
            request_sign_up("someone@example.org", "Someone", "a long enough passphrase", "")
            assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 1
            raise RuntimeError("the sign-up failed after its event")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 0
        with unit_of_work():
            request_sign_up("someone@example.org", "Someone", "a long enough passphrase", "")
        db.session.rollback()
        assert db.session.scalar(sa.select(OutboxMail.to_address)) == "someone@example.org"


# The module graph --------------------------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = path.relative_to(EDUAPP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each eduapp module and the eduapp modules it imports (a package's submodule when
    ``from package import submodule``)."""
    modules = {_module_name(path): path for path in EDUAPP.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.add(submodule if submodule in modules else node.module)
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def test_the_module_graph_has_no_cycles():
    graph = _imports()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            pytest.fail("import cycle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


#: Listeners: they import the domains whose events they hear; no domain imports them.
LISTENERS = (
    "eduapp.tallies.services",
    "eduapp.tallies.progress",
    "eduapp.tallies.receivers",
    "eduapp.mail.receivers",
    "eduapp.notifications.receivers",
    "eduapp.lti.receivers",
    "eduapp.lti.scores",
)
DOMAINS = (
    "accounts",
    "admin",
    "assessments",
    "audit",
    "cohorts",
    "content",
    "mydata",
    "notifications",
    "player",
    "reflections",
    "studio",
    "security",
)


def test_domains_tell_by_events_and_never_import_their_listeners():
    graph = _imports()
    upward = {
        (name, target)
        for name, targets in graph.items()
        if name.count(".") and name.split(".")[1] in DOMAINS
        for target in targets
        if target in LISTENERS
    }
    assert upward == set()
    assert not any(target.startswith("eduapp.mail") for target in graph["eduapp.accounts.signup"])
