"""The play step, eduapp beside a bare stack (part of ``make bench``):

    python -m bench.playstep [--rounds 5] [--seconds 10] [--learners 16] [--workers 4]

The same client drives (A) eduapp's play step: a signed-in learner in a cohort GETs the attempt
page and POSTs a choice with its CSRF token and step, through to an ending, then starts the next
scenario; and (B) the bare stack of bench/bare_stack.py: the same libraries doing the least a
step must. Both are served by gunicorn with the same number of sync workers on one throwaway
PostgreSQL cluster (bench/load/processes.py), production's configuration for eduapp. The
learners play without pauses; A and B take turns for several rounds, so a machine that gets
busier or quieter during the run weighs on both. Prints steps per second for each, the ratio,
and p50/p95 of the GET and the POST; and the CPU time each step cost the servers (gunicorn's
workers and PostgreSQL, read from /proc), which other work on a shared machine barely moves.
Nothing is asserted: the figures depend on the machine.
"""

import argparse
import json
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench import bare_stack
from bench.databases import bench_app
from bench.load.learner import COHORT_CODE
from bench.load.processes import (
    ROOT,
    Gunicorn,
    PostgresCluster,
    cpu_seconds_since,
    cpu_ticks,
    postgres_bin,
)
from bench.load.run import prepare_database, server_env
from bench.load.stats import percentile
from eduapp.accounts.models import Profession, Role
from eduapp.accounts.services import create_or_update_account
from eduapp.cohorts.services import join_with_code
from eduapp.extensions import db

#: The course's scenarios; learner n starts with the n-th and plays them in turn.
SCENARIOS = tuple(sorted(path.stem for path in (ROOT / "scenarios").glob("*.md")))
PASSWORD = "harbour-lantern-playstep-meadow"  # noqa: S105 - throwaway accounts of the run

# What the client reads of a page: the same for both stacks (and for a browser's form).
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
STEP = re.compile(r'name="step"[^>]*?value="(\d+)"')
CHOICE = re.compile(r'name="choice"[^>]*?value="(\d+)"')
REFLECTION_BOX = re.compile(r'<textarea[^>]*?name="reflection"')


@dataclass(frozen=True)
class Stack:
    name: str
    url: str
    #: The page whose form starts a play (read once, before the timing starts).
    start_page: str
    #: The start form's action for a learner's n-th play.
    start_path: Callable[[int], str]
    signs_in: bool


def eduapp_stack(url: str, scenarios: tuple[str, ...] = SCENARIOS) -> Stack:
    return Stack(
        "eduapp",
        url,
        start_page="/modules",
        start_path=lambda n: f"/scenarios/{scenarios[n % len(scenarios)]}/start",
        signs_in=True,
    )


def bare(url: str) -> Stack:
    return Stack("bare stack", url, start_page="/", start_path=lambda n: "/start", signs_in=False)


