"""Every request the learners sent: its kind, when, how long, and how it ended."""

import statistics
from dataclasses import dataclass, field

#: A page of the app's own error template (errors/error.html).
APP_ERROR_PAGE = 'class="panel error-page"'


@dataclass
class Sample:
    kind: str
    started: float
    seconds: float
    #: The HTTP status, or 0 when no response came (connection dropped, timeout).
    status: int
    error: str = ""


@dataclass
class ErrorPages:
    """What 5xx answers looked like: the app's plain page, or something else."""

    app_page: int = 0
    other_page: int = 0
    traceback: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def note(self, status: int, body: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if "Traceback" in body:
            self.traceback += 1
        if APP_ERROR_PAGE in body:
            self.app_page += 1
        else:
            self.other_page += 1


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    error_pages: ErrorPages = field(default_factory=ErrorPages)
    #: (name, start, end) of each fault, in seconds since the run began.
    faults: list[tuple[str, float, float]] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[round(fraction * 100) - 1]


def summarise(recorder: Recorder, duration: float) -> dict:
    """Throughput, latency percentiles per kind, and errors, as plain data."""
    kinds: dict[str, list[Sample]] = {}
    for sample in recorder.samples:
        kinds.setdefault(sample.kind, []).append(sample)
    rows = []
    for kind in sorted(kinds):
        samples = kinds[kind]
        answered = sorted(s.seconds * 1000 for s in samples if s.status)
        rows.append(
            {
                "kind": kind,
                "requests": len(samples),
                "p50_ms": round(percentile(answered, 0.50), 1),
                "p95_ms": round(percentile(answered, 0.95), 1),
                "p99_ms": round(percentile(answered, 0.99), 1),
                "server_errors": sum(1 for s in samples if s.status >= 500),
                "dropped": sum(1 for s in samples if not s.status),
            }
        )
    all_answered = sorted(s.seconds * 1000 for s in recorder.samples if s.status)
    during = _during_faults(recorder)
    return {
        "requests": len(recorder.samples),
        "duration_s": round(duration, 1),
        "throughput_rps": round(len(recorder.samples) / duration, 1) if duration else 0.0,
        "p50_ms": round(percentile(all_answered, 0.50), 1),
        "p95_ms": round(percentile(all_answered, 0.95), 1),
        "p99_ms": round(percentile(all_answered, 0.99), 1),
        "server_errors": sum(1 for s in recorder.samples if s.status >= 500),
        "dropped": sum(1 for s in recorder.samples if not s.status),
        "error_statuses": {str(k): v for k, v in sorted(recorder.error_pages.by_status.items())},
        "error_pages_plain": recorder.error_pages.app_page,
        "error_pages_other": recorder.error_pages.other_page,
        "error_pages_with_traceback": recorder.error_pages.traceback,
        "faults": [
            {"fault": name, "at_s": round(start, 1), "until_s": round(end, 1)}
            for name, start, end in recorder.faults
        ],
        "during_faults": during,
        "kinds": rows,
    }


def _during_faults(recorder: Recorder) -> dict:
    """How the requests that ended inside a fault's window (plus 2 s) were answered."""
    counts: dict[str, int] = {}
    for sample in recorder.samples:
        end = sample.started + sample.seconds
        if any(start <= end <= until + 2 for _, start, until in recorder.faults):
            key = str(sample.status) if sample.status else "dropped"
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
