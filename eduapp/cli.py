"""Command-line commands: ``flask content check|load``, ``flask demo accounts``,
``flask tallies rebuild``, ``flask notifications digest``, ``flask mail send`` and ``flask lti``
(rotate-key, send-scores).

Each is a thin shell over a service function that tests call directly, and runs as one unit of
work (``CommandGroup``): committed when it returns, rolled back when it fails. ``flask mail
send`` is a worker instead, whose every message is a unit of its own (eduapp/mail/sender.py).
"""

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from eduapp.accounts.models import Profession, Role
from eduapp.accounts.services import create_or_update_account
from eduapp.content.services import export_course, load_course
from eduapp.engine import ContentError, check_course, format_report
from eduapp.lti.cli import lti
from eduapp.mail.cli import mail
from eduapp.notifications.digest import send_digests
from eduapp.tallies import services as tally_services
from eduapp.transaction import CommandGroup

content = CommandGroup("content", help="Check and load the course from curriculum/ and scenarios/.")
demo = CommandGroup("demo", help="Development helpers.")
tallies = CommandGroup("tallies", help="The running counts that cohort dashboards read.")
notifications = CommandGroup("notifications", help="The daily e-mail digest of notifications.")

#: One account per role, for trying the platform locally. Never created in production.
DEMO_ACCOUNTS = [
    (
        "learner@example.org",
        "Demo Learner",
        "learn-with-patients-2026",
        {Role.LEARNER},
        Profession.NURSING.value,
    ),
    (
        "patient.educator@example.org",
        "Demo Patient Educator",
        "lived-experience-counts-2026",
        {Role.PATIENT_EDUCATOR},
        None,
    ),
    ("tutor@example.org", "Demo Tutor", "teach-and-learn-together-2026", {Role.TUTOR}, None),
    ("admin@example.org", "Demo Admin", "keep-the-house-running-2026", {Role.ADMIN}, None),
]


@content.command("check")
def content_check():
    """Validate every module and scenario; exit 1 with file:line messages on any problem."""
    config = current_app.config
    report = check_course(config["CURRICULUM_DIR"], config["SCENARIOS_DIR"])
    click.echo(format_report(report))
    sys.exit(1 if report.problems else 0)


@content.command("load")
def content_load():
    """Import the course; a changed file becomes a new published version. Idempotent."""
    config = current_app.config
    try:
        result = load_course(config["CURRICULUM_DIR"], config["SCENARIOS_DIR"])
    except ContentError as error:
        click.echo(str(error), err=True)
        click.echo("Nothing was loaded.", err=True)
        sys.exit(1)
    for name in result.published:
        click.echo(f"published  {name}")
    click.echo(f"{len(result.published)} published, {len(result.unchanged)} unchanged.")


@content.command("export")
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write under this folder (curriculum/ and scenarios/ inside it) instead of "
    "over the course files.",
)
def content_export(target: Path | None):
    """Write the published course back to its plain-text files."""
    config = current_app.config
    curriculum, scenarios = (
        (target / "curriculum", target / "scenarios")
        if target
        else (config["CURRICULUM_DIR"], config["SCENARIOS_DIR"])
    )
    written = export_course(curriculum, scenarios)
    click.echo(f"{len(written)} files written.")


@demo.command("accounts")
def demo_accounts():
    """Create (or refresh) one demo account per role and print how to sign in."""
    if not current_app.config["ALLOW_DEMO_ACCOUNTS"]:
        click.echo("Demo accounts are disabled in this configuration.", err=True)
        sys.exit(1)
    click.echo("Demo accounts (development only):")
    for email, name, password, roles, profession in DEMO_ACCOUNTS:
        create_or_update_account(email, name, password, roles, profession)
        role_names = ", ".join(sorted(r.label for r in roles))
        click.echo(f"  {role_names:<18} {email:<32} password: {password}")


@tallies.command("rebuild")
def rebuild_tallies():
    """Recompute every tally from the recorded choices (after a bulk import, or to repair)."""
    tally_services.rebuild()
    click.echo("Tallies rebuilt from the recorded choices.")


@notifications.command("digest")
def digest():
    """Write today's digests to the outbox (run once a day; `flask mail send` sends them)."""
    mailed = send_digests()
    click.echo(f"{mailed} digest(s) written to the outbox.")


def register(app: Flask) -> None:
    app.cli.add_command(content)
    app.cli.add_command(demo)
    app.cli.add_command(tallies)
    app.cli.add_command(notifications)
    app.cli.add_command(mail)
    app.cli.add_command(lti)
