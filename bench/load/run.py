"""One run on one backend: a fresh database with the real course, gunicorn with its workers and
the mail sender beside them, the learners for a fixed time with faults injected, then the
checker."""

import asyncio
import copy
import os
import random
import re
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from bench.databases import bench_app
from bench.load import ledger as ledger_file
from bench.load.checker import check
from bench.load.learner import COHORT_CODE, Behaviour, Learner
from bench.load.ledger import ACKED, ChoiceClaim, LearnerLedger
from bench.load.mailbox import Mailbox
from bench.load.processes import ROOT, Gunicorn, MailSender, PostgresCluster, run
from bench.load.stats import Recorder, percentile, summarise
from eduapp.accounts.models import Role
from eduapp.accounts.services import create_or_update_account
from eduapp.cohorts.services import create_cohort
from eduapp.extensions import db


@dataclass
class Settings:
    backend: str
    learners: int = 50
    duration: float = 90.0
    workers: int = 4
    #: Seconds the PostgreSQL cluster stays down during its restart.
    outage: float = 4.0
    seed: int = 2026
    behaviour: Behaviour = field(default_factory=Behaviour)


#: How often the mail sender wakes (production's default is 10 s; a learner waits for its mail).
MAIL_INTERVAL = 1


def server_env(url: str, mail_dir: Path) -> dict[str, str]:
    """Production's configuration, with mail written as files the learners read."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EDUAPP_", "DATABASE_", "MAIL_", "SMTP_"))
    }
    env.update(
        EDUAPP_CONFIG="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        MAIL_BACKEND="files",
        MAIL_DIR=str(mail_dir),
        # Every simulated learner signs up from 127.0.0.1; a real class comes from many addresses.
        SIGNUPS_PER_ADDRESS="100000",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """As ``make setup`` does: migrate, then load the real course; and a cohort to join."""
    flask = [sys.executable, "-m", "flask", "--app", "eduapp"]
    run([*flask, "db", "upgrade"], cwd=ROOT, env=env)
    run([*flask, "content", "load"], cwd=ROOT, env=env)
    make_cohort(env["DATABASE_URL"])


def make_cohort(url: str) -> None:
    """The cohort the learners join (with the code COHORT_CODE), as a tutor would make it."""
    app = bench_app(url)
    with app.app_context():
        tutor, _ = create_or_update_account(
            "load-tutor@example.org", "Load Tutor", secrets.token_urlsafe(24), {Role.TUTOR}, None
        )
        cohort = create_cohort(tutor, "Load test cohort")
        cohort.join_code = COHORT_CODE
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def run_backend(settings: Settings, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    cluster = server = sender = None
    sqlite_folder = None
    mail_folder = tempfile.TemporaryDirectory(prefix="eduapp-load-mail-")
    mail_dir = Path(mail_folder.name)
    try:
        if settings.backend == "postgresql":
            cluster = PostgresCluster()
            cluster.create()
            url = cluster.url
        else:
            sqlite_folder = tempfile.TemporaryDirectory(prefix="eduapp-load-sqlite-")
            url = f"sqlite:///{sqlite_folder.name}/eduapp.db"
        env = server_env(url, mail_dir)
        prepare_database(env)
        sender_log = out / f"mail-sender-{settings.backend}.log"
        sender = MailSender(env, sender_log, MAIL_INTERVAL)
        server = Gunicorn(env, settings.workers, out / f"gunicorn-{settings.backend}.log")
        server.wait_ready()
        recorder = Recorder()
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        mailbox = Mailbox(mail_dir)
        learners = asyncio.run(_drive(settings, server, cluster, recorder, mailbox))
        elapsed = time.monotonic() - started
        server.stop()
        # The sender's last turns: a message queued in the run's last second still goes out.
        time.sleep(2 * MAIL_INTERVAL)
        sender_exit = sender.exit_code()
        sender.stop()
        ledgers = [learner.ledger for learner in learners]
        ledger_file.save(ledgers, out / f"ledger-{settings.backend}.json")
        report = check(url, ledgers, mail_dir)
        self_test = checker_self_test(url, ledgers)
        waits = sorted(wait for learner in learners for wait in learner.mail_waits)
        return {
            "machine_load_average": round(load_before, 1),
            "checker_catches_a_loss": self_test,
            "backend": settings.backend,
            "learners": settings.learners,
            "workers": settings.workers,
            "think": list(settings.behaviour.think),
            "duration_s": settings.duration,
            "load": summarise(recorder, elapsed),
            "endings_reached": sum(learner.endings for learner in learners),
            "sign_up": {
                "signed_up": sum(ledger.signed_up for ledger in ledgers),
                "mail_wait_p50_s": round(percentile(waits, 0.5), 1),
                "mail_wait_max_s": round(max(waits, default=0.0), 1),
                # None: still running when the run stopped it, as it must be.
                "sender_exit_code": sender_exit,
                **scan_sender_log(sender_log),
            },
            "unexpected_answers": [u for learner in learners for u in learner.unexpected][:20],
            "server_log": scan_server_log(server.log),
            "check": report.as_dict(),
            "ok": report.ok
            and recorder.error_pages.traceback == 0
            and self_test
            and sender_exit is None,
        }
    finally:
        if server is not None:
            server.stop()
        if sender is not None:
            sender.stop()
        if cluster is not None:
            cluster.close()
        if sqlite_folder is not None:
            sqlite_folder.cleanup()
        mail_folder.cleanup()


async def _drive(
    settings: Settings, server: Gunicorn, cluster, recorder: Recorder, mailbox: Mailbox
) -> list:
    zero = time.monotonic()
    deadline = zero + settings.duration
    run_tag = secrets.token_hex(3)
    password = f"harbour-lantern-{secrets.token_hex(4)}-meadow"
    clients = [
        httpx.AsyncClient(base_url=server.url, timeout=20, limits=httpx.Limits(max_connections=2))
        for _ in range(settings.learners)
    ]
    learners = [
        Learner(n + 1, run_tag, password, client, recorder, zero, deadline, settings.behaviour,
                mailbox, seed=settings.seed * 1000 + n)
        for n, client in enumerate(clients)
    ]  # fmt: skip

    async def start(learner: Learner, delay: float) -> None:
        await asyncio.sleep(delay)
        await learner.run()

    ramp = min(5.0, settings.duration / 10)
    tasks = [
        asyncio.create_task(start(learner, ramp * i / settings.learners))
        for i, learner in enumerate(learners)
    ]
    faults = asyncio.create_task(_inject_faults(settings, server, cluster, recorder, zero))
    await asyncio.wait(tasks, timeout=settings.duration + 60)
    await faults
    for task in tasks:
        task.cancel()
    for client in clients:
        await client.aclose()
    return learners


async def _inject_faults(settings, server: Gunicorn, cluster, recorder: Recorder, zero) -> None:
    rng = random.Random(settings.seed)
    await asyncio.sleep(settings.duration * 0.4)
    started = time.monotonic() - zero
    ready = server.ready_count()
    pid = server.kill_a_worker(rng)
    # Back when a new worker has loaded the app (a worker imports it afresh after a fork).
    await asyncio.to_thread(server.wait_ready, ready + 1, 60)
    recorder.faults.append((f"SIGKILL gunicorn worker {pid}", started, time.monotonic() - zero))
    if cluster is None:
        return
    await asyncio.sleep(max(0.0, zero + settings.duration * 0.6 - time.monotonic()))
    started = time.monotonic() - zero
    # Immediate mode: no checkpoint, crash recovery on start. Only durable commits survive.
    await asyncio.to_thread(cluster.stop, "immediate")
    await asyncio.sleep(settings.outage)
    await asyncio.to_thread(cluster.start)
    recorder.faults.append(("PostgreSQL stopped (immediate) and started", started,
                            time.monotonic() - zero))  # fmt: skip


def checker_self_test(url: str, ledgers: list) -> bool:
    """The checker is not vacuous: a made-up acknowledged choice, a changed reflection text and
    a sign-up whose account never existed, added to a copy of the ledger, must each be reported
    as lost."""
    tampered = copy.deepcopy(ledgers)
    learner = next((lg for lg in tampered if lg.choices), None)
    if learner is None:
        return False
    real = learner.choices[0]
    learner.choices.append(ChoiceClaim(real.attempt, 10_000, 1, "self-test"))
    tampered.append(LearnerLedger("never-signed-up@example.org", signed_up=True))
    expected = 2
    acked = next((w for lg in tampered for w in lg.reflections if w.outcome == ACKED), None)
    if acked is not None:
        owner = next(lg for lg in tampered if acked in lg.reflections)
        owner.reflections.append(replace(acked, text=acked.text + " (never sent)"))
        expected += 1
    return check(url, tampered).records_lost == expected


def scan_sender_log(path: Path) -> dict:
    """What the mail sender said: how many messages it sent, how many turns the database cost."""
    text = path.read_text(errors="replace")
    return {
        "sender_sent": sum(int(n) for n in re.findall(r"^(\d+) sent, \d+ failed", text, re.M)),
        "sender_database_unavailable": len(re.findall(r"database unavailable", text)),
        "sender_errors": len(re.findall(r"Traceback", text)),
    }


def scan_server_log(path: Path) -> dict:
    """What the server said: unhandled exceptions by class, database-unavailable warnings."""
    text = path.read_text(errors="replace")
    unhandled = Counter(re.findall(r"level=ERROR logger=\S+ .*? unhandled (\w+)", text))
    return {
        "unhandled_exceptions": dict(unhandled),
        "database_unavailable_warnings": len(re.findall(r"database unavailable", text)),
        "workers_booted": len(re.findall(r"Booting worker", text)),
        "worker_timeouts": len(re.findall(r"WORKER TIMEOUT", text)),
        # An exception outside the app's error handlers (e.g. in teardown): gunicorn's own 500.
        "errors_outside_the_app": len(re.findall(r"Error handling request", text)),
    }
