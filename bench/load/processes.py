"""The processes of a run: a PostgreSQL cluster of its own, gunicorn with its workers, and the
mail sender beside them; and the CPU time a process and its children have used (/proc).

The cluster lives in a temporary folder on a free loopback port, is started, stopped and
restarted by this module alone, and is removed at the end. It never touches another server.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load.gunicorn_hooks import READY

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a fixed command (never through a shell); raise with its output if it fails."""
    options = {"capture_output": True, "text": True, "timeout": 120, "check": False, **kwargs}
    result = subprocess.run(args, **options)  # noqa: S603 - argument lists built here, no shell
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


#: Clock ticks per second of the CPU times in /proc/<pid>/stat.
TICK = os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_ticks(root: int) -> dict[int, int]:
    """CPU ticks used so far by ``root`` and each of its child processes (user and system time;
    for the root, also its children that have exited and been reaped, such as a closed PostgreSQL
    backend or a restarted worker)."""
    ticks = {}
    for pid in [root, *child_pids(root)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of proc(5), counted here from the state.
        used = [int(value) for value in fields[11:15]]
        ticks[pid] = sum(used) if pid == root else used[0] + used[1]
    return ticks


def cpu_seconds_since(before: dict[int, int], root: int) -> float:
    """CPU seconds ``root`` and its children used since ``before = cpu_ticks(root)``."""
    return sum(t - before.get(pid, 0) for pid, t in cpu_ticks(root).items()) / TICK


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


class PostgresCluster:
    """A throwaway cluster: initdb into a temp folder, pg_ctl start/stop, removed on close."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="eduapp-load-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        # initdb refuses to run as root: the cluster then belongs to the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/eduapp_load"

    def _pg(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        return run([*self.as_user, str(self.bin / tool), *args])

    def create(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                 "eduapp_load")  # fmt: skip

    def pid(self) -> int:
        """The postmaster's process id, whose children are the cluster's other processes."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
        )
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except RuntimeError as error:
                print(f"warning: could not stop the load-test cluster: {error}", file=sys.stderr)
        shutil.rmtree(self.folder, ignore_errors=True)


class Gunicorn:
    """``gunicorn --workers N eduapp.wsgi:app`` on a free loopback port, logging to a file.

    ``app`` names another WSGI app to serve instead (bench/playstep.py serves its bare stack).
    """

    def __init__(
        self, env: dict[str, str], workers: int, log: Path, app: str = "eduapp.wsgi:app"
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.log = log
        self._log_file = log.open("w")
        args = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers),
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "30", "--graceful-timeout", "10",
            "--no-control-socket", "--preload", "--config", "python:bench.load.gunicorn_hooks",
            app,
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our interpreter
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)

    def ready_count(self) -> int:
        """How many workers have loaded the app so far (restarted ones included)."""
        return self.log.read_text(errors="replace").count(READY)

    def wait_ready(self, count: int | None = None, timeout: float = 60) -> None:
        """Wait until ``count`` workers in all have loaded the app (every worker by default)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            if self.ready_count() >= (count or self.workers):
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn was not ready within {timeout} s; see {self.log}")

    def kill_a_worker(self, rng) -> int:
        """SIGKILL one worker (the arbiter starts another); returns its pid."""
        pid = rng.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        _terminate(self.process)
        self._log_file.close()


class MailSender:
    """``flask mail send --loop`` beside gunicorn, as production runs it, logging to a file."""

    def __init__(self, env: dict[str, str], log: Path, interval: int = 1) -> None:
        self.log = log
        self._log_file = log.open("w")
        args = [
            sys.executable, "-m", "flask", "--app", "eduapp",
            "mail", "send", "--loop", "--interval", str(interval),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our interpreter
            args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    def exit_code(self) -> int | None:
        """None while it runs; its exit code once it has stopped on its own."""
        return self.process.poll()

    def stop(self) -> None:
        _terminate(self.process)
        self._log_file.close()


def _terminate(process: subprocess.Popen) -> None:
    """SIGTERM, as a service manager stops it; SIGKILL if it does not go within 20 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