@dataclass
class Tally:
    """What the learners of one stack did in one round."""

    steps: int = 0
    endings: int = 0
    seconds: float = 0.0
    get_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    #: The ending page and the start that follows it: part of playing, timed apart.
    ending_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: CPU seconds the stack's servers spent meanwhile: gunicorn (its workers) and PostgreSQL.
    app_cpu_seconds: float = 0.0
    db_cpu_seconds: float = 0.0
    #: And the client's (this process), which shares the machine.
    client_cpu_seconds: float = 0.0

    def add(self, other: "Tally") -> None:
        self.app_cpu_seconds += other.app_cpu_seconds
        self.db_cpu_seconds += other.db_cpu_seconds
        self.client_cpu_seconds += other.client_cpu_seconds
        self.steps += other.steps
        self.endings += other.endings
        self.get_ms += other.get_ms
        self.post_ms += other.post_ms
        self.ending_ms += other.ending_ms
        self.problems += other.problems

    @property
    def per_second(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0

    def cpu_ms_per_step(self, seconds: float | None = None) -> float:
        """CPU milliseconds per step: the servers' (by default), or of ``seconds``."""
        if seconds is None:
            seconds = self.app_cpu_seconds + self.db_cpu_seconds
        return 1000 * seconds / self.steps if self.steps else 0.0


class Learner:
    """One learner on one stack: a browser's cookie jar, its attempt, and the play loop."""

    def __init__(
        self, stack: Stack, number: int, email: str, *, password: str = PASSWORD, transport=None
    ) -> None:
        self.stack = stack
        self.number = number
        self.email = email
        self.password = password
        self.plays = number
        self.rng = random.Random(number)
        self.client = httpx.Client(base_url=stack.url, timeout=30, transport=transport)
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.path = ""

    def request(self, method: str, path: str, data: dict | None = None) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = self.client.request(method, path, data=data, headers=headers)
        # eduapp's cookies are Secure (production behind TLS): over loopback HTTP the learner
        # keeps them itself, as bench/load's learners do.
        for header in response.headers.get_list("set-cookie"):
            pair, _, attributes = header.partition(";")
            name, _, value = pair.partition("=")
            if "max-age=0" in attributes.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        self.client.cookies.clear()
        return response

    def _token_from(self, response: httpx.Response) -> None:
        found = CSRF.search(response.text)
        if found is None:
            raise RuntimeError(f"{self.stack.name}: no CSRF token on {response.url}")
        self.token = found.group(1)

    def set_up(self) -> None:
        """Sign in (eduapp), read a start form's token and start (or resume) a play."""
        if self.stack.signs_in:
            self._token_from(self.request("GET", "/login"))
            data = {"csrf_token": self.token, "email": self.email, "password": self.password}
            answer = self.request("POST", "/login", data)
            if answer.status_code != 302:
                raise RuntimeError(f"{self.email} could not sign in: {answer.status_code}")
        self._token_from(self.request("GET", self.stack.start_page))
        self.start()

    def start(self) -> None:
        path = self.stack.start_path(self.plays)
        answer = self.request("POST", path, {"csrf_token": self.token})
        if answer.status_code != 302:
            raise RuntimeError(f"{self.stack.name}: {path} answered {answer.status_code}")
        self.path = answer.headers["location"]

    def play(self, tally: Tally, deadline: float) -> None:
        """Steps without pauses until ``deadline``; an ending starts the next play."""
        try:
            while time.perf_counter() < deadline:
                self.step(tally)
        except (httpx.HTTPError, RuntimeError) as error:
            tally.problems.append(f"{self.stack.name} learner {self.number}: {error!r}")

    def step(self, tally: Tally) -> None:
        started = time.perf_counter()
        page = self.request("GET", self.path)
        took = (time.perf_counter() - started) * 1000
        if page.status_code != 200:
            raise RuntimeError(f"GET {self.path} answered {page.status_code}")
        self._token_from(page)
        step = STEP.search(page.text)
        if step is None:  # an ending: start the next play
            tally.endings += 1
            self.plays += 1
            self.start()
            tally.ending_ms.append((time.perf_counter() - started) * 1000)
            return
        tally.get_ms.append(took)
        data = {
            "csrf_token": self.token,
            "step": step.group(1),
            "choice": self.rng.choice(CHOICE.findall(page.text)),
            "visibility": "private",
        }
        if REFLECTION_BOX.search(page.text):
            data["reflection"] = ""  # a browser sends the empty box with the form
        started = time.perf_counter()
        answer = self.request("POST", self.path, data)
        tally.post_ms.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 302 or answer.headers.get("location") != self.path:
            raise RuntimeError(f"POST {self.path} answered {answer.status_code}")
        tally.steps += 1

    def close(self) -> None:
        self.client.close()


def drive(learners: list[Learner], seconds: float, app_pid: int, db_pid: int) -> Tally:
    """Every learner plays for ``seconds`` at once, each in a thread of its own; the CPU time of
    the processes under gunicorn's master (``app_pid``) and PostgreSQL's is noted."""
    tallies = [Tally() for _ in learners]
    app_before, db_before = cpu_ticks(app_pid), cpu_ticks(db_pid)
    client_before = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(target=learner.play, args=(tally, deadline))
        for learner, tally in zip(learners, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally(seconds=time.perf_counter() - started)
    total.app_cpu_seconds = cpu_seconds_since(app_before, app_pid)
    total.db_cpu_seconds = cpu_seconds_since(db_before, db_pid)
    total.client_cpu_seconds = time.process_time() - client_before
    for tally in tallies:
        total.add(tally)
    return total


def make_learners(url: str, count: int, tag: str) -> list[str]:
    """``count`` learner accounts in the cohort bench/load made (as a class would be)."""
    app = bench_app(url)
    emails = [f"playstep{n:02d}-{tag}@example.org" for n in range(count)]
    professions = list(Profession)
    with app.app_context():
        for n, email in enumerate(emails):
            learner, _ = create_or_update_account(
                email, f"Learner {n}", PASSWORD, {Role.LEARNER}, professions[n % 5].value
            )
            db.session.commit()
            join_with_code(learner, COHORT_CODE)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return emails


def create_database(cluster: PostgresCluster, name: str) -> str:
    admin = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return sa.make_url(cluster.url).set(database=name).render_as_string(hide_password=False)


def summary(tally: Tally) -> dict:
    gets, posts, endings = sorted(tally.get_ms), sorted(tally.post_ms), sorted(tally.ending_ms)
    return {
        "steps": tally.steps,
        "seconds": round(tally.seconds, 1),
        "steps_per_s": round(tally.per_second, 1),
        "steps_per_play": round(tally.steps / tally.endings, 1) if tally.endings else None,
        "get_p50_ms": round(percentile(gets, 0.50), 1),
        "get_p95_ms": round(percentile(gets, 0.95), 1),
        "post_p50_ms": round(percentile(posts, 0.50), 1),
        "post_p95_ms": round(percentile(posts, 0.95), 1),
        "ending_and_start_p50_ms": round(percentile(endings, 0.50), 1),
        "server_cpu_ms_per_step": round(tally.cpu_ms_per_step(), 2),
        "app_cpu_ms_per_step": round(tally.cpu_ms_per_step(tally.app_cpu_seconds), 2),
        "database_cpu_ms_per_step": round(tally.cpu_ms_per_step(tally.db_cpu_seconds), 2),
        "client_cpu_ms_per_step": round(tally.cpu_ms_per_step(tally.client_cpu_seconds), 2),
        "problems": len(tally.problems),
    }


def report(rounds: list[tuple[Tally, Tally]], out=sys.stdout) -> dict:
    """Print the figures; return them as plain data."""
    totals = {"eduapp": Tally(), "bare stack": Tally()}
    for a, b in rounds:
        for name, tally in (("eduapp", a), ("bare stack", b)):
            totals[name].add(tally)
            totals[name].seconds += tally.seconds
    eduapp, bare_ = totals["eduapp"], totals["bare stack"]
    per_round = [a.per_second / b.per_second if b.per_second else 0.0 for a, b in rounds]
    ratio = eduapp.per_second / bare_.per_second if bare_.per_second else 0.0
    cpu_ratio = bare_.cpu_ms_per_step() / eduapp.cpu_ms_per_step() if eduapp.steps else 0.0
    figures = {name: summary(tally) for name, tally in totals.items()}
    header = ("steps/s", "GET p50", "GET p95", "POST p50", "POST p95", "CPU/step", "app+db",
              "client", "steps/play")  # fmt: skip
    print("\n" + " " * 12 + "".join(f"{h:>11}" for h in header), file=out)
    for name, row in figures.items():
        split = f"{row['app_cpu_ms_per_step']:.1f}+{row['database_cpu_ms_per_step']:.1f}"
        cells = (
            row["steps_per_s"], row["get_p50_ms"], row["get_p95_ms"], row["post_p50_ms"],
            row["post_p95_ms"], row["server_cpu_ms_per_step"], split,
            row["client_cpu_ms_per_step"], row["steps_per_play"] or "-",
        )  # fmt: skip
        print(f"{name:<12}" + "".join(f"{c:>11}" for c in cells), file=out)
    print("(milliseconds; CPU/step: the servers' CPU time per step, gunicorn's workers (app) and "
          "PostgreSQL (db); client: this process's; eduapp's ending page and the start after it "
          f"are timed apart, p50 {figures['eduapp']['ending_and_start_p50_ms']} ms)",
          file=out)  # fmt: skip
    rounds_text = " ".join(f"{r:.2f}" for r in per_round)
    median = statistics.median(per_round)
    print(
        f"ratio eduapp / bare stack: {ratio:.2f} in steps/s (by round: {rounds_text}; median "
        f"{median:.2f}); {cpu_ratio:.2f} in the servers' CPU time per step",
        file=out,
    )
    for tally in totals.values():
        for problem in tally.problems[:10]:
            print(f"  problem: {problem}", file=out)
    return {
        "ratio": round(ratio, 2),
        "ratio_by_round": [round(r, 2) for r in per_round],
        "ratio_by_cpu_per_step": round(cpu_ratio, 2),
        **figures,
    }


def run(args: argparse.Namespace) -> dict:
    args.out.mkdir(parents=True, exist_ok=True)
    cluster = PostgresCluster()
    servers: list[Gunicorn] = []
    learners: list[Learner] = []
    try:
        with tempfile.TemporaryDirectory(prefix="eduapp-playstep-mail-") as mail_dir:
            cluster.create()
            env = server_env(cluster.url, Path(mail_dir))
            prepare_database(env)
            emails = make_learners(cluster.url, args.learners, secrets.token_hex(3))
            bare_url = create_database(cluster, "bare_stack")
            bare_stack.prepare(bare_url)
            servers = [
                Gunicorn(env, args.workers, args.out / "gunicorn-eduapp.log"),
                Gunicorn(
                    {**env, "BARE_DATABASE_URL": bare_url},
                    args.workers,
                    args.out / "gunicorn-bare.log",
                    app="bench.bare_stack:create_app()",
                ),
            ]
            for server in servers:
                server.wait_ready()
            processes = [(server.process.pid, cluster.pid()) for server in servers]
            stacks = (eduapp_stack(servers[0].url), bare(servers[1].url))
            sides = []
            for stack in stacks:
                side = [Learner(stack, n, email) for n, email in enumerate(emails)]
                learners += side
                for learner in side:
                    learner.set_up()
                sides.append(side)
            print(f"warming up each stack for {args.warmup:g} s ...", flush=True)
            for side, pids in zip(sides, processes, strict=True):
                drive(side, args.warmup, *pids)
            rounds = []
            for number in range(1, args.rounds + 1):
                a = drive(sides[0], args.seconds, *processes[0])
                b = drive(sides[1], args.seconds, *processes[1])
                rounds.append((a, b))
                print(f"round {number}: eduapp {a.per_second:.1f} steps/s, bare stack "
                      f"{b.per_second:.1f} steps/s", flush=True)  # fmt: skip
            return report(rounds)
    finally:
        for learner in learners:
            learner.close()
        for server in servers:
            server.stop()
        cluster.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.playstep", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10, help="per stack and round")
    parser.add_argument("--warmup", type=float, default=3, help="per stack, not timed")
    parser.add_argument("--learners", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "playstep")
    args = parser.parse_args(argv)
    print(
        f"== play step: {args.learners} learners without pauses, gunicorn with {args.workers} "
        f"sync workers, PostgreSQL; {args.rounds} rounds of {args.seconds:g} s per stack "
        f"(load average before: {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)",
        flush=True,
    )
    try:
        postgres_bin()
    except RuntimeError as error:
        print(f"play step not measured: {error} (the bench runs a PostgreSQL cluster of its own)")
        return 1
    figures = run(args)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    figures = {"when": when, "load_average_after": round(os.getloadavg()[0], 1), **figures}
    (args.out / "last-run.json").write_text(json.dumps(figures, indent=1))
    return 1 if figures["eduapp"]["problems"] or figures["bare stack"]["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
