"""The figures of a run, as text for the terminal and as Markdown for docs/reliability.md."""

import re
from pathlib import Path

START = "<!-- figures:start (written by `make reliability`; do not edit by hand) -->"
END = "<!-- figures:end -->"


def _kind_table(load: dict) -> list[str]:
    lines = [
        "| request | count | p50 ms | p95 ms | p99 ms | 5xx | dropped |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in load["kinds"]:
        lines.append(
            f"| {row['kind']} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['server_errors']} | {row['dropped']} |"
        )
    lines.append(
        f"| **all** | **{load['requests']}** | {load['p50_ms']} | {load['p95_ms']} | "
        f"{load['p99_ms']} | {load['server_errors']} | {load['dropped']} |"
    )
    return lines


def markdown(result: dict) -> list[str]:
    load, check, log = result["load"], result["check"], result["server_log"]
    sign_up = result["sign_up"]
    sender = (
        "was running at the end"
        if sign_up["sender_exit_code"] is None
        else f"EXITED with code {sign_up['sender_exit_code']}"
    )
    faults = "; ".join(f"{f['fault']} at {f['at_s']} s (back at {f['until_s']} s)"
                       for f in load["faults"]) or "none"  # fmt: skip
    during = ", ".join(f"{k}: {v}" for k, v in load["during_faults"].items()) or "none"
    lines = [
        f"### {result['backend']}: {'PASS' if result['ok'] else 'FAIL'}",
        "",
        f"- {result['learners']} learners (pausing {result['think'][0]:g}-{result['think'][1]:g} s "
        f"before each action), gunicorn with {result['workers']} sync workers, "
        f"{load['duration_s']} s: **{load['requests']} requests, "
        f"{load['throughput_rps']} requests/s**; {result['endings_reached']} endings reached.",
        f"- Latency of all requests: p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
        f"p99 {load['p99_ms']} ms.",
        f"- Sign-up: {sign_up['signed_up']} of {result['learners']} learners signed up through "
        f"the mailed link; the link was in their mailbox p50 {sign_up['mail_wait_p50_s']} s, "
        f"at most {sign_up['mail_wait_max_s']} s after the form was answered. The mail sender "
        f"(`flask mail send --loop`, a process of its own) sent {sign_up['sender_sent']} "
        f"messages, lost {sign_up['sender_database_unavailable']} turns to the database being "
        "unavailable, "
        f"logged {sign_up['sender_errors']} tracebacks and {sender}.",
        f"- Faults injected: {faults}.",
        f"- Answers to requests that ended during a fault (+2 s): {during}.",
        f"- Errors: {load['server_errors']} 5xx ({_statuses(load)}), {load['dropped']} dropped "
        f"connections; error pages: {load['error_pages_plain']} the app's plain page, "
        f"{load['error_pages_other']} another page, {load['error_pages_with_traceback']} "
        "with a traceback.",
        f"- Server log: {log['database_unavailable_warnings']} database-unavailable warnings, "
        f"unhandled exceptions {log['unhandled_exceptions'] or 'none'}, "
        f"{log['worker_timeouts']} worker timeouts, {log['errors_outside_the_app']} errors "
        "outside the app's handlers (gunicorn's own 500).",
        f"- Records checked: {check['records_checked']} acknowledged "
        f"({check['sign_ups_acknowledged']} sign-ups, {check['choices_acknowledged']} choices, "
        f"{check['reflections_acknowledged']} reflection writes); {check['mail_sent']} sent "
        "messages checked for one file each, and the outbox for unsent ones; "
        f"{check['attempts_checked']} attempts and "
        f"{check['events_checked']} choice events replayed; "
        f"**records lost: {check['records_lost']}**, duplicates: {check['duplicates']}, "
        f"inconsistencies: {check['inconsistencies']}. The checker's self-test (a made-up "
        "acknowledged choice, a changed reflection and a sign-up without its account must be "
        "reported lost): "
        f"{'passed' if result['checker_catches_a_loss'] else 'FAILED'}.",
        f"- Machine load average when the run began: {result['machine_load_average']} "
        "(2 cores, shared with other work).",
        "",
        *_kind_table(load),
        "",
    ]
    return lines


def _statuses(load: dict) -> str:
    return ", ".join(f"{v}x {k}" for k, v in load["error_statuses"].items()) or "none"


def text(result: dict) -> str:
    return "\n".join(markdown(result))


def write_docs(results: list[dict], when: str, path: Path) -> None:
    """Replace the figures block of docs/reliability.md with this run's."""
    block = [START, "", f"Last run: {when}.", ""]
    for result in results:
        block += markdown(result)
    block.append(END)
    content = path.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(content):
        raise RuntimeError(f"{path} has no figures block to replace")
    path.write_text(pattern.sub(lambda _: "\n".join(block), content))
