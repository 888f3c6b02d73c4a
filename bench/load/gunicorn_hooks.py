"""gunicorn settings for the load test: a log line once a worker has loaded the app and can serve.

Loaded with ``gunicorn -c python:bench.load.gunicorn_hooks``; the harness counts these lines to
know when every worker (and a worker started after a SIGKILL) is ready.
"""

READY = "worker ready"


def post_worker_init(worker) -> None:
    worker.log.info("%s pid=%s", READY, worker.pid)
